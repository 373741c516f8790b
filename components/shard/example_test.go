package shard_test

import (
	"fmt"

	"github.com/scalelab/scalelab/components/shard"
)

// Adding a fifth shard to four: mod-N re-deals most keys, even re-splitting
// ranges moves half, consistent hashing moves about a fifth, all onto the
// new shard.
func ExampleCluster_AddShard() {
	for _, s := range []shard.Strategy{shard.NewModN(nil), shard.NewRange(10000), shard.NewRing(100, nil)} {
		c := shard.NewCluster[string](s, "db-1", "db-2", "db-3", "db-4")
		for k := range uint64(10000) {
			c.Put(k, fmt.Sprint("user-", k))
		}
		moved, _ := c.AddShard("db-5")
		st := c.Stats()
		fmt.Printf("%-5s moved %4d of %d keys (%2d%%); db-5 now holds %d\n",
			s.Name(), moved, st.Keys, moved*100/st.Keys, st.Shards[4].Keys)
	}
	// Output:
	// mod   moved 7997 of 10000 keys (79%); db-5 now holds 1999
	// range moved 5000 of 10000 keys (50%); db-5 now holds 2000
	// ring  moved 2081 of 10000 keys (20%); db-5 now holds 2081
}

// Where does key 42 live? The answer depends on the strategy and the list.
func ExampleStrategy() {
	dbs := []string{"db-1", "db-2", "db-3", "db-4"}
	for _, name := range shard.StrategyNames {
		s, _ := shard.NewStrategy(name, 100, 10000)
		loc := s.Build(dbs) // once per shard list; then Locate per key
		fmt.Printf("%s: key 42 -> %s, key 9999 -> %s\n", name, loc.Locate(42), loc.Locate(9999))
	}
	// Output:
	// mod: key 42 -> db-3, key 9999 -> db-2
	// range: key 42 -> db-1, key 9999 -> db-4
	// ring: key 42 -> db-2, key 9999 -> db-3
}
