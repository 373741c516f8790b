// Package shard partitions a key space horizontally over database shards and
// shows what happens to the data when a shard is added or removed.
//
// A [Strategy] answers one question: given a key and the current list of shard
// names, which shard owns the key? It answers in two steps: Build, once per
// shard list, returns a [Locator], and Locator.Locate, once per key, names
// the owner. Three classic answers live in one file each:
//
//   - mod_n.go: hash(key) mod N. One multiply and one division, perfectly even,
//     but changing N re-deals almost everything: going from N to N+1 shards
//     moves about N/(N+1) of all keys (80% when going from 4 to 5).
//   - range.go: contiguous key ranges split evenly over [0, KeySpace), as
//     Bigtable tablets and HBase regions do. Range scans stay on one shard,
//     but hot ranges stay hot, and re-splitting evenly moves a large share of
//     the keys (50% when going from 4 to 5).
//   - ring.go: consistent hashing with virtual nodes (Karger et al., "Consistent
//     Hashing and Random Trees", STOC 1997; virtual nodes as in Amazon's
//     Dynamo, SOSP 2007; the sorted-ring layout of golang/groupcache's
//     consistenthash), built on package hashring, which the load balancer's
//     "hash" policy shares. Adding a shard moves only about 1/(N+1) of the
//     keys (20% when going from 4 to 5), all of them onto the new shard.
//
// A [Cluster] (cluster.go) holds real values in real shards and really moves
// them when the topology or the strategy changes, reporting how many keys
// moved, so a learner can watch the cost of each strategy instead of taking
// it on faith.
package shard
