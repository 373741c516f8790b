package hashring_test

import (
	"fmt"
	"math"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/scalelab/scalelab/components/hashring"
)

// handHash places points by hand: label -> points[label] (0 if absent).
func handHash(points map[string]uint64) hashring.Hash {
	return func(b []byte) uint64 { return points[string(b)] }
}

func TestGetHandPlaced(t *testing.T) {
	// a at 100, b at 200, c at 300 (one vnode each); a key at h belongs to
	// the first point at or after h, wrapping past 300 to a.
	r := hashring.New(1, handHash(map[string]uint64{"a#0": 100, "b#0": 200, "c#0": 300}))
	r.Add("a", "b", "c")
	// Two vnodes each: a at 100 and 250, b at 200 and 400.
	r2 := hashring.New(2, handHash(map[string]uint64{"a#0": 100, "a#1": 250, "b#0": 200, "b#1": 400}))
	r2.Add("b", "a")
	tests := []struct {
		name string
		r    *hashring.Ring
		h    uint64
		want string
	}{
		{"zero", r, 0, "a"},
		{"below first", r, 50, "a"},
		{"on a point", r, 100, "a"},
		{"just after a point", r, 101, "b"},
		{"between b and c", r, 250, "c"},
		{"on the last point", r, 300, "c"},
		{"past the last wraps", r, 301, "a"},
		{"max wraps", r, math.MaxUint64, "a"},
		{"vnodes 2 at 220", r2, 220, "a"},
		{"vnodes 2 at 251", r2, 251, "b"},
		{"vnodes 2 at 400", r2, 400, "b"},
		{"vnodes 2 wraps", r2, 401, "a"},
	}
	for _, tt := range tests {
		if got := tt.r.Get(tt.h); got != tt.want {
			t.Errorf("%s: Get(%d) = %q, want %q", tt.name, tt.h, got, tt.want)
		}
	}
}

func TestEmptyRing(t *testing.T) {
	r := hashring.New(0, nil)
	if got := r.Get(42); got != "" {
		t.Errorf("empty ring: Get = %q, want \"\"", got)
	}
	r.Walk(42, func(int, string) bool { t.Error("empty ring: Walk yielded"); return true })
	r.Add() // nothing to add: still empty
	if got := r.Get(42); got != "" {
		t.Errorf("after Add(): Get = %q, want \"\"", got)
	}
}

// owners returns the owner of each of n spread-out key hashes.
func owners(r *hashring.Ring, n int) []string {
	o := make([]string, n)
	for k := range o {
		o[k] = r.Get(hashring.Mix64(uint64(k)))
	}
	return o
}

func TestOnlyTheSetOfNamesMatters(t *testing.T) {
	collide := func([]byte) uint64 { return 7 } // every point in one place
	for _, h := range []hashring.Hash{nil, collide} {
		build := func(batches ...[]string) *hashring.Ring {
			r := hashring.New(20, h)
			for _, b := range batches {
				r.Add(b...)
			}
			return r
		}
		want := owners(build([]string{"a", "b", "c", "d"}), 5000)
		for _, batches := range [][][]string{
			{{"d", "c", "b", "a"}},
			{{"c"}, {"a", "d", "b"}},
			{{"b", "d"}, {}, {"c"}, {"a"}},
			{{"a", "b"}, {"b", "c", "d", "a"}}, // repeats change nothing
		} {
			if got := owners(build(batches...), 5000); !slices.Equal(got, want) {
				t.Errorf("hash %v: ring built as %v maps keys differently", h != nil, batches)
			}
		}
		if h != nil && want[0] != "a" {
			t.Errorf("all points collide: owner %q, want a (ties go to the smallest name)", want[0])
		}
	}
}

// walk collects what Walk yields from h, stopping after limit steps.
func walk(r *hashring.Ring, h uint64, limit int) string {
	var out []string
	r.Walk(h, func(m int, name string) bool {
		out = append(out, fmt.Sprintf("%d:%s", m, name))
		return len(out) < limit
	})
	return strings.Join(out, " ")
}

func TestWalk(t *testing.T) {
	// Clockwise: a@100 b@200 a@300 c@400. Members: c=0, a=1, b=2 (order added).
	r := hashring.New(2, handHash(map[string]uint64{"a#0": 100, "b#0": 200, "a#1": 300, "c#0": 400, "b#1": 400, "c#1": 400}))
	r.Add("c", "a", "b")
	tests := []struct {
		h     uint64
		limit int
		want  string
	}{
		{0, 99, "1:a 2:b 1:a 2:b 0:c 0:c"}, // b sorts before c at 400
		{250, 99, "1:a 2:b 0:c 0:c 1:a 2:b"},
		{401, 99, "1:a 2:b 1:a 2:b 0:c 0:c"}, // wraps
		{150, 1, "2:b"},                      // stop at once: same as Get
		{150, 3, "2:b 1:a 2:b"},
	}
	for _, tt := range tests {
		if got := walk(r, tt.h, tt.limit); got != tt.want {
			t.Errorf("Walk(%d) limit %d = %s, want %s", tt.h, tt.limit, got, tt.want)
		}
		if first := strings.SplitN(walk(r, tt.h, 1), ":", 2)[1]; first != r.Get(tt.h) {
			t.Errorf("Walk(%d) starts at %s, Get says %s", tt.h, first, r.Get(tt.h))
		}
	}
}

// TestWalkSkipsDown is the balancer's use of Walk: a down member's keys go
// to the next live point clockwise, and no other key moves.
func TestWalkSkipsDown(t *testing.T) {
	r := hashring.New(0, nil)
	r.Add("a", "b", "c", "d")
	down := map[string]bool{"c": true}
	live := func(h uint64) string {
		got := ""
		r.Walk(h, func(_ int, name string) bool {
			if down[name] {
				return true
			}
			got = name
			return false
		})
		return got
	}
	moved := 0
	for k := range uint64(10000) {
		h := hashring.Mix64(k)
		before, after := r.Get(h), live(h)
		switch {
		case after == "c":
			t.Fatalf("key %d still on the down member", k)
		case before != after && before != "c":
			t.Fatalf("key %d moved from live member %s to %s", k, before, after)
		case before != after:
			moved++
		}
	}
	if moved == 0 {
		t.Error("no key moved off the down member")
	}
}

func TestVnodes(t *testing.T) {
	for _, tt := range []struct{ in, want int }{
		{-5, hashring.DefaultVnodes}, {0, hashring.DefaultVnodes}, {1, 1}, {250, 250},
		{hashring.MaxVnodes + 1, hashring.MaxVnodes}, {1 << 40, hashring.MaxVnodes},
	} {
		r := hashring.New(tt.in, nil)
		if r.Vnodes() != tt.want {
			t.Errorf("New(%d).Vnodes() = %d, want %d", tt.in, r.Vnodes(), tt.want)
		}
		if tt.in > 1000 {
			continue // enough to count points on a few rings
		}
		r.Add("x", "y")
		points := map[string]int{}
		r.Walk(0, func(_ int, name string) bool { points[name]++; return true })
		if points["x"] != tt.want || points["y"] != tt.want {
			t.Errorf("New(%d): points per name %v, want %d each", tt.in, points, tt.want)
		}
	}
}

// TestRemapFraction measures the property consistent hashing exists for.
// Going from 4 to 5 members, a ring moves only the keys the new member
// takes, about 1/5, while mod N moves about 4/5.
//
// Tolerance: the new member's share is a sum of 100 arcs and has a standard
// deviation of about 1/(N*sqrt(vnodes)) = 1/(5*10) = 2 points of percentage;
// sampling 100,000 keys adds only 0.13 points. So [15%, 25%] is 2.5 standard
// deviations either side: any decent hash passes, a broken ring (one that
// re-deals keys among old members, or gives the newcomer nothing or most of
// the circle) fails. Mod N's fraction is 1-1/5 up to sampling noise.
func TestRemapFraction(t *testing.T) {
	const keys = 100_000
	four, five := hashring.New(100, nil), hashring.New(100, nil)
	four.Add("n1", "n2", "n3", "n4")
	five.Add("n1", "n2", "n3", "n4", "n5")
	ringMoved, modMoved := 0, 0
	for k := range uint64(keys) {
		h := hashring.Mix64(k)
		if before, after := four.Get(h), five.Get(h); before != after {
			ringMoved++
			if after != "n5" {
				t.Fatalf("key %d moved from %s to %s, not to the new member", k, before, after)
			}
		}
		if h%4 != h%5 {
			modMoved++
		}
	}
	ring, mod := float64(ringMoved)/keys, float64(modMoved)/keys
	t.Logf("4 -> 5 members: ring moved %.1f%%, mod N moved %.1f%%", 100*ring, 100*mod)
	if ring < 0.15 || ring > 0.25 {
		t.Errorf("ring moved %.1f%% of keys, want about 20%% (15..25)", 100*ring)
	}
	if mod < 0.79 || mod > 0.81 {
		t.Errorf("mod N moved %.1f%% of keys, want about 80%% (79..81)", 100*mod)
	}
}

// TestMoreVnodesEvenOut checks the second lesson: the spread of members'
// shares around the fair 1/N shrinks as virtual nodes grow.
func TestMoreVnodesEvenOut(t *testing.T) {
	spread := func(vnodes int) float64 { // largest share / fair share
		r := hashring.New(vnodes, nil)
		r.Add("n1", "n2", "n3", "n4", "n5", "n6", "n7", "n8")
		counts := map[string]int{}
		const keys = 80_000
		for k := range uint64(keys) {
			counts[r.Get(hashring.Mix64(k))]++
		}
		m := 0
		for _, c := range counts {
			m = max(m, c)
		}
		return float64(m) / (keys / 8)
	}
	one, hundred, thousand := spread(1), spread(100), spread(1000)
	t.Logf("largest share / fair: 1 vnode %.2f, 100 vnodes %.2f, 1000 vnodes %.2f", one, hundred, thousand)
	if !(one > hundred && hundred > thousand) || hundred > 1.3 || thousand > 1.1 {
		t.Errorf("largest share / fair: 1 vnode %.2f, 100 vnodes %.2f, 1000 vnodes %.2f; want decreasing, <= 1.3 at 100, <= 1.1 at 1000", one, hundred, thousand)
	}
}

func TestGetDoesNotAllocate(t *testing.T) {
	r := hashring.New(0, nil)
	r.Add("a", "b", "c")
	var k uint64
	if n := testing.AllocsPerRun(1000, func() { k++; r.Get(hashring.Mix64(k)) }); n != 0 {
		t.Errorf("%v allocs per Get, want 0", n)
	}
	if n := testing.AllocsPerRun(1000, func() {
		k++
		r.Walk(hashring.Mix64(k), func(m int, _ string) bool { return m == 2 })
	}); n != 0 {
		t.Errorf("%v allocs per Walk, want 0", n)
	}
}

// TestConcurrentReads reads a built ring from several goroutines; run with
// -race to check that Get and Walk never write.
func TestConcurrentReads(t *testing.T) {
	r := hashring.New(50, nil)
	r.Add("a", "b", "c", "d")
	want := owners(r, 1000)
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() {
			if got := owners(r, 1000); !slices.Equal(got, want) {
				t.Error("concurrent Get disagrees")
			}
			r.Walk(0, func(int, string) bool { return true })
		})
	}
	wg.Wait()
}

var sinkName string

func BenchmarkGet(b *testing.B) {
	for _, vnodes := range []int{1, 10, 100, 1000} {
		r := hashring.New(vnodes, nil)
		r.Add("db-1", "db-2", "db-3", "db-4", "db-5", "db-6", "db-7", "db-8")
		b.Run(fmt.Sprintf("8x%d", vnodes), func(b *testing.B) {
			b.ReportAllocs()
			var k uint64
			for b.Loop() {
				k++
				sinkName = r.Get(hashring.Mix64(k))
			}
		})
	}
}

// BenchmarkWalk walks to the third point clockwise, as a balancer does when
// the first two owners are down.
func BenchmarkWalk(b *testing.B) {
	r := hashring.New(100, nil)
	r.Add("db-1", "db-2", "db-3", "db-4", "db-5", "db-6", "db-7", "db-8")
	b.ReportAllocs()
	var k uint64
	for b.Loop() {
		k++
		steps := 0
		r.Walk(hashring.Mix64(k), func(_ int, name string) bool {
			steps++
			sinkName = name
			return steps < 3
		})
	}
}

func BenchmarkAdd(b *testing.B) {
	names := []string{"db-1", "db-2", "db-3", "db-4", "db-5", "db-6", "db-7", "db-8"}
	b.ReportAllocs()
	for b.Loop() {
		hashring.New(100, nil).Add(names...)
	}
}

func TestMember(t *testing.T) {
	r := hashring.New(1, handHash(map[string]uint64{"a#0": 100, "b#0": 200, "c#0": 300}))
	if m := r.Member(5); m != -1 {
		t.Errorf("empty ring: Member = %d, want -1", m)
	}
	r.Add("c", "a")
	r.Add("b") // members: c=0, a=1, b=2
	names := []string{"c", "a", "b"}
	for _, tt := range []struct {
		h    uint64
		want int
	}{{50, 1}, {150, 2}, {300, 0}, {301, 1}} {
		if m := r.Member(tt.h); m != tt.want {
			t.Errorf("Member(%d) = %d, want %d", tt.h, m, tt.want)
		}
	}
	for k := range uint64(1000) {
		if h := hashring.Mix64(k); names[r.Member(h)] != r.Get(h) {
			t.Fatalf("Member(%d) names %s, Get says %s", h, names[r.Member(h)], r.Get(h))
		}
	}
}
