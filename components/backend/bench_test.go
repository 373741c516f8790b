package backend

import "testing"

// BenchmarkDoZeroService measures the cost of one round trip through the
// accept queue and a worker, with no service time: admission, two goroutine
// hand-offs and the pooled reply channel.
func BenchmarkDoZeroService(b *testing.B) {
	be := New(Settings{Workers: 4, QueueSize: 64})
	defer be.Stop()
	b.ReportAllocs()
	for b.Loop() {
		if r := be.Do(Request{}); r.Err != nil {
			b.Fatal(r.Err)
		}
	}
}

// BenchmarkDoZeroServiceParallel is the same from GOMAXPROCS callers at once,
// contending for the one queue lock.
func BenchmarkDoZeroServiceParallel(b *testing.B) {
	be := New(Settings{Workers: 4, QueueSize: 1024})
	defer be.Stop()
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if r := be.Do(Request{}); r.Err != nil {
				b.Error(r.Err)
				return
			}
		}
	})
}
