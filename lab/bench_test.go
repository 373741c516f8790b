package lab

import "testing"

// BenchmarkShopZeroService drives the shop topology with zero service time
// through closed-loop clients; ns/op is wall time per request with both
// cores busy, the inverse of `scalelab bench`'s requests/s.
func BenchmarkShopZeroService(b *testing.B) {
	l, err := New(Config{Preset: BenchPreset(), Seed: 1})
	if err != nil {
		b.Fatal(err)
	}
	defer l.Stop()
	l.pace.fixSlack(0) // as scalelab bench: the engine's own cost
	b.ReportAllocs()
	b.SetParallelism(32) // closed-loop clients per GOMAXPROCS
	b.RunParallel(func(pb *testing.PB) {
		done := make(chan struct{}, 1)
		var key uint64
		for pb.Next() {
			key = (key*2862933555777941757 + 3037000493) % uint64(l.preset.Keys)
			write := key%10 == 0
			l.issueNotify(key, key, write, write && key%50 == 0, l.clock.Now(), done)
			<-done
		}
	})
	b.StopTimer()
	if n := l.m.requests.Load(); n == 0 {
		b.Fatal("no requests completed")
	}
}
