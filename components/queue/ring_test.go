package queue

import "testing"

func TestRingFIFOAcrossGrowAndShrink(t *testing.T) {
	var r ring
	next, want := uint64(0), uint64(0)
	push := func(k int) {
		for range k {
			next++
			r.push(entry{m: &Message{ID: next}})
		}
	}
	pop := func(k int) {
		for range k {
			if got := r.pop().m.ID; got != want+1 {
				t.Fatalf("pop = %d, want %d", got, want+1)
			}
			want++
		}
	}
	push(10)
	pop(7)
	push(30) // wraps, then grows past 16
	if r.len() != 33 || len(r.buf) != 64 {
		t.Fatalf("len %d buf %d, want 33 and 64", r.len(), len(r.buf))
	}
	push(10000)
	if len(r.buf) != 16384 {
		t.Fatalf("buffer %d after 10033 pushes, want 16384", len(r.buf))
	}
	pop(10020) // shrinks on the way down, but not below keepRing
	if r.len() != 13 {
		t.Fatalf("len %d, want 13", r.len())
	}
	if len(r.buf) != keepRing {
		t.Fatalf("buffer of %d after draining, want %d", len(r.buf), keepRing)
	}
	if r.at(0).m.ID != want+1 {
		t.Fatalf("at(0) = %d, want %d", r.at(0).m.ID, want+1)
	}
	pop(13)
	if r.len() != 0 {
		t.Fatalf("len %d after draining", r.len())
	}
}
