package eventstore

import (
	"math/rand/v2"
	"slices"
	"testing"
)

// checkout is the events one paid checkout appends.
func checkout(amount int64) []Event {
	return []Event{{Kind: Placed, Amount: amount}, {Kind: Paid, Amount: amount}}
}

// The rule of the package: a rebuild starts from the newest snapshot and
// replays exactly the events after it, and gives what a full replay of
// the history gives. Checked after every append of random batches over a
// few orders, for several intervals.
func TestRebuildReplaysExactlyTheEventsAfterTheNewestSnapshot(t *testing.T) {
	for _, every := range []int{0, 1, 3, 10, 64} {
		rng := rand.New(rand.NewPCG(uint64(every), 1))
		s := New(Settings{SnapshotEvery: every})
		history := map[uint64][]Event{}
		for i := 0; i < 2000; i++ {
			id := rng.Uint64N(5)
			batch := make([]Event, 1+rng.IntN(3))
			for k := range batch {
				batch[k] = Event{Kind: Kind(1 + rng.IntN(2)), Amount: rng.Int64N(10_000)}
			}
			a := s.Append(id, batch...)
			history[id] = append(history[id], batch...)
			h := history[id]
			if a.Version != uint64(len(h)) {
				t.Fatalf("every=%d: append %d: version %d, want %d", every, i, a.Version, len(h))
			}

			snap, tail := s.Tail(id)
			if !slices.Equal(tail, h[snap.Version:]) {
				t.Fatalf("every=%d: append %d: the events after the snapshot at v%d are %v, want %v", every, i, snap.Version, tail, h[snap.Version:])
			}
			if want := Replay(Order{ID: id}, h[:snap.Version]); snap != want {
				t.Fatalf("every=%d: snapshot %+v, want the fold of the first %d events %+v", every, snap, snap.Version, want)
			}
			got, rb := s.Load(id)
			if want := Replay(Order{ID: id}, h); got != want {
				t.Fatalf("every=%d: append %d: rebuilt %+v, a full replay gives %+v", every, i, got, want)
			}
			if rb.From != snap.Version || rb.Replayed != len(h)-int(snap.Version) {
				t.Fatalf("every=%d: rebuild %+v, want from v%d replaying %d", every, rb, snap.Version, len(h)-int(snap.Version))
			}
			if every > 0 && rb.Replayed >= every {
				t.Fatalf("every=%d: a rebuild replayed %d events, want fewer than the interval", every, rb.Replayed)
			}
			if every == 0 && rb.From != 0 {
				t.Fatalf("no snapshots, yet a rebuild started at v%d", rb.From)
			}
		}
		st := s.Stats()
		var sum uint64
		for _, h := range history {
			sum += uint64(len(h))
		}
		if st.Appended != sum || st.History != sum || st.Orders != len(history) {
			t.Errorf("every=%d: stats %+v, want %d appended in %d orders", every, st, sum, len(history))
		}
		if st.Rebuilds != 2000 {
			t.Errorf("every=%d: %d rebuilds counted, want 2000", every, st.Rebuilds)
		}
	}
}

// An order never appended to rebuilds as the empty order, replaying
// nothing, and is not created by the Load.
func TestLoadOfUnknownOrder(t *testing.T) {
	s := New(Settings{SnapshotEvery: 4})
	o, rb := s.Load(42)
	if o != (Order{ID: 42}) || rb != (Rebuild{}) {
		t.Errorf("Load(42) = %+v, %+v; want the empty order", o, rb)
	}
	if st := s.Stats(); st.Orders != 0 || st.Rebuilds != 1 {
		t.Errorf("stats after a Load of nothing: %+v", st)
	}
}

// Under steady appends of two events, snapshots every N make a rebuild
// replay 0, 2, …, N-2 events in turn: N/2-1 on average.
func TestSteadyAppendsReplayHalfTheInterval(t *testing.T) {
	for _, tc := range []struct {
		every int
		mean  float64
		max   int
	}{{10, 4, 8}, {50, 24, 48}, {7, 3, 6}} {
		s := New(Settings{SnapshotEvery: tc.every})
		var sum, peak int
		const n = 1000
		for i := range n {
			_, rb := s.Load(1)
			sum += rb.Replayed
			peak = max(peak, rb.Replayed)
			s.Append(1, checkout(int64(i))...)
		}
		if mean := float64(sum) / n; mean < tc.mean-0.1 || mean > tc.mean+0.1 || peak != tc.max {
			t.Errorf("every=%d: replayed %.2f on average and %d at most, want %g and %d", tc.every, mean, peak, tc.mean, tc.max)
		}
	}
}

// Changing the interval applies at each order's next append; turning
// snapshots off keeps the snapshot there is, and the history grows after it.
func TestSnapshotIntervalChanges(t *testing.T) {
	s := New(Settings{SnapshotEvery: 10})
	for i := range 6 { // v12: a snapshot at v10, 2 after it
		s.Append(1, checkout(int64(i))...)
	}
	if _, rb := s.Load(1); rb.From != 10 || rb.Replayed != 2 {
		t.Fatalf("every=10 after 12 events: %+v, want from v10 replaying 2", rb)
	}

	s.SetSnapshotEvery(0)
	for i := range 20 {
		if a := s.Append(1, checkout(int64(i))...); a.Snapshot {
			t.Fatalf("snapshots off, yet append %d took one", i)
		}
	}
	if _, rb := s.Load(1); rb.From != 10 || rb.Replayed != 42 {
		t.Fatalf("off: %+v, want from the old snapshot at v10 replaying 42", rb)
	}
	if st := s.Stats(); st.SnapshotEvery != 0 || st.Kept != 42 {
		t.Errorf("off: stats %+v", st)
	}

	s.SetSnapshotEvery(4) // 42 already gathered: the next append folds them
	if _, rb := s.Load(1); rb.Replayed != 42 {
		t.Fatalf("a new interval changes nothing before the next append: %+v", rb)
	}
	if a := s.Append(1, checkout(1)...); !a.Snapshot || a.Version != 54 {
		t.Fatalf("the next append: %+v, want a snapshot at v54", a)
	}
	if _, rb := s.Load(1); rb.From != 54 || rb.Replayed != 0 {
		t.Fatalf("after it: %+v, want from v54 replaying nothing", rb)
	}
	s.Append(1, checkout(2)...)
	if a := s.Append(1, checkout(3)...); !a.Snapshot {
		t.Fatalf("every=4: the second checkout after a snapshot should take one: %+v", a)
	}
}

// Compaction: with snapshots every N, an order holds fewer than N events
// plus one append, however long its history.
func TestCompactionKeepsMemoryBounded(t *testing.T) {
	const every, orders = 20, 50
	s := New(Settings{SnapshotEvery: every})
	rng := rand.New(rand.NewPCG(3, 3))
	for i := 0; i < 100_000; i++ {
		s.Append(rng.Uint64N(orders), checkout(1)...)
		if st := s.Stats(); st.Kept > orders*(every-1) {
			t.Fatalf("append %d: %d events held, want at most %d", i, st.Kept, orders*(every-1))
		}
	}
	st := s.Stats()
	if st.Appended != 200_000 || st.History != 200_000 || st.Archived != 0 {
		t.Errorf("stats %+v: want 200000 events appended, none archived", st)
	}
	if st.Snapshots < 200_000/every-orders {
		t.Errorf("%d snapshots, want about %d", st.Snapshots, 200_000/every)
	}
}

// The cap: without snapshots, past MaxEvents the store archives the orders
// appended to least recently; an archived order starts again from nothing.
func TestCapArchivesLeastRecentlyAppended(t *testing.T) {
	s := New(Settings{MaxEvents: 10})
	s.Append(1, checkout(1)...)
	s.Append(2, checkout(2)...)
	s.Append(3, checkout(3)...)
	s.Append(1, checkout(4)...) // 1 is now the most recent; 2 the least
	if a := s.Append(4, checkout(5)...); a.Archived != 0 {
		t.Fatalf("10 events held, the cap: nothing to archive yet, got %+v", a)
	}
	a := s.Append(3, checkout(6)...)
	if a.Archived != 1 {
		t.Fatalf("12 events held: want one order archived, got %+v", a)
	}
	if _, events := s.Tail(2); events != nil {
		t.Errorf("order 2, appended to least recently, still holds %v", events)
	}
	st := s.Stats()
	if st.Kept != 10 || st.Orders != 3 || st.Archived != 1 || st.History != 10 || st.Appended != 12 {
		t.Errorf("after archiving: %+v", st)
	}
	if a := s.Append(2, checkout(7)...); a.Version != 2 {
		t.Errorf("an archived order appended to again: %+v, want a new order at v2", a)
	}
}

// An order that alone holds more than the cap is snapshotted, snapshots
// off or not: memory stays bounded and the rebuild stays right.
func TestCapSnapshotsAnOrderTooLongAlone(t *testing.T) {
	s := New(Settings{MaxEvents: 9})
	var h []Event
	for i := range 10 {
		a := s.Append(7, checkout(int64(i))...)
		h = append(h, checkout(int64(i))...)
		if st := s.Stats(); st.Kept > 9 {
			t.Fatalf("append %d: %d events held over a cap of 9", i, st.Kept)
		}
		if i == 4 && !a.Snapshot {
			t.Errorf("the 10th event should have made the order snapshot: %+v", a)
		}
	}
	if o, _ := s.Load(7); o != Replay(Order{ID: 7}, h) {
		t.Errorf("rebuilt %+v, want %+v", o, Replay(Order{ID: 7}, h))
	}
}

// Longest follows the order with the most history, across archiving.
func TestLongest(t *testing.T) {
	s := New(Settings{SnapshotEvery: 4, MaxEvents: 5})
	if st := s.Stats(); st.Longest != (Stream{}) {
		t.Errorf("empty store's longest: %+v", st.Longest)
	}
	for range 3 {
		s.Append(5, checkout(1)...)
	}
	s.Append(6, checkout(1)...)
	if l := s.Stats().Longest; l != (Stream{ID: 5, Version: 6, Snapshot: 4, Kept: 2}) {
		t.Errorf("longest %+v, want order 5 at v6 with a snapshot at v4", l)
	}
	s.Append(8, Event{Kind: Placed, Amount: 1}) // 5 events held: the cap
	s.Append(6, Event{Kind: Placed, Amount: 1}) // 6: order 5, least recently appended to, goes
	st := s.Stats()
	if st.Archived != 1 || st.Orders != 2 || st.Kept != 4 || st.Longest != (Stream{ID: 6, Version: 3, Kept: 3}) {
		t.Errorf("after archiving order 5: %+v, want order 6 at v3 the longest", st)
	}
}

func TestKindString(t *testing.T) {
	for k, want := range map[Kind]string{Placed: "placed", Paid: "paid", 9: "kind(9)"} {
		if got := k.String(); got != want {
			t.Errorf("Kind(%d) = %q, want %q", k, got, want)
		}
	}
}
