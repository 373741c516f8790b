package shard

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"sync"
	"testing"
)

const nKeys = 10000

func dbNames(n int) []string {
	s := make([]string, n)
	for i := range s {
		s[i] = fmt.Sprintf("db-%d", i+1)
	}
	return s
}

// filled returns a cluster over shards holding keys 0..nKeys-1 with value key*3.
func filled(s Strategy, shards ...string) *Cluster[uint64] {
	c := NewCluster[uint64](s, shards...)
	for k := range uint64(nKeys) {
		c.Put(k, k*3)
	}
	return c
}

// checkInvariant asserts every key 0..nKeys-1 is stored exactly once, in the
// shard Locate names, with its value, and that Stats agrees.
func checkInvariant(t *testing.T, c *Cluster[uint64]) {
	t.Helper()
	c.mu.RLock()
	seen := 0
	if len(c.shards) != len(c.names) {
		t.Errorf("%d shard maps for %d names", len(c.shards), len(c.names))
	}
	fresh := c.strategy.Build(c.names) // independent of c.locator, which Get checks below
	for _, n := range c.names {
		for k, v := range c.shards[n].data {
			seen++
			if owner := fresh.Locate(k); owner != n {
				t.Errorf("key %d stored on %s, but Locate says %s", k, n, owner)
			}
			if v != k*3 {
				t.Errorf("key %d has value %d, want %d", k, v, k*3)
			}
		}
	}
	c.mu.RUnlock()
	if seen != nKeys {
		t.Errorf("stored %d keys, want %d", seen, nKeys)
	}
	for k := range uint64(nKeys) {
		if v, sh, ok := c.Get(k); !ok || v != k*3 || sh != c.Locate(k) {
			t.Fatalf("Get(%d) = %d, %s, %v; want %d, %s, true", k, v, sh, ok, k*3, c.Locate(k))
		}
	}
	if st := c.Stats(); st.Keys != nKeys || c.Len() != nKeys {
		t.Errorf("Stats().Keys = %d, Len() = %d, want %d", st.Keys, c.Len(), nKeys)
	}
}

// ownerChanges counts keys 0..nKeys-1 whose owner differs between
// (from, before) and (to, after), independently of any Cluster.
func ownerChanges(from Strategy, before []string, to Strategy, after []string) int {
	a, b := from.Build(before), to.Build(after)
	n := 0
	for k := range uint64(nKeys) {
		if a.Locate(k) != b.Locate(k) {
			n++
		}
	}
	return n
}

func TestAddShardMoves(t *testing.T) {
	tests := []struct {
		strategy string
		min, max int // moved keys out of 10,000 going from 4 to 5 shards
	}{
		{"mod", 7000, 9000},   // ~N/(N+1) = 80%
		{"range", 5000, 5000}, // every boundary shifts: exactly half
		{"ring", 1000, 3000},  // ~1/(N+1) = 20%
	}
	for _, tt := range tests {
		t.Run(tt.strategy, func(t *testing.T) {
			s, _ := NewStrategy(tt.strategy, 100, nKeys)
			indep, _ := NewStrategy(tt.strategy, 100, nKeys)
			c := filled(s, dbNames(4)...)
			moved, err := c.AddShard("db-5")
			if err != nil {
				t.Fatal(err)
			}
			if want := ownerChanges(indep, dbNames(4), indep, dbNames(5)); moved != want {
				t.Errorf("moved = %d, independent count = %d", moved, want)
			}
			if moved < tt.min || moved > tt.max {
				t.Errorf("moved = %d (%.1f%%), want in [%d, %d]", moved, 100*float64(moved)/nKeys, tt.min, tt.max)
			}
			st := c.Stats()
			if st.LastMoved != moved || st.TotalMoved != uint64(moved) {
				t.Errorf("Stats LastMoved=%d TotalMoved=%d, want %d", st.LastMoved, st.TotalMoved, moved)
			}
			var in, out uint64
			for _, sh := range st.Shards {
				in, out = in+sh.MovedIn, out+sh.MovedOut
			}
			if in != uint64(moved) || out != uint64(moved) {
				t.Errorf("sum MovedIn=%d MovedOut=%d, want %d", in, out, moved)
			}
			if tt.strategy == "ring" && (st.Shards[4].Keys != moved || st.Shards[4].MovedIn != uint64(moved)) {
				t.Errorf("ring: new shard got %d keys (%d moved in), want all %d moved keys", st.Shards[4].Keys, st.Shards[4].MovedIn, moved)
			}
			checkInvariant(t, c)
		})
	}
}

func TestRemoveShardMoves(t *testing.T) {
	for _, name := range StrategyNames {
		for _, gone := range []string{"db-1", "db-3", "db-5"} {
			t.Run(name+"/"+gone, func(t *testing.T) {
				s, _ := NewStrategy(name, 100, nKeys)
				indep, _ := NewStrategy(name, 100, nKeys)
				c := filled(s, dbNames(5)...)
				onGone := 0
				for _, sh := range c.Stats().Shards {
					if sh.Name == gone {
						onGone = sh.Keys
					}
				}
				moved, err := c.RemoveShard(gone)
				if err != nil {
					t.Fatal(err)
				}
				after := slices.DeleteFunc(dbNames(5), func(n string) bool { return n == gone })
				if want := ownerChanges(indep, dbNames(5), indep, after); moved != want {
					t.Errorf("moved = %d, independent count = %d", moved, want)
				}
				if name == "ring" && moved != onGone {
					t.Errorf("ring moved %d keys, want exactly the %d on %s", moved, onGone, gone)
				}
				if moved < onGone {
					t.Errorf("moved %d < %d keys on the removed shard", moved, onGone)
				}
				if got := c.Names(); !slices.Equal(got, after) {
					t.Errorf("Names() = %v, want %v", got, after)
				}
				checkInvariant(t, c)
			})
		}
	}
}

func TestSetStrategyMoves(t *testing.T) {
	dbs := dbNames(4)
	for _, from := range StrategyNames {
		for _, to := range StrategyNames {
			t.Run(from+"->"+to, func(t *testing.T) {
				s1, _ := NewStrategy(from, 50, nKeys)
				s2, _ := NewStrategy(to, 50, nKeys)
				c := filled(s1, dbs...)
				want := ownerChanges(s1, dbs, s2, dbs)
				if moved := c.SetStrategy(s2); moved != want {
					t.Errorf("moved = %d, independent count = %d", moved, want)
				}
				if from == to && want != 0 {
					t.Errorf("same strategy moved %d keys", want)
				}
				if got := c.Stats().Strategy; got != to {
					t.Errorf("Stats().Strategy = %q, want %q", got, to)
				}
				checkInvariant(t, c)
			})
		}
	}
	c := filled(NewModN(nil), dbs...)
	if moved := c.SetStrategy(nil); moved != 0 || c.Strategy().Name() != "mod" {
		t.Errorf("SetStrategy(nil) moved %d, strategy %s", moved, c.Strategy().Name())
	}
}

func TestManyTopologyChanges(t *testing.T) {
	for _, name := range StrategyNames {
		t.Run(name, func(t *testing.T) {
			s, _ := NewStrategy(name, 20, nKeys)
			c := filled(s, "db-1")
			var total uint64
			steps := []struct {
				add  bool
				name string
			}{{true, "db-2"}, {true, "db-3"}, {false, "db-1"}, {true, "db-4"}, {false, "db-3"}, {true, "db-1"}, {false, "db-4"}}
			for _, st := range steps {
				var moved int
				var err error
				if st.add {
					moved, err = c.AddShard(st.name)
				} else {
					moved, err = c.RemoveShard(st.name)
				}
				if err != nil {
					t.Fatal(err)
				}
				total += uint64(moved)
				checkInvariant(t, c)
			}
			if got := c.Stats().TotalMoved; got != total {
				t.Errorf("TotalMoved = %d, want %d", got, total)
			}
			if got := c.Names(); !slices.Equal(got, []string{"db-2", "db-1"}) {
				t.Errorf("Names() = %v", got)
			}
		})
	}
}

func TestTopologyErrors(t *testing.T) {
	c := filled(NewRing(10, nil), "db-1", "db-2")
	tests := []struct {
		name string
		op   func() (int, error)
		want error
		msg  string
	}{
		{"add duplicate", func() (int, error) { return c.AddShard("db-2") }, ErrDuplicateShard, `add shard "db-2": shard already exists`},
		{"add empty", func() (int, error) { return c.AddShard("") }, ErrEmptyName, "add shard: shard name must not be empty"},
		{"remove unknown", func() (int, error) { return c.RemoveShard("db-9") }, ErrUnknownShard, `remove shard "db-9": no such shard (shards: [db-1 db-2])`},
		{"remove second last", func() (int, error) { return c.RemoveShard("db-1") }, nil, ""},
		{"remove last", func() (int, error) { return c.RemoveShard("db-2") }, ErrLastShard, `remove shard "db-2": cannot remove the last shard`},
		{"remove already removed", func() (int, error) { return c.RemoveShard("db-1") }, ErrUnknownShard, `remove shard "db-1": no such shard (shards: [db-2])`},
	}
	for _, tt := range tests {
		before := c.Stats()
		moved, err := tt.op()
		if tt.want == nil {
			if err != nil {
				t.Fatalf("%s: %v", tt.name, err)
			}
			continue
		}
		if !errors.Is(err, tt.want) || err.Error() != tt.msg {
			t.Errorf("%s: err = %v, want %q", tt.name, err, tt.msg)
		}
		if after := c.Stats(); moved != 0 || after.LastMoved != before.LastMoved || len(after.Shards) != len(before.Shards) {
			t.Errorf("%s: failed call changed state: moved %d, %+v -> %+v", tt.name, moved, before, after)
		}
		checkInvariant(t, c)
	}
}

func TestNewClusterDefaults(t *testing.T) {
	c := NewCluster[string](nil)
	if got := c.Names(); !slices.Equal(got, []string{DefaultShardName}) {
		t.Errorf("Names() = %v", got)
	}
	if got := c.Stats().Strategy; got != "ring" {
		t.Errorf("default strategy %q, want ring", got)
	}
	c = NewCluster[string](NewModN(nil), "x", "", "y", "x")
	if got := c.Names(); !slices.Equal(got, []string{"x", "y"}) {
		t.Errorf("Names() = %v, want [x y]", got)
	}
	c.Names()[0] = "mutated"
	if c.Names()[0] != "x" {
		t.Error("Names() returned the internal slice")
	}
}

func TestStatsCounts(t *testing.T) {
	c := NewCluster[string](NewModN(func(k uint64) uint64 { return k }), "a", "b", "c")
	for k := range uint64(10) {
		c.Put(k, fmt.Sprint(k))
	}
	c.Put(3, "three")
	for _, k := range []uint64{0, 3, 4, 100} {
		c.Get(k)
	}
	if v, sh, ok := c.Get(3); v != "three" || sh != "a" || !ok {
		t.Errorf("Get(3) = %q, %q, %v", v, sh, ok)
	}
	if v, sh, ok := c.Get(101); v != "" || sh != "c" || ok {
		t.Errorf("Get(101) = %q, %q, %v", v, sh, ok)
	}
	if !c.Delete(9) || c.Delete(9) {
		t.Error("Delete(9) twice should report true then false")
	}
	// a: 0 3 6 9(deleted)  b: 1 4 7 (and read 100)  c: 2 5 8
	want := Stats{Strategy: "mod", Keys: 9, Shards: []ShardStats{
		{Name: "a", Keys: 3, Reads: 3, Writes: 4 + 1 + 2},
		{Name: "b", Keys: 3, Reads: 2, Writes: 3},
		{Name: "c", Keys: 3, Reads: 1, Writes: 3},
	}}
	if got := c.Stats(); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("Stats() =\n%+v\nwant\n%+v", got, want)
	}
}

// badStrategy names shards that do not exist.
type badStrategy struct{}

func (badStrategy) Name() string           { return "bad" }
func (badStrategy) Build([]string) Locator { return badStrategy{} }
func (badStrategy) Locate(uint64) string   { return "nowhere" }

func TestStrategyNamingUnknownShard(t *testing.T) {
	c := filled(NewRing(10, nil), dbNames(3)...)
	c.SetStrategy(badStrategy{})
	if got := c.Stats().Shards[0].Keys; got != nKeys {
		t.Errorf("first shard holds %d keys, want all %d", got, nKeys)
	}
	if v, sh, ok := c.Get(7); !ok || v != 21 || sh != "db-1" {
		t.Errorf("Get(7) = %d, %s, %v", v, sh, ok)
	}
	if _, err := c.RemoveShard("db-1"); err != nil {
		t.Fatal(err)
	}
	if got := c.Stats().Shards[0]; got.Name != "db-2" || got.Keys != nKeys {
		t.Errorf("after removing db-1: %+v, want db-2 with every key", got)
	}
}

// TestConcurrentGetPutDuringMoves runs readers and writers while shards are
// added and removed and the strategy changes; run with -race.
func TestConcurrentGetPutDuringMoves(t *testing.T) {
	c := NewCluster[uint64](NewRing(50, nil), dbNames(3)...)
	const writers, readers, keysPer, rounds = 4, 4, 250, 20
	var wg sync.WaitGroup
	for w := range writers {
		wg.Go(func() {
			for r := range uint64(rounds) {
				for i := range uint64(keysPer) {
					k := uint64(w)*keysPer + i
					if sh := c.Put(k, k*1000+r); sh == "" {
						t.Error("Put returned no shard")
					}
				}
			}
		})
	}
	for r := range readers {
		wg.Go(func() {
			rng := rand.New(rand.NewPCG(uint64(r), 1))
			for range rounds * keysPer {
				k := rng.Uint64N(writers * keysPer)
				if v, _, ok := c.Get(k); ok && v/1000 != k {
					t.Errorf("Get(%d) = %d, a value of another key", k, v)
				}
				c.Stats()
			}
		})
	}
	for _, op := range []func() error{
		func() error { _, err := c.AddShard("db-4"); return err },
		func() error { _, err := c.RemoveShard("db-2"); return err },
		func() error { c.SetStrategy(NewModN(nil)); return nil },
		func() error { _, err := c.AddShard("db-5"); return err },
		func() error { c.SetStrategy(NewRange(writers * keysPer)); return nil },
		func() error { _, err := c.RemoveShard("db-1"); return err },
	} {
		if err := op(); err != nil {
			t.Fatal(err)
		}
	}
	wg.Wait()
	if got := c.Len(); got != writers*keysPer {
		t.Errorf("Len() = %d, want %d", got, writers*keysPer)
	}
	for k := range uint64(writers * keysPer) {
		if v, sh, ok := c.Get(k); !ok || v != k*1000+rounds-1 || sh != c.Locate(k) {
			t.Fatalf("Get(%d) = %d, %s, %v; want last write %d on %s", k, v, sh, ok, k*1000+rounds-1, c.Locate(k))
		}
	}
	var writes uint64
	for _, sh := range c.Stats().Shards {
		writes += sh.Writes
	}
	if writes > writers*keysPer*rounds {
		t.Errorf("writes counted %d > %d Puts", writes, writers*keysPer*rounds)
	}
}

func BenchmarkCluster(b *testing.B) {
	for _, name := range StrategyNames {
		s, _ := NewStrategy(name, 100, nKeys)
		c := filled(s, dbNames(8)...)
		b.Run("Get/"+name, func(b *testing.B) {
			b.ReportAllocs()
			var k uint64
			for b.Loop() {
				k++
				c.Get(k % nKeys)
			}
		})
		b.Run("Put/"+name, func(b *testing.B) {
			b.ReportAllocs()
			var k uint64
			for b.Loop() {
				k++
				c.Put(k%nKeys, k)
			}
		})
		b.Run("GetParallel/"+name, func(b *testing.B) {
			b.ReportAllocs()
			b.RunParallel(func(pb *testing.PB) {
				var k uint64
				for pb.Next() {
					k++
					c.Get(k % nKeys)
				}
			})
		})
	}
}

func BenchmarkAddShard(b *testing.B) {
	for _, name := range StrategyNames {
		b.Run(name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				b.StopTimer()
				s, _ := NewStrategy(name, 100, nKeys)
				c := filled(s, dbNames(4)...)
				b.StartTimer()
				c.AddShard("db-5")
			}
		})
	}
}
