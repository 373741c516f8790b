package eventstore

import (
	"fmt"
	"testing"
)

// BenchmarkAppend: one paid checkout (two events) at a time over 1000
// orders, snapshots every 100 events: the amortised cost of an append
// with its share of snapshots.
func BenchmarkAppend(b *testing.B) {
	s := New(Settings{SnapshotEvery: 100})
	ev := checkout(1000)
	b.ReportAllocs()
	i := uint64(0)
	for b.Loop() {
		s.Append(i%1000, ev...)
		i++
	}
}

// BenchmarkLoad: one rebuild of an order replaying n events after its
// snapshot — the cost a snapshot interval caps.
func BenchmarkLoad(b *testing.B) {
	for _, n := range []int{0, 50, 1000, 10_000} {
		b.Run(fmt.Sprintf("replay=%d", n), func(b *testing.B) {
			s := New(Settings{})
			for i := 0; i < n; i += 2 {
				s.Append(1, checkout(int64(i))...)
			}
			b.ReportAllocs()
			for b.Loop() {
				s.Load(1)
			}
		})
	}
}
