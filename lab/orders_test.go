package lab

import (
	"math"
	"strings"
	"testing"
	"testing/synctest"
	"time"
)

// ordersLoad is a load whose orders grow fast: 40 checkouts a second over
// a few keys (half the requests are writes, a fifth of writes checkouts).
const ordersLoad = "load 400/s uniform keys=10 reads=50%"

// Every paid checkout appends two events, and nothing else does.
func TestOrdersEventsGrowWithCheckouts(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		l := newLab(t, "shop", 1, nil)
		mustExec(t, l, ordersLoad, "wait 10s")
		first := value(t, l, "orders.events")
		mustExec(t, l, "wait 10s", "load off", "wait 5s")
		events := value(t, l, "orders.events")
		paid := value(t, l, "backend.served{backend=payments}")
		if first < 200 || events < first+200 {
			t.Errorf("orders.events %g after 10 s and %g after 20 s, want it to grow by ~40 checkouts a second", first, events)
		}
		if events != 2*paid {
			t.Errorf("orders.events %g, want 2 per paid checkout: %g", events, 2*paid)
		}
		if n := value(t, l, "orders.count"); n != 10 {
			t.Errorf("orders.count %g, want one order per key: 10", n)
		}
		if got := value(t, l, "orders.events.mean"); got != events/10 {
			t.Errorf("orders.events.mean %g, want %g", got, events/10)
		}
	})
}

// With snapshots every N and steady appends of two events, a rebuild
// replays 0, 2, …, N-2 events in turn: N/2-1 on average, never N.
func TestOrdersReplayHalfTheInterval(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		l := newLab(t, "shop", 1, nil)
		mustExec(t, l, "orders snapshot every=20", ordersLoad, "wait 60s")
		if got := value(t, l, "orders.replayed.mean"); math.Abs(got-9) > 2 {
			t.Errorf("orders.replayed.mean %g over 5 s, want about 9", got)
		}
		if mean := float64(l.orders.replayed.Load()) / float64(l.orders.rebuilds.Load()); math.Abs(mean-9) > 0.5 {
			t.Errorf("%.2f events replayed per rebuild over the run, want 9 within 0.5", mean)
		}
		// 1 ms + 18 × 50 µs at most, within the histogram's 3%.
		if p99 := value(t, l, "orders.rebuild.p99"); p99 > 1.9*1.03 {
			t.Errorf("orders.rebuild.p99 %gms, want at most 1.9ms", p99)
		}
		if kept := value(t, l, "orders.kept"); kept > 10*19 {
			t.Errorf("orders.kept %g: compaction should hold fewer than 20 events an order", kept)
		}
		// Each order snapshots every 10 checkouts: a snapshot per 20 events
		// appended, but for each order's last few.
		if snaps, events := float64(l.orders.snapshots.Load()), value(t, l, "orders.events"); math.Abs(snaps-events/20) > 10 {
			t.Errorf("%g snapshots for %g events, want one per 20", snaps, events)
		}
		if s := value(t, l, "orders.snapshots"); s <= 0 {
			t.Errorf("orders.snapshots %g/s, want about 80 events/s ÷ 20 = 4/s", s)
		}
	})
}

// Without snapshots a rebuild replays the whole history, so its p99 grows
// as the orders do; snapshots every N cap it at base + (N-1) × replay.
func TestOrdersRebuildGrowsWithHistoryUntilSnapshotsCapIt(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		l := newLab(t, "shop", 1, nil)
		mustExec(t, l, "orders snapshot every=off", ordersLoad, "wait 10s")
		early := value(t, l, "orders.rebuild.p99")
		mustExec(t, l, "wait 20s")
		late := value(t, l, "orders.rebuild.p99")
		replayed := value(t, l, "orders.replayed.mean")
		// 8 events an order a second: ~220 after 30 s, ~11 ms to rebuild.
		if early < 3 || late < 2*early || late < 9 {
			t.Errorf("rebuild p99 %gms after 10 s and %gms after 30 s: want it to grow with the history", early, late)
		}
		if replayed < 150 {
			t.Errorf("orders.replayed.mean %g after 30 s without snapshots, want the history, over 150", replayed)
		}
		if kept, events := value(t, l, "orders.kept"), value(t, l, "orders.events"); kept != events {
			t.Errorf("without snapshots every event is held: kept %g of %g", kept, events)
		}

		mustExec(t, l, "orders snapshot every=40", "wait 10s")
		if p99 := value(t, l, "orders.rebuild.p99"); p99 > (1+39*0.05)*1.03 {
			t.Errorf("rebuild p99 %gms with snapshots every 40, want at most 2.95ms", p99)
		}
		if kept := value(t, l, "orders.kept"); kept >= 10*41 {
			t.Errorf("orders.kept %g: the history should be compacted behind the snapshots", kept)
		}
	})
}

// A rebuild costs the checkout lab time: its trace has the span, and the
// checkout's latency holds it.
func TestOrdersRebuildIsInTheCheckout(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		l := newLab(t, "shop", 1, func(p *Preset) {
			p.Orders = &OrdersConf{Base: Duration(200 * time.Millisecond)}
			p.Payments.Service = "const:0"
			p.Trace.Sample = 1
		})
		mustExec(t, l, "load 100/s uniform keys=10 reads=0%", "wait 5s")
		found := false
		for _, f := range l.tracer.Recent() {
			for _, sp := range f.Spans {
				if sp.Name == "order rebuild" {
					found = true
					if d := sp.End.Sub(sp.Start); d != 200*time.Millisecond {
						t.Errorf("rebuild span %v, want the 200ms base", d)
					}
				}
			}
		}
		if !found {
			t.Error("no order rebuild span in the sampled checkouts")
		}
		if p99 := value(t, l, "latency.p99"); p99 < 200 {
			t.Errorf("latency.p99 %gms: a checkout should take the 200ms rebuild", p99)
		}
	})
}

func TestOrdersCommand(t *testing.T) {
	for _, tc := range []struct{ line, err string }{
		{"orders", "missing snapshot"},
		{"orders snapshot", "nothing to change: give every=N|off"},
		{"orders snapshot every=0", "0 is out of range 1..100000: give the events between snapshots, or off"},
		{"orders snapshot every=many", `"many" is not a whole number`},
		{"orders snapshot every=100001", "out of range"},
		{"orders snapshot off", `unexpected "off"; accepted: every=N|off`},
		{"orders snapshot every=5 every=6", ""}, // the last one wins, as for any option
	} {
		_, err := Parse(tc.line)
		switch {
		case tc.err == "" && err != nil:
			t.Errorf("%q: %v", tc.line, err)
		case tc.err != "" && (err == nil || !strings.Contains(err.Error(), tc.err)):
			t.Errorf("%q: err = %v, want %q", tc.line, err, tc.err)
		}
	}
	synctest.Test(t, func(t *testing.T) {
		l := newLab(t, "shop", 1, nil)
		if got := value(t, l, "orders.snapshot_every"); got != float64(DefaultOrders.SnapshotEvery) {
			t.Errorf("shop starts with snapshots every %g, want %d", got, DefaultOrders.SnapshotEvery)
		}
		mustExec(t, l, "orders snapshot every=50", "expect orders.snapshot_every == 50",
			"orders snapshot every=off", "expect orders.snapshot_every == 0")

		web := newLab(t, "web", 1, nil)
		if err := web.Exec("orders snapshot every=50", SourceTyped); err == nil || !strings.Contains(err.Error(), "no checkouts") {
			t.Errorf("orders on the web preset: err = %v", err)
		}
		if _, ok := web.Value("orders.events"); ok || web.Snapshot().Orders != nil {
			t.Error("the web preset reports an event store")
		}
	})
}

func TestOrdersPreset(t *testing.T) {
	shop, err := LoadPreset("shop")
	if err != nil {
		t.Fatal(err)
	}
	if shop.Orders == nil || *shop.Orders != DefaultOrders {
		t.Errorf("shop's orders: %+v, want %+v", shop.Orders, DefaultOrders)
	}
	for _, tc := range []struct{ name, orders, err string }{
		{"absent: the default", ``, ""},
		{"off", `"orders": {"snapshot_every": 0, "base": "2ms", "replay": "20us"},`, ""},
		{"negative", `"orders": {"snapshot_every": -1},`, "orders.snapshot_every: -1 is out of range 0..100000"},
		{"huge base", `"orders": {"base": "2s"},`, "orders.base: 2s is out of range"},
		{"huge replay", `"orders": {"replay": "1s"},`, "orders.replay: 1s is out of range"},
		{"unknown field", `"orders": {"every": 5},`, `unknown field "every"`},
	} {
		p, err := ParsePreset("t", []byte(`{"keys": 10, "web": {"count": 1, "workers": 1, "service": "1ms", "timeout": "1s"}, "balancer": "round-robin",
			"db": {"count": 1, "workers": 1, "service": "1ms", "timeout": "1s"}, `+tc.orders+`
			"payments": {"workers": 1, "service": "1ms", "timeout": "1s", "share": 0.2, "threshold": 5, "open": "1s", "trials": 1}}`))
		switch {
		case tc.err == "" && err != nil:
			t.Errorf("%s: %v", tc.name, err)
		case tc.err == "" && p.Orders == nil:
			t.Errorf("%s: a preset with checkouts has no event store", tc.name)
		case tc.err != "" && (err == nil || !strings.Contains(err.Error(), tc.err)):
			t.Errorf("%s: err = %v, want %q", tc.name, err, tc.err)
		}
	}
	_, err = ParsePreset("t", []byte(`{"keys": 10, "web": {"count": 1, "workers": 1, "service": "1ms", "timeout": "1s"}, "balancer": "round-robin",
		"orders": {"snapshot_every": 10}}`))
	if err == nil || !strings.Contains(err.Error(), "need payments and a db tier") {
		t.Errorf("orders without checkouts: err = %v", err)
	}
}
