package hashring_test

import (
	"fmt"

	"github.com/scalelab/scalelab/components/hashring"
)

// Three cache nodes share the keys; adding a fourth moves only the keys it
// takes over, and every key that moves, moves to it.
func Example() {
	keys := []string{"user:1", "user:2", "user:3", "user:4", "user:5", "user:6"}
	place := func(r *hashring.Ring) map[string]string {
		m := map[string]string{}
		for _, k := range keys {
			m[k] = r.Get(hashring.Mix64(hashring.FNV1a64String(k)))
		}
		return m
	}
	three := hashring.New(100, nil)
	three.Add("cache-a", "cache-b", "cache-c")
	four := hashring.New(100, nil)
	four.Add("cache-a", "cache-b", "cache-c", "cache-d")
	before, after := place(three), place(four)
	for _, k := range keys {
		if before[k] == after[k] {
			fmt.Printf("%s stays on %s\n", k, before[k])
		} else {
			fmt.Printf("%s moves %s -> %s\n", k, before[k], after[k])
		}
	}
	// Output:
	// user:1 moves cache-a -> cache-d
	// user:2 stays on cache-c
	// user:3 moves cache-a -> cache-d
	// user:4 stays on cache-b
	// user:5 stays on cache-c
	// user:6 stays on cache-a
}

// Walk passes over a member that is down: its keys go to the next live
// point clockwise.
func ExampleRing_Walk() {
	r := hashring.New(100, nil)
	r.Add("web-1", "web-2", "web-3")
	h := hashring.Mix64(42)
	down := r.Get(h) // suppose the owner of key 42 is down
	r.Walk(h, func(_ int, name string) bool {
		if name == down {
			return true // keep walking
		}
		fmt.Printf("key 42: owner %s is down, next clockwise is %s\n", down, name)
		return false
	})
	// Output: key 42: owner web-1 is down, next clockwise is web-2
}
