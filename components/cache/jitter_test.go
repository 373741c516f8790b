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
