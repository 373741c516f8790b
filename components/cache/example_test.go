package cache_test

import (
	"fmt"
	"time"

	"github.com/scalelab/scalelab/components/cache"
)

// A cache-aside read path with invalidate-on-write in front of a map
// standing in for the database.
func Example() {
	db := map[string]string{"user:1": "ada"}
	load := func(k string) (string, error) { return db[k], nil }
	store := func(k, v string) error { db[k] = v; return nil }

	c := cache.New[string, string](cache.Settings{Capacity: 100, TTL: 30 * time.Second})
	for range 3 {
		v, hit, _ := c.ReadAside("user:1", load)
		fmt.Println(v, hit)
	}
	c.Write(cache.WriteInvalidate, "user:1", "grace", store, nil)
	v, hit, _ := c.ReadAside("user:1", load)
	fmt.Println(v, hit)

	s := c.Stats()
	fmt.Printf("hits=%d misses=%d invalidations=%d ratio=%.2f\n", s.Hits, s.Misses, s.Invalidations, s.HitRatio())
	// Output:
	// ada false
	// ada true
	// ada true
	// grace false
	// hits=2 misses=2 invalidations=1 ratio=0.50
}

// The bare LRU: Get refreshes an entry, Peek does not, and Add reports the
// eviction.
func ExampleLRU() {
	l := cache.NewLRU(2, func(k string, v int) { fmt.Println("evicted", k) })
	l.Add("a", 1, time.Time{})
	l.Add("b", 2, time.Time{})
	l.Get("a")  // a is now the most recent
	l.Peek("b") // looking does not save b
	fmt.Println(l.Add("c", 3, time.Time{}))
	k, _, _ := l.Oldest()
	fmt.Println("next to go:", k)
	// Output:
	// evicted b
	// true
	// next to go: a
}
