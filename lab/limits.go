package lab

import "time"

// The most a command may ask for, in one place. Every value in a lab is
// real — every key is stored, every server runs goroutines — so these
// bound the memory and the goroutines a line can ask for, and a line
// above one is refused with the limit in its error.
const (
	MaxKeys       = 1_000_000  // key space of a load (every key is stored)
	MaxCacheSize  = 10_000_000 // cache capacity, in entries
	MaxCacheNodes = 16         // nodes of the distributed cache tier
	MaxWebs       = 64         // web servers behind the balancer
	MaxShards     = 32         // database shards
	MaxReplicas   = 5          // read replicas per shard
	MaxWait       = time.Hour  // one wait, or one expect's within

	MaxSnapshotEvery = 100_000 // events between snapshots of an order

	// MaxRateCap is the highest --max-rate: the most any load line may ask
	// for. The lab's own cap (Config.MaxRate) is checked when it applies.
	MaxRateCap = 10_000_000
)
