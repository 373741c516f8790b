package eventstore

import "fmt"

// Kind is what happened to an order.
type Kind uint8

// The kinds of event an order has.
const (
	// Placed: a checkout placed an order worth Amount.
	Placed Kind = iota + 1
	// Paid: payments captured Amount for it.
	Paid
)

// String returns "placed" or "paid".
func (k Kind) String() string {
	switch k {
	case Placed:
		return "placed"
	case Paid:
		return "paid"
	}
	return fmt.Sprintf("kind(%d)", int(k))
}

// Event is one fact about an order, in the past tense: it happened, and is
// never changed or removed (only compacted behind a snapshot, see the
// package doc). Its position in the order's stream is its version, from 1.
// An Event is 16 bytes.
type Event struct {
	Kind   Kind
	Amount int64 // cents
}

// Order is the aggregate: the state an order's events add up to. The store
// never saves it except as a snapshot; [Store.Load] rebuilds it.
type Order struct {
	ID      uint64
	Version uint64 // events applied: the version of the last one
	Placed  int    // checkouts placed
	Paid    int    // of them, paid
	Total   int64  // cents placed, in all
	Due     int64  // cents placed and not yet paid
}

// Apply folds one event into the order: the aggregate's one rule for each
// kind of event, as UserAggregate's apply methods in the seed. Applying
// the events of a stream in order, from the empty Order or from a snapshot,
// gives the same state. Cost: a few additions.
func (o *Order) Apply(e Event) {
	o.Version++
	switch e.Kind {
	case Placed:
		o.Placed++
		o.Total += e.Amount
		o.Due += e.Amount
	case Paid:
		o.Paid++
		o.Due -= e.Amount
	}
}

// Replay applies events to o in order and returns the result: a rebuild,
// from the empty order or from a snapshot.
func Replay(o Order, events []Event) Order {
	for _, e := range events {
		o.Apply(e)
	}
	return o
}
