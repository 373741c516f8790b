package cache

import (
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// fakeNow is a hand-moved clock for Settings.Now.
type fakeNow struct{ t time.Time }

func (f *fakeNow) Now() time.Time          { return f.t }
func (f *fakeNow) Advance(d time.Duration) { f.t = f.t.Add(d) }

func TestCacheStatsExact(t *testing.T) {
	clk := &fakeNow{t: time.Unix(0, 0)}
	c := New[string, int](Settings{Capacity: 2, TTL: 10 * time.Second, Now: clk.Now})
	type step struct {
		op   string // get, set, del, advance, resize
		key  string
		arg  int
		want Stats
	}
	s := func(h, m, ev, ex, inv uint64, size, capacity int) Stats {
		return Stats{h, m, ev, ex, inv, size, capacity, 10 * time.Second}
	}
	steps := []step{
		{"get", "a", 0, s(0, 1, 0, 0, 0, 0, 2)},
		{"set", "a", 1, s(0, 1, 0, 0, 0, 1, 2)},
		{"get", "a", 0, s(1, 1, 0, 0, 0, 1, 2)},
		{"set", "b", 2, s(1, 1, 0, 0, 0, 2, 2)},
		{"set", "c", 3, s(1, 1, 1, 0, 0, 2, 2)}, // evicts a
		{"get", "a", 0, s(1, 2, 1, 0, 0, 2, 2)},
		{"set", "b", 20, s(1, 2, 1, 0, 0, 2, 2)}, // update, refreshes b's TTL
		{"advance", "", 5, s(1, 2, 1, 0, 0, 2, 2)},
		{"set", "b", 21, s(1, 2, 1, 0, 0, 2, 2)}, // b now expires at 15s, c at 10s
		{"advance", "", 5, s(1, 2, 1, 0, 0, 2, 2)},
		{"get", "c", 0, s(1, 3, 1, 1, 0, 1, 2)}, // expired exactly at 10s
		{"get", "b", 0, s(2, 3, 1, 1, 0, 1, 2)},
		{"del", "b", 0, s(2, 3, 1, 1, 1, 0, 2)},
		{"del", "b", 0, s(2, 3, 1, 1, 1, 0, 2)}, // absent: not counted
		{"set", "x", 0, s(2, 3, 1, 1, 1, 1, 2)},
		{"set", "y", 0, s(2, 3, 1, 1, 1, 2, 2)},
		{"resize", "", 1, s(2, 3, 2, 1, 1, 1, 1)},
	}
	for i, st := range steps {
		switch st.op {
		case "get":
			c.Get(st.key)
		case "set":
			c.Set(st.key, st.arg)
		case "del":
			c.Delete(st.key)
		case "advance":
			clk.Advance(time.Duration(st.arg) * time.Second)
		case "resize":
			c.Resize(st.arg)
		}
		if got := c.Stats(); got != st.want {
			t.Fatalf("step %d (%s %s): stats\n got %+v\nwant %+v", i, st.op, st.key, got, st.want)
		}
	}
	if got := c.Stats().HitRatio(); got != 0.4 {
		t.Fatalf("HitRatio = %v, want 0.4", got)
	}
	c.Purge()
	if got, want := c.Stats(), s(2, 3, 2, 1, 1, 0, 1); got != want {
		t.Fatalf("after Purge: %+v, want %+v", got, want)
	}
}

func TestHitRatioNone(t *testing.T) {
	if r := (Stats{}).HitRatio(); r != 0 {
		t.Fatalf("HitRatio of no reads = %v, want 0", r)
	}
}

func TestCacheDefaults(t *testing.T) {
	c := New[int, int](Settings{Capacity: -5, TTL: -time.Second})
	if s := c.Stats(); s.Capacity != DefaultCapacity || s.TTL != 0 {
		t.Fatalf("defaults: %+v", s)
	}
	if got := c.Resize(0); got != 0 || c.Stats().Capacity != 1 {
		t.Fatalf("Resize(0): evicted %d, capacity %d; want 0, 1", got, c.Stats().Capacity)
	}
}

// TestCacheTTLOnRealClock uses the default time.Now inside a synctest bubble.
func TestCacheTTLOnRealClock(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		c := New[string, string](Settings{TTL: time.Minute})
		c.Set("k", "v")
		time.Sleep(59 * time.Second)
		if _, ok := c.Get("k"); !ok {
			t.Fatal("expired before its TTL")
		}
		c.SetTTL(0) // only affects later Sets
		time.Sleep(time.Second)
		if _, ok := c.Get("k"); ok {
			t.Fatal("served after its TTL")
		}
		c.Set("k", "v2")
		time.Sleep(24 * time.Hour)
		if v, ok := c.Get("k"); !ok || v != "v2" {
			t.Fatal("entry set with TTL 0 expired")
		}
		if s := c.Stats(); s.Expirations != 1 || s.Hits != 2 || s.Misses != 1 {
			t.Fatalf("stats %+v", s)
		}
	})
}

func TestCacheEventsAfterUnlock(t *testing.T) {
	clk := &fakeNow{t: time.Unix(0, 0)}
	var got []string
	var c *Cache[int, int]
	c = New[int, int](Settings{Capacity: 3, TTL: time.Second, Now: clk.Now, OnEvent: func(e Event) {
		c.Stats() // would deadlock if called under the cache's lock
		got = append(got, fmt.Sprintf("%v %v", e.Reason, e.Key))
	}})
	for i := range 4 {
		c.Set(i, i) // 0 evicted
	}
	c.Delete(1)
	clk.Advance(time.Second)
	c.Get(2)
	c.Set(7, 7)
	c.Set(8, 8)
	c.Set(9, 9) // full again with 3, 7, 8: 9 evicts 3
	c.Resize(1) // evicts 7, 8
	c.Purge()   // no events
	want := []string{"evicted 0", "invalidated 1", "expired 2", "evicted 3", "evicted 7", "evicted 8"}
	if !slices.Equal(got, want) {
		t.Fatalf("events %q\nwant %q", got, want)
	}
}

func TestReasonString(t *testing.T) {
	for r, want := range map[Reason]string{Evicted: "evicted", Expired: "expired", Invalidated: "invalidated", 9: "Reason(9)"} {
		if r.String() != want {
			t.Errorf("%d.String() = %q, want %q", int(r), r.String(), want)
		}
	}
}

func TestCacheConcurrent(t *testing.T) {
	c := New[int, int](Settings{Capacity: 64, TTL: time.Hour})
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			for i := range 2000 {
				k := (i * (g + 1)) % 100
				if i%10 == 0 {
					c.Set(k, k)
				} else if v, ok := c.Get(k); ok && v != k {
					panic(fmt.Sprintf("Get(%d) = %d", k, v))
				}
				if i%500 == 0 {
					c.Delete(k)
					c.Stats()
				}
			}
		})
	}
	wg.Wait()
	s := c.Stats()
	if s.Hits+s.Misses != 8*1800 || s.Size > 64 {
		t.Fatalf("stats %+v: want %d reads, size <= 64", s, 8*1800)
	}
}

func TestReadAside(t *testing.T) {
	boom := errors.New("db down")
	for _, tc := range []struct {
		name      string
		cached    bool
		loadErr   error
		wantV     string
		wantHit   bool
		wantErr   error
		wantLoads int
		wantAfter bool // key cached afterwards
	}{
		{"hit", true, nil, "cached", true, nil, 0, true},
		{"miss loads and caches", false, nil, "loaded", false, nil, 1, true},
		{"load error caches nothing", false, boom, "", false, boom, 1, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := New[string, string](Settings{})
			if tc.cached {
				c.Set("k", "cached")
			}
			loads := 0
			load := func(k string) (string, error) {
				loads++
				if tc.loadErr != nil {
					return "partial", tc.loadErr
				}
				return "loaded", nil
			}
			v, hit, err := c.ReadAside("k", load)
			if v != tc.wantV || hit != tc.wantHit || !errors.Is(err, tc.wantErr) || loads != tc.wantLoads {
				t.Fatalf("ReadAside = %q, %v, %v with %d loads", v, hit, err, loads)
			}
			if _, ok := c.lru.Peek("k"); ok != tc.wantAfter {
				t.Fatalf("cached afterwards = %v, want %v", ok, tc.wantAfter)
			}
			if v, hit, _ := c.ReadAside("k", load); tc.wantAfter && (!hit || v != tc.wantV) {
				t.Fatalf("second read = %q, hit %v; want a hit", v, hit)
			}
		})
	}
	if _, _, err := New[int, int](Settings{}).ReadAside(1, nil); err == nil {
		t.Fatal("nil load: want an error")
	}
}
