package lab

import (
	"fmt"
	"strconv"
	"sync"
	"time"

	"github.com/scalelab/scalelab/components/eventstore"
	"github.com/scalelab/scalelab/components/trace"
)

// orders is the event store on the checkout path (components/eventstore).
// An order is an aggregate keyed by the request's key: every checkout first
// rebuilds its order from the newest snapshot and the events after it,
// then charges payments, and once payments has charged it appends what
// happened: placed, then paid. A checkout that fails appends nothing.
//
// Lab time: the rebuild holds the web worker serving the checkout for
// Base + Replay × the events it replayed (the preset's orders section; by
// default 1 ms to read the snapshot and the stream, and 50 µs to apply
// each event), so a checkout's cost grows with its order's history until
// snapshots cap it. The replay itself is real — the events are in memory
// and folded one by one — and its lab time is what the rebuild histogram
// records. The append costs no lab time: it rides on the write of the
// order that follows it in serveWrite.
//
// Memory: events behind a snapshot are compacted away, and the store holds
// at most eventstore.DefaultMaxEvents events (16 MB), archiving the orders
// appended to least recently past it (see the eventstore package doc).
type orders struct {
	mu    sync.Mutex
	store *eventstore.Store

	base, replay time.Duration

	snapshots, rebuilds, replayed *Counter
	rebuild                       *Histogram // lab time of each rebuild
}

// OrdersConf is the event store of orders, in a preset: how often it takes
// a snapshot of an order, and what rebuilding an order costs in lab time —
// Base, plus Replay for each event replayed. Zero values are zero: no
// snapshots, free rebuilds. A preset with checkouts (payments and a db
// tier) and no orders section gets DefaultOrders.
type OrdersConf struct {
	SnapshotEvery int      `json:"snapshot_every"` // 0: off
	Base          Duration `json:"base"`
	Replay        Duration `json:"replay"`
}

// DefaultOrders is the event store of a preset that does not describe one:
// snapshots every 100 events, as event-sourcing frameworks commonly
// suggest, so a rebuild costs at most about 6 ms.
var DefaultOrders = OrdersConf{SnapshotEvery: 100, Base: Duration(time.Millisecond), Replay: Duration(50 * time.Microsecond)}

// Bounds of the orders settings, for presets.
const (
	ordersMaxBase   = time.Second
	ordersMaxReplay = 10 * time.Millisecond
)

// validateOrders checks the orders section, or gives a preset with
// checkouts the default one. Called by Preset.validate.
func (p *Preset) validateOrders() error {
	checkouts := p.Payments != nil && p.DB != nil
	switch o := p.Orders; {
	case o == nil && checkouts:
		d := DefaultOrders
		p.Orders = &d
	case o == nil:
	case !checkouts:
		return fmt.Errorf("orders: the event store records checkouts, which need payments and a db tier")
	case o.SnapshotEvery < 0 || o.SnapshotEvery > MaxSnapshotEvery:
		return fmt.Errorf("orders.snapshot_every: %d is out of range 0..%d (0 for off)", o.SnapshotEvery, MaxSnapshotEvery)
	case time.Duration(o.Base) > ordersMaxBase:
		return fmt.Errorf("orders.base: %s is out of range 0s..%s", time.Duration(o.Base), ordersMaxBase)
	case time.Duration(o.Replay) > ordersMaxReplay:
		return fmt.Errorf("orders.replay: %s is out of range 0s..%s", time.Duration(o.Replay), ordersMaxReplay)
	}
	return nil
}

func newOrders(reg *Registry, c OrdersConf) *orders {
	return &orders{
		store: eventstore.New(eventstore.Settings{SnapshotEvery: c.SnapshotEvery}),
		base:  time.Duration(c.Base), replay: time.Duration(c.Replay),
		snapshots: reg.Counter("orders.snapshots"),
		rebuilds:  reg.Counter("orders.rebuilds"), replayed: reg.Counter("orders.replayed"),
		rebuild: reg.Histogram("orders.rebuild"),
	}
}

// load rebuilds order key at lab time cur and returns the lab time the
// rebuild ends.
func (o *orders) load(key uint64, cur time.Time) (time.Time, eventstore.Order, eventstore.Rebuild) {
	o.mu.Lock()
	order, rb := o.store.Load(key)
	o.mu.Unlock()
	took := o.base + time.Duration(rb.Replayed)*o.replay
	o.rebuilds.Inc()
	o.replayed.Add(uint64(rb.Replayed))
	o.rebuild.Record(took)
	return cur.Add(took), order, rb
}

// paid appends a paid checkout of amount cents to order key.
func (o *orders) paid(key uint64, amount int64) {
	o.mu.Lock()
	a := o.store.Append(key, eventstore.Event{Kind: eventstore.Placed, Amount: amount}, eventstore.Event{Kind: eventstore.Paid, Amount: amount})
	o.mu.Unlock()
	if a.Snapshot {
		o.snapshots.Inc()
	}
}

func (o *orders) setSnapshotEvery(n int) {
	o.mu.Lock()
	o.store.SetSnapshotEvery(n)
	o.mu.Unlock()
}

func (o *orders) stats() eventstore.Stats {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.store.Stats()
}

// placeOrder is a checkout: rebuild the order, charge payments, and once
// payments has charged it append what happened. Without an event store it
// is the charge alone.
func (r *request) placeOrder(cur time.Time) (time.Time, error) {
	o := r.lab.orders
	if o == nil {
		return r.charge(cur)
	}
	end, order, rb := o.load(r.key, cur)
	r.tr.Span("order rebuild", r.tr.Root(), cur, end, nil,
		trace.Attr{Key: "order.version", Value: strconv.FormatUint(order.Version, 10)},
		trace.Attr{Key: "replayed", Value: strconv.Itoa(rb.Replayed)})
	end, err := r.charge(end)
	if err == nil {
		o.paid(r.key, 500+int64(r.id%20_000)) // $5 to $205
	}
	return end, err
}

// ordersStats measures the event store; rate and stat are the registry's
// windows (see Registry.Read).
func (l *Lab) ordersStats(st eventstore.Stats, rate, stat *Window) *OrdersStats {
	o := l.orders
	return &OrdersStats{
		SnapshotEvery: st.SnapshotEvery, Base: o.base, Replay: o.replay,
		Orders: st.Orders, Events: st.Appended, Kept: st.Kept,
		PerOrder: ratio(float64(st.History), float64(st.Orders)),
		Archived: st.Archived, Longest: st.Longest,
		Snapshots: rate.Rate("orders.snapshots"), Rebuilds: rate.Rate("orders.rebuilds"),
		Replayed:   ratio(stat.Delta("orders.replayed"), stat.Delta("orders.rebuilds")),
		RebuildP99: fromMS(stat.Hist("orders.rebuild").P99),
	}
}
