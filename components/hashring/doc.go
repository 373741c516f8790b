// Package hashring is consistent hashing: a hash ring with virtual nodes,
// the structure behind memcached clients, Dynamo-style databases and the
// "hash" policy of most load balancers.
//
// # The idea
//
// Picture the 2^64 possible hash values as a circle. Every member (a server,
// a shard, a cache node) is hashed onto the circle at a few places, its
// "points"; every key is hashed onto the same circle and belongs to the first
// point at or after it, clockwise, wrapping past the top. Finding that point
// is a binary search in a sorted slice.
//
// Why bother, when hash(key) mod N is one division? Because of what happens
// when N changes. With mod N a key keeps its owner only when
// hash mod N == hash mod (N+1), about 1 key in N+1, so adding a fifth member
// to four moves about 4/5 of all keys. On a ring the new member's points fall
// between existing ones and take over only the arcs just before them: about
// 1/(N+1) of the keys move (1/5 going from 4 to 5), all of them onto the new
// member, and no key moves between old members. Removing a member hands each
// of its arcs to the next point along, so only its own keys move.
// This is the property Karger et al. introduced consistent hashing for
// ("Consistent Hashing and Random Trees: Distributed Caching Protocols for
// Relieving Hot Spots on the World Wide Web", STOC 1997).
//
// # Virtual nodes
//
// With one point per member the arcs are very uneven: among 4 members one
// typically owns twice the share of another. So each member is placed many
// times, as the labels "name#0", "name#1", ..., the "virtual nodes" of
// Amazon's Dynamo (DeCandia et al., "Dynamo: Amazon's Highly Available
// Key-value Store", SOSP 2007) and of last.fm's ketama library for memcached
// (2007). A member's share is then a sum of many small arcs, and its spread
// around the fair 1/N shrinks roughly as 1/sqrt(vnodes): about ±10% (one
// standard deviation) with 100 virtual nodes, ±3% with 1000. The price is
// memory (one point per virtual node) and build time. Walking clockwise past
// a member's point to the next one is also how Dynamo builds a key's
// "preference list" of replicas, and how a balancer skips a server that is
// down: see [Ring.Walk].
//
// # Layout
//
// The code follows golang/groupcache's consistenthash.Map: New(replicas,
// hash), Add(names...), Get(key), one sorted slice of points searched with a
// binary search. Two differences: points at the same place are ordered by
// name, so the ring depends only on the set of names and never on the order
// they were added in; and Get, Member and Walk take the key's hash (a
// uint64), not the key, because callers already hold numeric keys and choose
// how to hash them. [Mix64] (numeric keys) and [Default] (bytes) are the
// usual choices.
//
// A Ring is built once, by New and Add, and then only read. Reads (Get,
// Member, Walk) are safe from any number of goroutines; Add is not safe
// alongside them. To change membership, build a new Ring and swap it in.
package hashring
