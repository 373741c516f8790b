package cache

import (
	"math/rand/v2"
	"slices"
	"testing"
	"time"
)

// lruOps is the method set that LRU (lru.go) and arenaLRU (lru_arena.go)
// share, so that every test in this file runs against both.
type lruOps[K comparable, V any] interface {
	Get(K) (V, bool)
	GetAt(K, time.Time) (v V, ok, expired bool)
	Peek(K) (V, bool)
	Add(K, V, time.Time) bool
	Remove(K) bool
	Oldest() (K, V, bool)
	Len() int
	Cap() int
	Resize(int) int
	Purge()
}

var (
	_ lruOps[int, int] = (*LRU[int, int])(nil)
	_ lruOps[int, int] = (*arenaLRU[int, int])(nil)
)

// lruKinds names the implementations newLRU builds.
var lruKinds = []string{"plain", "arena"}

func newLRU[K comparable, V any](kind string, capacity int, onEvict func(K, V)) lruOps[K, V] {
	switch kind {
	case "plain":
		return NewLRU(capacity, onEvict)
	case "arena":
		return newArenaLRU(capacity, onEvict)
	}
	panic("unknown LRU kind " + kind)
}

// forEachLRU runs f as a subtest for each implementation.
func forEachLRU(t *testing.T, f func(t *testing.T, kind string)) {
	for _, kind := range lruKinds {
		t.Run(kind, func(t *testing.T) { f(t, kind) })
	}
}

// order lists the keys from least to most recently used by walking the
// recency list itself, and fails t if the map and the list disagree.
func order[K comparable, V any](t *testing.T, l lruOps[K, V]) []K {
	t.Helper()
	var ks []K
	switch l := l.(type) {
	case *LRU[K, V]:
		for e := l.ll.Back(); e != nil; e = e.Prev() {
			k := e.Value.(*entry[K, V]).key
			if l.items[k] != e {
				t.Fatalf("items[%v] does not point at its list element", k)
			}
			ks = append(ks, k)
		}
	case *arenaLRU[K, V]:
		for i := l.slots[0].prev; i != 0; i = l.slots[i].prev {
			k := l.slots[i].key
			if l.items[k] != i {
				t.Fatalf("items[%v] = %d, but the key is in slot %d", k, l.items[k], i)
			}
			if ks = append(ks, k); len(ks) > len(l.slots) {
				t.Fatal("recency list has a cycle")
			}
		}
		if l.size != len(ks) {
			t.Fatalf("size %d, but %d entries on the list", l.size, len(ks))
		}
	default:
		t.Fatalf("order: unknown LRU type %T", l)
	}
	if n := mapLen(l); n != len(ks) {
		t.Fatalf("%d keys in the map, %d on the list", n, len(ks))
	}
	return ks
}

func mapLen[K comparable, V any](l lruOps[K, V]) int {
	switch l := l.(type) {
	case *LRU[K, V]:
		return len(l.items)
	case *arenaLRU[K, V]:
		return len(l.items)
	}
	return -1
}

// held is how many entries' worth of storage l keeps: the arena's slots
// (live or free), or the plain LRU's list elements.
func held[K comparable, V any](l lruOps[K, V]) int {
	switch l := l.(type) {
	case *LRU[K, V]:
		return l.ll.Len()
	case *arenaLRU[K, V]:
		return len(l.slots) - 1
	}
	return -1
}

func TestLRUEvictionOrder(t *testing.T) {
	forEachLRU(t, func(t *testing.T, kind string) {
		var evicted []string
		l := newLRU(kind, 3, func(k string, _ int) { evicted = append(evicted, k) })
		for i, k := range []string{"a", "b", "c"} {
			if l.Add(k, i, time.Time{}) {
				t.Fatalf("Add(%q) evicted with room left", k)
			}
		}
		if _, ok := l.Get("a"); !ok { // a becomes most recent: b is now oldest
			t.Fatal("Get(a) missed")
		}
		if !l.Add("d", 3, time.Time{}) {
			t.Fatal("Add(d) into a full cache did not report an eviction")
		}
		if l.Add("c", 20, time.Time{}) { // update: no eviction, c most recent
			t.Fatal("updating c reported an eviction")
		}
		l.Add("e", 4, time.Time{})
		if want := []string{"b", "a"}; !slices.Equal(evicted, want) {
			t.Fatalf("evicted %v, want %v", evicted, want)
		}
		if got, want := order(t, l), []string{"d", "c", "e"}; !slices.Equal(got, want) {
			t.Fatalf("order (oldest first) %v, want %v", got, want)
		}
		if k, v, ok := l.Oldest(); k != "d" || v != 3 || !ok {
			t.Fatalf("Oldest() = %q, %d, %v; want d, 3, true", k, v, ok)
		}
		if v, _ := l.Peek("c"); v != 20 {
			t.Fatalf("c = %d after update, want 20", v)
		}
	})
}

func TestLRUPeekKeepsRecency(t *testing.T) {
	forEachLRU(t, func(t *testing.T, kind string) {
		l := newLRU[string, int](kind, 2, nil)
		l.Add("a", 1, time.Time{})
		l.Add("b", 2, time.Time{})
		if v, ok := l.Peek("a"); v != 1 || !ok {
			t.Fatalf("Peek(a) = %d, %v", v, ok)
		}
		l.Add("c", 3, time.Time{})
		if _, ok := l.Peek("a"); ok {
			t.Fatal("a survived: Peek must not mark it used")
		}
		if _, ok := l.Peek("b"); !ok {
			t.Fatal("b was evicted instead of a")
		}
	})
}

func TestLRUResize(t *testing.T) {
	for _, tc := range []struct {
		name        string
		fill, to    int
		wantEvicted int
		wantCap     int
		wantOrder   []int
	}{
		{"shrink", 5, 2, 3, 2, []int{3, 4}},
		{"shrink to zero clamps to one", 5, 0, 4, 1, []int{4}},
		{"grow", 5, 10, 0, 10, []int{0, 1, 2, 3, 4}},
		{"same", 5, 5, 0, 5, []int{0, 1, 2, 3, 4}},
		{"half full", 2, 3, 0, 3, []int{0, 1}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			forEachLRU(t, func(t *testing.T, kind string) {
				var evicted []int
				l := newLRU(kind, 5, func(k, _ int) { evicted = append(evicted, k) })
				for i := range tc.fill {
					l.Add(i, i, time.Time{})
				}
				if got := l.Resize(tc.to); got != tc.wantEvicted {
					t.Fatalf("Resize(%d) = %d, want %d", tc.to, got, tc.wantEvicted)
				}
				if len(evicted) != tc.wantEvicted || l.Cap() != tc.wantCap || l.Len() != len(tc.wantOrder) {
					t.Fatalf("callbacks %d, Cap %d, Len %d", len(evicted), l.Cap(), l.Len())
				}
				if got := order(t, l); !slices.Equal(got, tc.wantOrder) {
					t.Fatalf("order %v, want %v", got, tc.wantOrder)
				}
				// The compacted arena must still work: fill past capacity.
				for i := 100; i < 100+tc.wantCap+1; i++ {
					l.Add(i, i, time.Time{})
				}
				if l.Len() != tc.wantCap || held(l) > tc.wantCap {
					t.Fatalf("after refill: Len %d, slots %d, cap %d", l.Len(), held(l), tc.wantCap)
				}
			})
		})
	}
}

func TestLRUReusesSlots(t *testing.T) {
	forEachLRU(t, func(t *testing.T, kind string) {
		l := newLRU[int, int](kind, 4, nil)
		for i := range 4 {
			l.Add(i, i, time.Time{})
		}
		l.Remove(1)
		l.Remove(2)
		l.Add(7, 7, time.Time{})
		l.Add(8, 8, time.Time{})
		l.Add(9, 9, time.Time{}) // full: evicts 0
		if held(l) != 4 {
			t.Fatalf("arena grew to %d slots for capacity 4", held(l))
		}
		if got, want := order(t, l), []int{3, 7, 8, 9}; !slices.Equal(got, want) {
			t.Fatalf("order %v, want %v", got, want)
		}
		if l.Remove(1) {
			t.Fatal("Remove of an absent key reported true")
		}
	})
}

func TestLRUGetAtExpiry(t *testing.T) {
	forEachLRU(t, func(t *testing.T, kind string) {
		var gone []string
		l := newLRU(kind, 4, func(k string, _ int) { gone = append(gone, k) })
		t0 := time.Unix(1000, 0)
		l.Add("a", 1, t0.Add(time.Second))
		l.Add("never", 2, time.Time{})
		if v, ok, exp := l.GetAt("a", t0.Add(999*time.Millisecond)); v != 1 || !ok || exp {
			t.Fatalf("before expiry: %d, %v, %v", v, ok, exp)
		}
		if v, ok, exp := l.GetAt("never", t0.Add(100*365*24*time.Hour)); v != 2 || !ok || exp {
			t.Fatalf("no expiry: %d, %v, %v", v, ok, exp)
		}
		if _, ok := l.Get("a"); !ok {
			t.Fatal("Get (no clock) must still return an expired-by-time entry")
		}
		if v, ok, exp := l.GetAt("a", t0.Add(time.Second)); v != 0 || ok || !exp {
			t.Fatalf("at expiry: %d, %v, %v; want 0, false, true", v, ok, exp)
		}
		if l.Len() != 1 || !slices.Equal(gone, []string{"a"}) {
			t.Fatalf("expired entry not removed: Len %d, callbacks %v", l.Len(), gone)
		}
		if _, ok, exp := l.GetAt("a", t0); ok || exp {
			t.Fatal("a second GetAt must be a plain miss")
		}
	})
}

func TestLRUPurge(t *testing.T) {
	forEachLRU(t, func(t *testing.T, kind string) {
		n := 0
		l := newLRU(kind, 3, func(int, int) { n++ })
		for i := range 3 {
			l.Add(i, i, time.Time{})
		}
		l.Purge()
		if n != 3 || l.Len() != 0 {
			t.Fatalf("Purge: %d callbacks, Len %d", n, l.Len())
		}
		if _, _, ok := l.Oldest(); ok {
			t.Fatal("Oldest on an empty LRU reported ok")
		}
		l.Add(5, 5, time.Time{})
		if got := order(t, l); !slices.Equal(got, []int{5}) {
			t.Fatalf("after Purge: %v", got)
		}
	})
}

// TestLRUMatchesModel runs random operations against a plain slice LRU.
func TestLRUMatchesModel(t *testing.T) {
	forEachLRU(t, func(t *testing.T, kind string) {
		r := rand.New(rand.NewPCG(1, 2))
		l := newLRU[int, int](kind, 8, nil)
		var model []int // keys, oldest first; value = key*10
		capacity := 8
		touch := func(k int) {
			i := slices.Index(model, k)
			model = append(slices.Delete(model, i, i+1), k)
		}
		for step := range 20000 {
			k := r.IntN(24)
			switch op := r.IntN(100); {
			case op < 40:
				v, ok := l.Get(k)
				in := slices.Contains(model, k)
				if ok != in || (ok && v != k*10) {
					t.Fatalf("step %d: Get(%d) = %d, %v; model has it: %v", step, k, v, ok, in)
				}
				if in {
					touch(k)
				}
			case op < 80:
				ev := l.Add(k, k*10, time.Time{})
				want := false
				if slices.Contains(model, k) {
					touch(k)
				} else {
					if len(model) == capacity {
						model, want = model[1:], true
					}
					model = append(model, k)
				}
				if ev != want {
					t.Fatalf("step %d: Add(%d) evicted %v, want %v", step, k, ev, want)
				}
			case op < 95:
				in := slices.Contains(model, k)
				if l.Remove(k) != in {
					t.Fatalf("step %d: Remove(%d) != %v", step, k, in)
				}
				if in {
					model = slices.DeleteFunc(model, func(x int) bool { return x == k })
				}
			default:
				capacity = 1 + r.IntN(12)
				want := max(len(model)-capacity, 0)
				if got := l.Resize(capacity); got != want {
					t.Fatalf("step %d: Resize(%d) = %d, want %d", step, capacity, got, want)
				}
				model = model[want:]
			}
			if got := order(t, l); !slices.Equal(got, model) || l.Len() != len(model) {
				t.Fatalf("step %d: order %v, model %v", step, got, model)
			}
		}
	})
}
