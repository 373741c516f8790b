package cache

import (
	"math/rand/v2"
	"testing"
	"time"

	hlru "github.com/hashicorp/golang-lru/v2"
	"github.com/hashicorp/golang-lru/v2/simplelru"
)

// Comparative benchmarks: the same key tapes against our LRUs and Cache and
// hashicorp/golang-lru's simplelru.LRU (unlocked) and lru.Cache (locked).
//
//	go test -run '^$' -bench . -benchmem ./components/cache/

const (
	benchCap  = 8192
	benchTape = 1 << 16 // power of two: index with i & (benchTape-1)
)

type benchOp struct {
	key int
	get bool
}

// tapes: hit keys are all cached; mixed is 90% Get / 10% Add over a Zipf
// (s=1.1) spread of 4×capacity keys. Its Adds touch fewer distinct keys than
// the capacity, so Mixed90 sees hits, misses and updates but no evictions.
// ReadAside reads the same keys the way ReadAside does — Get, and Add on a
// miss — which settles at about 89% hits with 11% of operations evicting.
var hitTape, mixedTape = func() ([]int, []benchOp) {
	r := rand.New(rand.NewPCG(42, 7))
	hits := make([]int, benchTape)
	for i := range hits {
		hits[i] = r.IntN(benchCap)
	}
	z := rand.NewZipf(r, 1.1, 1, 4*benchCap-1)
	mixed := make([]benchOp, benchTape)
	for i := range mixed {
		mixed[i] = benchOp{int(z.Uint64()), r.IntN(10) != 0}
	}
	return hits, mixed
}()

// BenchmarkLRU compares the bare, unlocked LRUs: the plain one a learner
// reads (lru.go, container/list), the arena (lru_arena.go) and golang-lru's
// simplelru. Each implementation gets its own loop, written out, so that no
// interface call sits between the benchmark and the code it measures.
func BenchmarkLRU(b *testing.B) {
	var never time.Time
	b.Run("GetHit/plain", func(b *testing.B) {
		l := NewLRU[int, int](benchCap, nil)
		for k := range benchCap {
			l.Add(k, k, never)
		}
		b.ReportAllocs()
		i := 0
		for b.Loop() {
			l.Get(hitTape[i&(benchTape-1)])
			i++
		}
	})
	b.Run("GetHit/arena", func(b *testing.B) {
		l := newArenaLRU[int, int](benchCap, nil)
		for k := range benchCap {
			l.Add(k, k, never)
		}
		b.ReportAllocs()
		i := 0
		for b.Loop() {
			l.Get(hitTape[i&(benchTape-1)])
			i++
		}
	})
	b.Run("GetHit/golang-lru", func(b *testing.B) {
		l, _ := simplelru.NewLRU[int, int](benchCap, nil)
		for k := range benchCap {
			l.Add(k, k)
		}
		b.ReportAllocs()
		i := 0
		for b.Loop() {
			l.Get(hitTape[i&(benchTape-1)])
			i++
		}
	})
	b.Run("AddEvict/plain", func(b *testing.B) {
		l := NewLRU[int, int](benchCap, nil)
		for k := range benchCap {
			l.Add(-k-1, k, never)
		}
		b.ReportAllocs()
		i := 0
		for b.Loop() {
			l.Add(i, i, never)
			i++
		}
	})
	b.Run("AddEvict/arena", func(b *testing.B) {
		l := newArenaLRU[int, int](benchCap, nil)
		for k := range benchCap {
			l.Add(-k-1, k, never)
		}
		b.ReportAllocs()
		i := 0
		for b.Loop() {
			l.Add(i, i, never)
			i++
		}
	})
	b.Run("AddEvict/golang-lru", func(b *testing.B) {
		l, _ := simplelru.NewLRU[int, int](benchCap, nil)
		for k := range benchCap {
			l.Add(-k-1, k)
		}
		b.ReportAllocs()
		i := 0
		for b.Loop() {
			l.Add(i, i)
			i++
		}
	})
	b.Run("Mixed90/plain", func(b *testing.B) {
		l := NewLRU[int, int](benchCap, nil)
		b.ReportAllocs()
		i := 0
		for b.Loop() {
			op := mixedTape[i&(benchTape-1)]
			if op.get {
				l.Get(op.key)
			} else {
				l.Add(op.key, i, never)
			}
			i++
		}
	})
	b.Run("Mixed90/arena", func(b *testing.B) {
		l := newArenaLRU[int, int](benchCap, nil)
		b.ReportAllocs()
		i := 0
		for b.Loop() {
			op := mixedTape[i&(benchTape-1)]
			if op.get {
				l.Get(op.key)
			} else {
				l.Add(op.key, i, never)
			}
			i++
		}
	})
	b.Run("Mixed90/golang-lru", func(b *testing.B) {
		l, _ := simplelru.NewLRU[int, int](benchCap, nil)
		b.ReportAllocs()
		i := 0
		for b.Loop() {
			op := mixedTape[i&(benchTape-1)]
			if op.get {
				l.Get(op.key)
			} else {
				l.Add(op.key, i)
			}
			i++
		}
	})
	b.Run("ReadAside/plain", func(b *testing.B) {
		l := NewLRU[int, int](benchCap, nil)
		b.ReportAllocs()
		i := 0
		for b.Loop() {
			k := mixedTape[i&(benchTape-1)].key
			if _, ok := l.Get(k); !ok {
				l.Add(k, k, never)
			}
			i++
		}
	})
	b.Run("ReadAside/arena", func(b *testing.B) {
		l := newArenaLRU[int, int](benchCap, nil)
		b.ReportAllocs()
		i := 0
		for b.Loop() {
			k := mixedTape[i&(benchTape-1)].key
			if _, ok := l.Get(k); !ok {
				l.Add(k, k, never)
			}
			i++
		}
	})
	b.Run("ReadAside/golang-lru", func(b *testing.B) {
		l, _ := simplelru.NewLRU[int, int](benchCap, nil)
		b.ReportAllocs()
		i := 0
		for b.Loop() {
			k := mixedTape[i&(benchTape-1)].key
			if _, ok := l.Get(k); !ok {
				l.Add(k, k)
			}
			i++
		}
	})
}

func BenchmarkCache(b *testing.B) {
	for _, ttl := range []time.Duration{0, time.Hour} {
		name := "scalelab"
		if ttl > 0 {
			name = "scalelab-ttl"
		}
		b.Run("GetHit/"+name, func(b *testing.B) {
			c := New[int, int](Settings{Capacity: benchCap, TTL: ttl})
			for k := range benchCap {
				c.Set(k, k)
			}
			b.ReportAllocs()
			i := 0
			for b.Loop() {
				c.Get(hitTape[i&(benchTape-1)])
				i++
			}
		})
		b.Run("SetEvict/"+name, func(b *testing.B) {
			c := New[int, int](Settings{Capacity: benchCap, TTL: ttl})
			for k := range benchCap {
				c.Set(-k-1, k)
			}
			b.ReportAllocs()
			i := 0
			for b.Loop() {
				c.Set(i, i)
				i++
			}
		})
		b.Run("Mixed90/"+name, func(b *testing.B) {
			c := New[int, int](Settings{Capacity: benchCap, TTL: ttl})
			b.ReportAllocs()
			i := 0
			for b.Loop() {
				op := mixedTape[i&(benchTape-1)]
				if op.get {
					c.Get(op.key)
				} else {
					c.Set(op.key, i)
				}
				i++
			}
		})
		b.Run("ReadAside/"+name, func(b *testing.B) {
			c := New[int, int](Settings{Capacity: benchCap, TTL: ttl})
			load := func(k int) (int, error) { return k, nil }
			b.ReportAllocs()
			i := 0
			for b.Loop() {
				c.ReadAside(mixedTape[i&(benchTape-1)].key, load)
				i++
			}
		})
	}
	b.Run("GetHit/golang-lru", func(b *testing.B) {
		c, _ := hlru.New[int, int](benchCap)
		for k := range benchCap {
			c.Add(k, k)
		}
		b.ReportAllocs()
		i := 0
		for b.Loop() {
			c.Get(hitTape[i&(benchTape-1)])
			i++
		}
	})
	b.Run("SetEvict/golang-lru", func(b *testing.B) {
		c, _ := hlru.New[int, int](benchCap)
		for k := range benchCap {
			c.Add(-k-1, k)
		}
		b.ReportAllocs()
		i := 0
		for b.Loop() {
			c.Add(i, i)
			i++
		}
	})
	b.Run("Mixed90/golang-lru", func(b *testing.B) {
		c, _ := hlru.New[int, int](benchCap)
		b.ReportAllocs()
		i := 0
		for b.Loop() {
			op := mixedTape[i&(benchTape-1)]
			if op.get {
				c.Get(op.key)
			} else {
				c.Add(op.key, i)
			}
			i++
		}
	})
	b.Run("ReadAside/golang-lru", func(b *testing.B) {
		c, _ := hlru.New[int, int](benchCap)
		b.ReportAllocs()
		i := 0
		for b.Loop() {
			k := mixedTape[i&(benchTape-1)].key
			if _, ok := c.Get(k); !ok {
				c.Add(k, k)
			}
			i++
		}
	})
}

// BenchmarkCacheParallel: many goroutines on one lock, as the lab's web
// workers share one cache.
func BenchmarkCacheParallel(b *testing.B) {
	b.Run("Mixed90/scalelab", func(b *testing.B) {
		c := New[int, int](Settings{Capacity: benchCap})
		b.ReportAllocs()
		b.RunParallel(func(pb *testing.PB) {
			i := rand.IntN(benchTape)
			for pb.Next() {
				op := mixedTape[i&(benchTape-1)]
				if op.get {
					c.Get(op.key)
				} else {
					c.Set(op.key, i)
				}
				i++
			}
		})
	})
	b.Run("Mixed90/golang-lru", func(b *testing.B) {
		c, _ := hlru.New[int, int](benchCap)
		b.ReportAllocs()
		b.RunParallel(func(pb *testing.PB) {
			i := rand.IntN(benchTape)
			for pb.Next() {
				op := mixedTape[i&(benchTape-1)]
				if op.get {
					c.Get(op.key)
				} else {
					c.Add(op.key, i)
				}
				i++
			}
		})
	})
}

func BenchmarkWriteBehindEnqueue(b *testing.B) {
	wb := NewWriteBehind(BehindSettings{QueueSize: benchTape}, func(int, int) error { return nil })
	defer wb.Stop()
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		wb.Enqueue(i, i)
		i++
	}
}
