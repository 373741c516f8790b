package cache

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
	"time"
)

// TestArenaMatchesLRU is the reference test for the optimisation: the plain
// LRU and the arena run the same long random tape of operations, and every
// answer must be the same — each Get, GetAt and Peek (value, hit, expired),
// each Add's eviction and the key the callback saw, Remove, Oldest, Resize's
// count, Purge's callbacks, Len, Cap and the whole recency order.
func TestArenaMatchesLRU(t *testing.T) {
	for _, capacity := range []int{1, 2, 3, 8, 64} {
		t.Run(fmt.Sprint("cap=", capacity), func(t *testing.T) {
			r := rand.New(rand.NewPCG(uint64(capacity), 2024))
			tape := make([]byte, 3*20000)
			for i := range tape {
				tape[i] = byte(r.Uint32())
			}
			runDiffTape(t, capacity, tape)
		})
	}
}

// FuzzArenaMatchesLRU lets the fuzzer write the tape.
func FuzzArenaMatchesLRU(f *testing.F) {
	f.Add(uint8(1), []byte{160, 1, 0, 160, 2, 0, 0, 1, 0, 230, 0, 0})
	f.Add(uint8(3), []byte{160, 1, 0, 180, 2, 5, 240, 0, 9, 80, 2, 0, 252, 0, 0, 255, 0, 0})
	f.Fuzz(func(t *testing.T, capacity uint8, tape []byte) {
		runDiffTape(t, 1+int(capacity%16), tape)
	})
}

// diffResult is everything one operation can return, so the two LRUs'
// answers compare with ==.
type diffResult struct {
	k, v        int
	ok, expired bool
	n           int
}

// runDiffTape reads tape three bytes at a time — operation, key, argument —
// and applies each operation to a plain LRU and an arena LRU of the given
// capacity, failing at the first step where they differ. Keys range over
// about twice the capacity, so gets both hit and miss and adds evict.
func runDiffTape(t *testing.T, capacity int, tape []byte) {
	var gonePlain, goneArena []diffResult
	plain := NewLRU(capacity, func(k, v int) { gonePlain = append(gonePlain, diffResult{k: k, v: v}) })
	arena := newArenaLRU(capacity, func(k, v int) { goneArena = append(goneArena, diffResult{k: k, v: v}) })
	now := time.Unix(1_000_000, 0)
	keys := 2*capacity + 3
	var stEv, stAdd, stHit, stGet, stExp int
	defer func() {
		t.Logf("cap %d: adds %d evict %d gets %d hits %d expired %d final len %d", capacity, stAdd, stEv, stGet, stHit, stExp, plain.Len())
	}()
	for step := 0; step+3 <= len(tape); step += 3 {
		op, k, arg := tape[step], int(tape[step+1])%keys, int(tape[step+2])
		var name string
		var a, b diffResult
		switch {
		case op < 64:
			name = "Get"
			a.v, a.ok = plain.Get(k)
			b.v, b.ok = arena.Get(k)
		case op < 96:
			name = "GetAt"
			a.v, a.ok, a.expired = plain.GetAt(k, now)
			b.v, b.ok, b.expired = arena.GetAt(k, now)
		case op < 112:
			name = "Peek"
			a.v, a.ok = plain.Peek(k)
			b.v, b.ok = arena.Peek(k)
		case op < 176:
			name = "Add"
			a.ok = plain.Add(k, step, time.Time{})
			b.ok = arena.Add(k, step, time.Time{})
		case op < 200: // expires arg ms from now; 0 is already expired
			name = "Add with expiry"
			exp := now.Add(time.Duration(arg) * time.Millisecond)
			a.ok = plain.Add(k, step, exp)
			b.ok = arena.Add(k, step, exp)
		case op < 224:
			name = "Remove"
			a.ok = plain.Remove(k)
			b.ok = arena.Remove(k)
		case op < 236:
			name = "Oldest"
			a.k, a.v, a.ok = plain.Oldest()
			b.k, b.v, b.ok = arena.Oldest()
		case op < 250:
			name = "advance the clock"
			now = now.Add(time.Duration(arg) * time.Millisecond)
		case op < 255: // to within two of the starting capacity; <= 0 clamps to 1
			name = "Resize"
			a.n = plain.Resize(capacity + arg%5 - 2)
			b.n = arena.Resize(capacity + arg%5 - 2)
		case arg < 64: // one op in a thousand, so that large caches fill between purges
			name = "Purge"
			plain.Purge()
			arena.Purge()
		}
		if name == "Add" || name == "Add with expiry" {
			if a.ok {
				stEv++
			}
			stAdd++
		}
		if name == "Get" || name == "GetAt" {
			if a.ok {
				stHit++
			}
			if a.expired {
				stExp++
			}
			stGet++
		}
		if a != b {
			t.Fatalf("step %d: %s(%d): plain %+v, arena %+v", step/3, name, k, a, b)
		}
		if !slices.Equal(gonePlain, goneArena) {
			t.Fatalf("step %d: %s(%d): plain evicted %v, arena %v", step/3, name, k, gonePlain, goneArena)
		}
		gonePlain, goneArena = gonePlain[:0], goneArena[:0]
		if plain.Len() != arena.Len() || plain.Cap() != arena.Cap() {
			t.Fatalf("step %d: %s(%d): Len/Cap plain %d/%d, arena %d/%d",
				step/3, name, k, plain.Len(), plain.Cap(), arena.Len(), arena.Cap())
		}
		if p, q := order(t, plain), order(t, arena); !slices.Equal(p, q) {
			t.Fatalf("step %d: %s(%d): recency order plain %v, arena %v", step/3, name, k, p, q)
		}
	}
}
