package shard

import (
	"encoding/binary"
	"fmt"
	"hash/fnv"
	"math"
	"strings"
	"sync/atomic"
	"testing"

	"go.uber.org/goleak"

	"github.com/scalelab/scalelab/components/hashring"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

var abcd = []string{"a", "b", "c", "d"}

// handHash places ring points by hand: keys (8 bytes) hash to their own
// value, virtual-node labels to points[label].
func handHash(points map[string]uint64) func([]byte) uint64 {
	return func(b []byte) uint64 {
		if len(b) == 8 {
			return binary.LittleEndian.Uint64(b)
		}
		return points[string(b)]
	}
}

func TestLocate(t *testing.T) {
	identity := func(k uint64) uint64 { return k }
	ring1 := NewRing(1, handHash(map[string]uint64{"a#0": 100, "b#0": 200, "c#0": 300}))
	ring2 := NewRing(2, handHash(map[string]uint64{"a#0": 100, "a#1": 250, "b#0": 200, "b#1": 400}))
	tests := []struct {
		name   string
		s      Strategy
		key    uint64
		shards []string
		want   string
	}{
		{"mod 0", NewModN(identity), 0, abcd, "a"},
		{"mod 5", NewModN(identity), 5, abcd, "b"},
		{"mod 7 of 3", NewModN(identity), 7, abcd[:3], "b"},
		{"mod max", NewModN(identity), math.MaxUint64, abcd, "d"},
		{"mod one shard", NewModN(nil), 12345, abcd[:1], "a"},
		{"mod empty", NewModN(nil), 1, nil, ""},
		{"range 0", NewRange(100), 0, abcd, "a"},
		{"range 24", NewRange(100), 24, abcd, "a"},
		{"range 25", NewRange(100), 25, abcd, "b"},
		{"range 74", NewRange(100), 74, abcd, "c"},
		{"range 99", NewRange(100), 99, abcd, "d"},
		{"range 100 past end", NewRange(100), 100, abcd, "d"},
		{"range max past end", NewRange(100), math.MaxUint64, abcd, "d"},
		{"range thirds 3", NewRange(10), 3, abcd[:3], "a"},
		{"range thirds 4", NewRange(10), 4, abcd[:3], "b"},
		{"range thirds 6", NewRange(10), 6, abcd[:3], "b"},
		{"range thirds 7", NewRange(10), 7, abcd[:3], "c"},
		{"range full 0", NewRange(0), 0, abcd, "a"},
		{"range full quarter-1", NewRange(0), 1<<62 - 1, abcd, "a"},
		{"range full quarter", NewRange(0), 1 << 62, abcd, "b"},
		{"range full max", NewRange(0), math.MaxUint64, abcd, "d"},
		{"range huge space", NewRange(math.MaxUint64), math.MaxUint64 - 1, abcd, "d"},
		{"range empty", NewRange(10), 1, nil, ""},
		{"ring below first", ring1, 50, abcd[:3], "a"},
		{"ring on point", ring1, 100, abcd[:3], "a"},
		{"ring after point", ring1, 101, abcd[:3], "b"},
		{"ring 250", ring1, 250, abcd[:3], "c"},
		{"ring last point", ring1, 300, abcd[:3], "c"},
		{"ring wraps", ring1, 301, abcd[:3], "a"},
		{"ring wraps max", ring1, math.MaxUint64, abcd[:3], "a"},
		{"ring order ignored", ring1, 150, []string{"c", "b", "a"}, "b"},
		{"ring without b", ring1, 150, []string{"a", "c"}, "c"},
		{"ring vnodes 2 at 220", ring2, 220, abcd[:2], "a"},
		{"ring vnodes 2 at 300", ring2, 300, abcd[:2], "b"},
		{"ring vnodes 2 wraps", ring2, 401, abcd[:2], "a"},
		{"ring empty", ring1, 1, nil, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			loc := tt.s.Build(tt.shards)
			for range 3 { // stable across repeated calls
				if got := loc.Locate(tt.key); got != tt.want {
					t.Fatalf("%s.Locate(%d, %v) = %q, want %q", tt.s.Name(), tt.key, tt.shards, got, tt.want)
				}
			}
		})
	}
}

// TestLocateGolden pins where the default strategies put a few keys, so a
// lesson can say "key 42 lives on db-3" and stay true.
func TestLocateGolden(t *testing.T) {
	dbs := []string{"db-1", "db-2", "db-3", "db-4"}
	var got strings.Builder
	for _, name := range StrategyNames {
		for _, key := range []uint64{0, 1, 42, 9999} {
			s, err := NewStrategy(name, 0, 10000)
			if err != nil {
				t.Fatal(err)
			}
			fmt.Fprintf(&got, "%s/%d=%s ", name, key, s.Build(dbs).Locate(key))
		}
	}
	const want = "mod/0=db-1 mod/1=db-2 mod/42=db-3 mod/9999=db-2 range/0=db-1 range/1=db-1 range/42=db-1 range/9999=db-4 ring/0=db-1 ring/1=db-1 ring/42=db-2 ring/9999=db-3 "
	if got.String() != want {
		t.Errorf("got  %s\nwant %s", got.String(), want)
	}
}

func TestRingCollisionOrderedByName(t *testing.T) {
	r := NewRing(3, handHash(nil)) // every label hashes to 0
	for _, shards := range [][]string{{"b", "a", "c"}, {"c", "b", "a"}} {
		if got := r.Build(shards).Locate(5); got != "a" {
			t.Errorf("Locate(5, %v) = %q, want a (ties go to the smallest name)", shards, got)
		}
	}
}

// TestRingBuildsOnce checks that the ring is built by Build only, never by
// Locate: Locate costs exactly one hash call.
func TestRingBuildsOnce(t *testing.T) {
	var calls atomic.Int64
	r := NewRing(10, func(b []byte) uint64 { calls.Add(1); return hashring.Default(b) })
	four, five := r.Build(abcd), r.Build(append(abcd[:4:4], "e"))
	for k := range uint64(10) {
		four.Locate(k)
		five.Locate(k)
	}
	// One build of 4*10 points, one of 5*10, and 20 key hashes.
	if got, want := calls.Load(), int64(40+50+20); got != want {
		t.Errorf("hash calls = %d, want %d (ring rebuilt when it should be kept)", got, want)
	}
	r.Build([]string{"x"}) // a third locator leaves the first two alone
	calls.Store(0)
	five.Locate(0)
	four.Locate(0)
	if got, want := calls.Load(), int64(1+1); got != want {
		t.Errorf("hash calls = %d, want %d", got, want)
	}
}

func TestNewRingVnodes(t *testing.T) {
	for _, tt := range []struct{ in, want int }{{-5, DefaultVnodes}, {0, DefaultVnodes}, {1, 1}, {250, 250}, {1 << 30, MaxVnodes}} {
		if got := NewRing(tt.in, nil).(*Ring).Vnodes(); got != tt.want {
			t.Errorf("NewRing(%d).Vnodes() = %d, want %d", tt.in, got, tt.want)
		}
	}
}

func TestNewStrategy(t *testing.T) {
	for _, tt := range []struct{ in, want string }{{"mod", "mod"}, {"range", "range"}, {"ring", "ring"}, {" Ring ", "ring"}} {
		s, err := NewStrategy(tt.in, 0, 0)
		if err != nil || s.Name() != tt.want {
			t.Errorf("NewStrategy(%q) = %v, %v; want %s", tt.in, s, err, tt.want)
		}
	}
	if s, _ := NewStrategy("ring", 7, 0); s.(*Ring).Vnodes() != 7 {
		t.Error("vnodes not passed to ring")
	}
	if s, _ := NewStrategy("range", 0, 500); s.(*Range).KeySpace() != 500 {
		t.Error("keySpace not passed to range")
	}
	_, err := NewStrategy("maglev", 0, 0)
	if err == nil || err.Error() != `unknown shard strategy "maglev": accepted mod, range, ring` {
		t.Errorf("err = %v", err)
	}
}

// TestRingKeyHash checks the ring's key hash: the default path hashes the
// key's 8 little-endian bytes inline, exactly as an injected hash is called.
// (FNV-1a and Mix64 themselves are tested in package hashring.)
func TestRingKeyHash(t *testing.T) {
	fast, general := NewRing(0, nil).(*Ring), NewRing(0, hashring.Default).(*Ring)
	for _, k := range []uint64{0, 1, 255, 256, 1 << 40, math.MaxUint64} {
		b := binary.LittleEndian.AppendUint64(nil, k)
		want := hashring.Default(b)
		if got := fast.hashKey(k); got != want {
			t.Errorf("default hashKey(%d) = %x, want %x", k, got, want)
		}
		if got := general.hashKey(k); got != want {
			t.Errorf("injected hashKey(%d) = %x, want %x", k, got, want)
		}
	}
	// The hash is FNV-1a underneath: a key hashes like its bytes in hash/fnv.
	h := fnv.New64a()
	h.Write(binary.LittleEndian.AppendUint64(nil, 42))
	if got, want := fast.hashKey(42), hashring.Mix64(h.Sum64()); got != want {
		t.Errorf("hashKey(42) = %x, want Mix64(hash/fnv) = %x", got, want)
	}
}

func TestLocateDoesNotAllocate(t *testing.T) {
	dbs := []string{"db-1", "db-2", "db-3", "db-4", "db-5"}
	for _, s := range []Strategy{NewModN(nil), NewRange(0), NewRing(0, nil)} {
		loc := s.Build(dbs)
		var k uint64
		if n := testing.AllocsPerRun(1000, func() { k++; loc.Locate(k) }); n != 0 {
			t.Errorf("%s: %v allocs per Locate, want 0", s.Name(), n)
		}
	}
}

func TestEmptyShardNamesNoPanic(t *testing.T) {
	for _, s := range []Strategy{NewModN(nil), NewRange(0), NewRange(5), NewRing(3, nil)} {
		for _, shards := range [][]string{nil, {}, {""}, {"", ""}, {"x", "x"}} {
			got := s.Build(shards).Locate(7)
			if len(shards) > 0 && got != shards[0] && got != shards[len(shards)-1] {
				t.Errorf("%s: Locate(7, %q) = %q", s.Name(), shards, got)
			}
		}
	}
}

var sink string

func BenchmarkLocate(b *testing.B) {
	dbs := []string{"db-1", "db-2", "db-3", "db-4", "db-5", "db-6", "db-7", "db-8"}
	for _, s := range []Strategy{
		NewModN(nil), NewRange(1 << 20), NewRing(100, nil),
		NewRing(100, hashring.Default),
	} {
		name := s.Name()
		if r, ok := s.(*Ring); ok && r.hash != nil {
			name += "-custom-hash"
		}
		loc := s.Build(dbs)
		b.Run(name, func(b *testing.B) {
			b.ReportAllocs()
			var k uint64
			for b.Loop() {
				k++
				sink = loc.Locate(k)
			}
		})
	}
}
