package eventstore_test

import (
	"fmt"

	"github.com/scalelab/scalelab/components/eventstore"
)

// A checkout loads its order, then appends what happened. With a snapshot
// every 4 events, the rebuild never replays more than 3.
func Example() {
	s := eventstore.New(eventstore.Settings{SnapshotEvery: 4})
	for i := 1; i <= 4; i++ {
		order, rb := s.Load(7)
		fmt.Printf("load: v%d from snapshot v%d, replayed %d, due %d\n", order.Version, rb.From, rb.Replayed, order.Due)
		a := s.Append(7,
			eventstore.Event{Kind: eventstore.Placed, Amount: 1000},
			eventstore.Event{Kind: eventstore.Paid, Amount: 1000})
		fmt.Printf("append: v%d snapshot %v\n", a.Version, a.Snapshot)
	}
	order, _ := s.Load(7)
	fmt.Printf("%d placed, %d paid, total %d\n", order.Placed, order.Paid, order.Total)
	// Output:
	// load: v0 from snapshot v0, replayed 0, due 0
	// append: v2 snapshot false
	// load: v2 from snapshot v0, replayed 2, due 0
	// append: v4 snapshot true
	// load: v4 from snapshot v4, replayed 0, due 0
	// append: v6 snapshot false
	// load: v6 from snapshot v4, replayed 2, due 0
	// append: v8 snapshot true
	// 4 placed, 4 paid, total 4000
}
