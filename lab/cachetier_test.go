package lab

import (
	"container/list"
	"math"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"
)

// cacheLab is the shop with reads only (no invalidations) and no
// payments: what a read finds in the cache depends on the tier alone.
func cacheLab(t *testing.T, edit func(*Preset)) *Lab { return cacheLabAt(t, 1, edit) }

// cacheLabAt is cacheLab with its clock at speed.
func cacheLabAt(t *testing.T, speed float64, edit func(*Preset)) *Lab {
	return newLab(t, "shop", speed, func(p *Preset) {
		p.Payments, p.Orders = nil, nil
		if edit != nil {
			edit(p)
		}
	})
}

// Adding a fourth node to three moves about a quarter of the keys on a
// hash ring (the new node's share, 1/(N+1)) and about three quarters with
// mod-N placement (a key stays only if h mod 3 = h mod 4: 3 of every 12).
func TestCacheNodesRemapAsTheirPlacementSays(t *testing.T) {
	for _, tc := range []struct {
		hash     string
		want     float64
		tolerate float64
	}{{"ring", 0.25, 0.06}, {"mod", 0.75, 0.02}} {
		t.Run(tc.hash, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				l := cacheLab(t, nil)
				mustExec(t, l, "cache tier distributed nodes=3 hash="+tc.hash)
				if n := value(t, l, "cache.nodes"); n != 3 {
					t.Fatalf("cache.nodes %v after nodes=3", n)
				}
				mustExec(t, l, "cache nodes 4")
				got := value(t, l, "cache.moved_keys") / float64(l.preset.Keys)
				t.Logf("%s: adding a 4th node to 3 moved %.3f of the keys", tc.hash, got)
				if math.Abs(got-tc.want) > tc.tolerate {
					t.Errorf("%s: adding a 4th node moved %.3f of the keys, want about %.2f", tc.hash, got, tc.want)
				}
				// Losing the newest node moves back exactly what adding it moved.
				moved := value(t, l, "cache.moved_keys")
				mustExec(t, l, "cache nodes 3")
				if back := value(t, l, "cache.moved_keys"); back != moved {
					t.Errorf("%s: removing the node moved %v keys, adding it %v", tc.hash, back, moved)
				}
			})
		})
	}
}

// A dead node's keys miss (and are read from the database) until it is
// back; the other nodes keep hitting.
func TestDeadCacheNodeMisses(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		l := cacheLab(t, nil)
		mustExec(t, l, "cache tier distributed nodes=3", "load 400/s zipf=1.1 reads=100%", "wait 10s", "kill cache-2", "wait 6s")
		if h := value(t, l, "cache.hit_ratio{node=cache-2}"); h != 0 {
			t.Errorf("cache-2 is dead but hits %.3f of its reads", h)
		}
		if h := value(t, l, "cache.hit_ratio{node=cache-1}"); h < 0.3 {
			t.Errorf("cache-1 hits %.3f with cache-2 dead; want it unaffected", h)
		}
		if e := value(t, l, "errors.ratio"); e > 0 {
			t.Errorf("errors %.3f: a dead cache node is a miss, not a failure", e)
		}
		if n := value(t, l, "cache.size{node=cache-2}"); n != 0 {
			t.Errorf("a dead cache node holds %v entries; its memory went with it", n)
		}
		mustExec(t, l, "revive cache-2", "wait 6s")
		if h := value(t, l, "cache.hit_ratio{node=cache-2}"); h < 0.2 {
			t.Errorf("cache-2 back for 6 s hits only %.3f", h)
		}
	})
}

// Concurrent misses of a key share one read: real goroutines wait on one
// fetch. Without coalescing each reads for itself.
func TestFetchCoalescesConcurrentMisses(t *testing.T) {
	for _, on := range []bool{true, false} {
		synctest.Test(t, func(t *testing.T) {
			ct := &cacheTier{flying: map[uint64]*flight{}}
			ct.coalesc.Store(on)
			var reads, shared atomic.Int64
			at := time.Now()
			read := func() (time.Time, time.Time, uint64, error) {
				reads.Add(1)
				time.Sleep(50 * time.Millisecond) // the database, slow
				return at, at.Add(50 * time.Millisecond), 42, nil
			}
			var wg sync.WaitGroup
			for range 10 {
				wg.Go(func() {
					_, end, v, err, co := ct.fetch(7, at, read)
					if v != 42 || err != nil || !end.Equal(at.Add(50*time.Millisecond)) {
						t.Errorf("fetch returned %d, %v, ending %v; want the one read's answer", v, err, end.Sub(at))
					}
					if co {
						shared.Add(1)
					}
				})
				synctest.Wait() // each is in flight before the next misses
			}
			wg.Wait()
			want := int64(10)
			if on {
				want = 1
			}
			if reads.Load() != want || shared.Load() != 10-want {
				t.Errorf("coalescing %v: %d reads, %d shared; want %d reads", on, reads.Load(), shared.Load(), want)
			}
			if len(ct.flying) != 0 {
				t.Errorf("%d fetches left in flight", len(ct.flying))
			}
		})
	}
}

// The stampede: a hot key expires under a slow database and every read
// arriving during the refill reads the database too. Coalesced, each
// expiry costs exactly one database read, at normal speed and at 20x.
func TestCoalescingMakesOneDatabaseReadPerExpiry(t *testing.T) {
	for _, run := range []struct {
		on    bool
		speed float64
	}{{false, 1}, {true, 1}, {false, 20}, {true, 20}} {
		on := run.on
		synctest.Test(t, func(t *testing.T) {
			l := cacheLabAt(t, run.speed, func(p *Preset) {
				p.Keys = 1
				p.DB.Service = "const:50ms"
				p.Queue = nil
			})
			mustExec(t, l, "cache ttl 1s", "load 200/s reads=100%")
			if on {
				mustExec(t, l, "cache coalesce on")
			}
			mustExec(t, l, "wait 3s")
			r0, e0 := l.m.dbReads.Load(), l.ctier.total().Expirations
			mustExec(t, l, "wait 20s")
			reads, expiries := l.m.dbReads.Load()-r0, l.ctier.total().Expirations-e0
			t.Logf("coalescing %v at %gx: %d database reads for %d expiries", on, run.speed, reads, expiries)
			if expiries < 15 {
				t.Fatalf("%d expiries in 20 s with a 1 s TTL", expiries)
			}
			if on && reads != expiries {
				t.Errorf("coalesced: %d database reads for %d expiries; want one each", reads, expiries)
			}
			// The first miss and every read arriving during its 50 ms
			// refill, at 200/s: 1 + 200 × 0.05 = 11 reads per expiry.
			if per := float64(reads) / float64(expiries); !on && math.Abs(per-11) > 2 {
				t.Errorf("not coalesced: %.1f database reads per expiry; the model says 11", per)
			}
		})
	}
}

// A CDN hit never reaches the balancer: every request either was answered
// at the edge or was picked by the balancer, and the web servers served
// exactly the latter (health checks are off: their probes are served too).
func TestCDNHitsNeverReachTheBalancer(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		l := cacheLab(t, nil)
		mustExec(t, l, "health off", "cdn on size=500 ttl=5s latency=2ms", "load 300/s zipf=1.1 reads=90%", "wait 20s", "load off", "wait 2s")
		hits, balanced, arrivals := l.m.cdnHits.Load(), l.m.balanced.Load(), l.m.arrivals.Load()
		if hits == 0 || hits+balanced != arrivals {
			t.Errorf("cdn hits %d + balanced %d != arrivals %d", hits, balanced, arrivals)
		}
		var served uint64
		for _, w := range l.webNames() {
			served += l.server(w).b.Stats().Completed
		}
		if served != balanced {
			t.Errorf("web servers served %d requests, the balancer routed %d", served, balanced)
		}
		if r := float64(hits) / float64(arrivals); r < 0.3 {
			t.Errorf("the edge answered %.2f of the requests; a 500-entry edge over zipf keys should take more", r)
		}
	})
}

// Writes do not reach the edge: it serves the old version until the TTL,
// and cdn purge empties it.
func TestCDNServesStaleUntilTTL(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		l := cacheLab(t, func(p *Preset) { p.Keys = 100 })
		mustExec(t, l, "cdn on ttl=10s", "load 300/s uniform reads=80%", "wait 12s")
		long := value(t, l, "cdn.stale_ratio")
		mustExec(t, l, "cdn on ttl=200ms", "cdn purge", "wait 12s")
		short := value(t, l, "cdn.stale_ratio")
		t.Logf("cdn.stale_ratio %.3f with a 10 s TTL, %.3f with 200 ms", long, short)
		if !(long > 0.3 && short < long/3) {
			t.Errorf("cdn.stale_ratio %.3f with a 10 s TTL, %.3f with 200 ms; want many stale answers with the long TTL and few with the short", long, short)
		}
	})
}

// Local caches under round-robin each see every key: three LRUs of 333 hit
// like one LRU of 333, less than one global LRU of 1000. Under key-affine
// routing (hash) each sees a third of the keys and the three together hit
// like the global one. The lab's measured hit ratios match a reference LRU
// simulation of the same key stream.
func TestLocalAndGlobalCachesHitAsAReferenceLRU(t *testing.T) {
	const n = 200_000
	keys := make([]uint64, n)
	z := rand.NewZipf(rand.New(rand.NewPCG(3, 3)), 1.1, 1, 9999)
	for i := range keys {
		keys[i] = z.Uint64()
	}
	global := refHitRatio(keys, 1000, func(int, uint64) int { return 0 })
	roundRobin := refHitRatio(keys, 333, func(i int, _ uint64) int { return i % 3 })
	var byKey func(int, uint64) int // set from the lab's hash balancer below
	cases := []struct {
		tier, balancer string
		want           *float64
	}{
		{"global", "round-robin", &global},
		{"local", "round-robin", &roundRobin},
		{"local", "hash", nil},
	}
	for _, tc := range cases {
		t.Run(tc.tier+"/"+tc.balancer, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				l := cacheLab(t, nil)
				mustExec(t, l, "cache tier "+tc.tier, "balancer "+tc.balancer)
				want := tc.want
				if want == nil {
					byKey = func(_ int, k uint64) int {
						i, _ := l.lb.Pick(k)
						l.lb.Done(i)
						return i
					}
					h := refHitRatio(keys, 333, byKey)
					want = &h
				}
				mustExec(t, l, "load 500/s zipf=1.1 reads=100%", "wait 40s")
				h0, m0 := l.m.hits.Load(), l.m.misses.Load()
				mustExec(t, l, "wait 60s")
				h, m := l.m.hits.Load()-h0, l.m.misses.Load()-m0
				got := float64(h) / float64(h+m)
				t.Logf("%s cache behind %s: hit ratio %.3f, the reference LRU %.3f", tc.tier, tc.balancer, got, *want)
				if math.Abs(got-*want) > 0.03 {
					t.Errorf("%s cache behind %s: hit ratio %.3f, the reference LRU %.3f", tc.tier, tc.balancer, got, *want)
				}
			})
		})
	}
	if !(roundRobin < global-0.1) {
		t.Errorf("reference: three LRUs of 333 under round-robin hit %.3f, one of 1000 %.3f; want clearly less", roundRobin, global)
	}
}

// refHitRatio plays keys through LRUs of size entries each, request i
// going to LRU route(i, key), warmed on the first fifth.
func refHitRatio(keys []uint64, size int, route func(i int, key uint64) int) float64 {
	type lru struct {
		order *list.List
		at    map[uint64]*list.Element
	}
	caches := map[int]*lru{}
	hits, total := 0, 0
	for i, k := range keys {
		c := caches[route(i, k)]
		if c == nil {
			c = &lru{order: list.New(), at: map[uint64]*list.Element{}}
			caches[route(i, k)] = c
		}
		e, ok := c.at[k]
		if ok {
			c.order.MoveToFront(e)
		} else {
			c.at[k] = c.order.PushFront(k)
			if c.order.Len() > size {
				delete(c.at, c.order.Remove(c.order.Back()).(uint64))
			}
		}
		if i >= len(keys)/5 {
			total++
			if ok {
				hits++
			}
		}
	}
	return float64(hits) / float64(total)
}

// A cache command the tier's shape does not allow changes nothing.
func TestCacheShapeErrorsChangeNothing(t *testing.T) {
	l := cacheLab(t, nil)
	for _, line := range []string{"cache nodes 3", "cache tier local nodes=2", "cdn off", "cdn purge"} {
		if err := l.Exec(line, SourceScript); err == nil {
			t.Errorf("%s: accepted", line)
		}
	}
	if v := value(t, l, "cache.tier"); v != float64(TierGlobal) {
		t.Errorf("cache.tier %v after refused commands; want global", v)
	}
	if _, ok := l.Value("cdn.hit_ratio"); ok || l.server("cache-1") != nil {
		t.Error("a refused command left a CDN edge or a cache node behind")
	}
}

// Reshaping the tier while snapshots are taken neither deadlocks nor
// races: a snapshot runs under the registry's lock, and a reshape
// registers the new nodes' series.
func TestReshapeWhileSnapshotting(t *testing.T) {
	l := newLab(t, "shop", 20, nil)
	mustExec(t, l, "load 300/s zipf=1.1")
	var wg sync.WaitGroup
	wg.Go(func() {
		for range 200 {
			l.Snapshot()
		}
	})
	wg.Go(func() {
		for i := range 40 {
			line := []string{"cache tier distributed nodes=3", "cache nodes 5 hash=mod", "cache tier local", "cache tier global"}[i%4]
			if err := l.Exec(line, SourceScript); err != nil {
				t.Errorf("%s: %v", line, err)
			}
		}
	})
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(30 * time.Second):
		panic("deadlock: snapshots and cache tier changes stuck on each other's locks")
	}
}
