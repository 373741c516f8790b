// Package cache is the lab's cache: a bounded LRU with an optional TTL, and
// the ways an application keeps such a cache in front of a database.
//
// Eviction. LRU (least recently used) keeps the entries touched most recently
// and evicts the one untouched the longest when full — the policy of
// golang/groupcache's lru and hashicorp/golang-lru. lru.go is the bare,
// unlocked algorithm over container/list, written to be read; lru_arena.go is
// the same algorithm rearranged so that a full cache allocates nothing, and
// is what cache.go wraps with a mutex, a TTL and counters. A test runs both on
// the same random operations and requires the same answers.
//
// Reading. Cache-aside (lazy loading, aside.go): the application asks the
// cache first; on a miss it loads from the database and puts the value in the
// cache for next time. Only data that is read gets cached, and a cold cache
// sends every read to the database.
//
// Writing (write.go), as the AWS whitepaper "Database Caching Strategies Using
// Redis" and the Hibernate/Ehcache documentation name them:
//   - invalidate-on-write: write the database, then delete the cached copy so
//     the next read loads the new value (the default; never serves stale data
//     written through this path, costs a miss after each write);
//   - write-through: write the database, then the cache (reads after a write
//     hit, but every write pays both, and unread data fills the cache);
//   - write-behind (write-back, write_behind.go): write the cache now and the
//     database later from a queue (fast writes, but the database lags and
//     queued writes are lost if the process stops).
//
// Time comes from an injected clock, so a lab running at 10x expires a 30 s
// TTL in 3 s of wall time and tests run on testing/synctest's fake time.
package cache
