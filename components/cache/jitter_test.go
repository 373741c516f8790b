package cache

import (
	"testing"
	"time"
)

// With jitter J, entries set together expire across [TTL(1−J), TTL]:
// none before, all by the end, about half by the middle.
func TestJitterSpreadsExpiries(t *testing.T) {
	t0 := time.Unix(1000, 0)
	now := t0
	c := New[int, int](Settings{Capacity: 2000, TTL: 10 * time.Second, Jitter: 0.5, Seed: 3, Now: func() time.Time { return now }})
	const n = 1000
	for k := range n {
		c.Set(k, k)
	}
	alive := func(at time.Duration) int {
		now = t0.Add(at)
		got := 0
		for k := range n {
			if i, ok := c.lru.items[k]; ok && c.lru.slots[i].expires > now.UnixNano() {
				got++
			}
		}
		return got
	}
	if a := alive(4999 * time.Millisecond); a != n {
		t.Errorf("%d of %d alive just before TTL×(1−J); want all", a, n)
	}
	if a := alive(7500 * time.Millisecond); a < 420 || a > 580 {
		t.Errorf("%d of %d alive half way through the band; want about half", a, n)
	}
	if a := alive(10 * time.Second); a != 0 {
		t.Errorf("%d of %d alive at the TTL; want none", a, n)
	}
	c.SetJitter(0)
	now = t0
	c.Set(n, n)
	if a := alive(9999 * time.Millisecond); a != 1 {
		t.Error("without jitter an entry should live its whole TTL")
	}
}

// GetAt and SetAt use the time given, not the clock: an entry set at t
// with a 1 s TTL is served at t+999ms and expired at t+1s, whatever the
// clock says.
func TestAtTimes(t *testing.T) {
	clock := time.Unix(1000, 0)
	c := New[int, int](Settings{Capacity: 4, TTL: time.Second, Now: func() time.Time { return clock }})
	at := time.Unix(50, 0)
	c.SetAt(1, 10, at)
	if v, ok := c.GetAt(1, at.Add(999*time.Millisecond)); !ok || v != 10 {
		t.Errorf("GetAt 999ms after SetAt: %d, %v; want 10, true", v, ok)
	}
	if _, ok := c.GetAt(1, at.Add(time.Second)); ok {
		t.Error("GetAt 1s after SetAt: still served with a 1s TTL")
	}
	c.SetTTL(0)
	c.SetAt(2, 20, at)
	if _, ok := c.GetAt(2, at.Add(time.Hour)); !ok {
		t.Error("with no TTL, an entry set at a time expired")
	}
}

// Merge sees what the key holds, expired or not, and stores what it makes
// of it, its TTL counted from the time it returns.
func TestMerge(t *testing.T) {
	clock := time.Unix(1000, 0)
	c := New[int, int](Settings{Capacity: 4, TTL: time.Second, Now: func() time.Time { return clock }})
	at := time.Unix(50, 0)
	add := func(old int, ok bool) (int, time.Time) {
		if !ok {
			return 1, at
		}
		return old + 1, at
	}
	c.Merge(7, add)
	c.Merge(7, add)
	if v, ok := c.GetAt(7, at); !ok || v != 2 {
		t.Errorf("after two merges: %d, %v; want 2, true", v, ok)
	}
	c.Merge(7, add) // the entry is past its TTL at the clock's now: Merge still sees it
	if v, ok := c.GetAt(7, at.Add(999*time.Millisecond)); !ok || v != 3 {
		t.Errorf("after a third merge: %d, %v; want 3, true", v, ok)
	}
	if _, ok := c.GetAt(7, at.Add(time.Second)); ok {
		t.Error("a merged entry outlived its TTL from the merge's time")
	}
}
