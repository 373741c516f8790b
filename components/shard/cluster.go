package shard

import (
	"errors"
	"fmt"
	"maps"
	"slices"
	"sync"
	"sync/atomic"
)

// Cluster is a set of named shards holding real values, routed by a Strategy.
// Changing the topology (AddShard, RemoveShard) or the strategy (SetStrategy)
// really moves every key whose owner changed and reports how many moved, so
// the price of each strategy is measured, not described.
//
// Invariant: outside a move, every key is stored in exactly the shard that
// Locate names for it.
//
// The cluster routes with a Locator its Strategy built for the current shard
// list; AddShard, RemoveShard and SetStrategy build a new one, so Get and Put
// never rebuild a ring or compare shard lists.
//
// Cluster is safe for concurrent use. An RWMutex guards the topology
// (strategy, shard list): Get and Put hold it for reading, so they run in
// parallel, and each shard has its own RWMutex over its data. Moves hold the
// topology lock for writing, so while keys move every Get and Put waits —
// simple and always consistent, like a stop-the-world rebalance; real systems
// copy in the background and switch ownership per range instead. A move costs
// one Build plus one Locate per stored key.
type Cluster[V any] struct {
	mu         sync.RWMutex
	strategy   Strategy
	locator    Locator  // strategy.Build(names)
	names      []string // shard names in order; replaced, never modified in place
	shards     map[string]*shardData[V]
	lastMoved  int
	totalMoved uint64
}

// shardData is one shard: its values and counters.
type shardData[V any] struct {
	name              string
	mu                sync.RWMutex // guards data
	data              map[uint64]V
	reads, writes     atomic.Uint64
	movedIn, movedOut atomic.Uint64
}

// Copy returns a copy of one shard's data (nil for no such shard): what a
// new replica of it starts from.
func (c *Cluster[V]) Copy(shard string) map[uint64]V {
	c.mu.RLock()
	d := c.shards[shard]
	c.mu.RUnlock()
	if d == nil {
		return nil
	}
	d.mu.RLock()
	defer d.mu.RUnlock()
	return maps.Clone(d.data)
}

// Stats is a snapshot of a Cluster.
type Stats struct {
	Strategy   string       // Name() of the current strategy
	Shards     []ShardStats // one per shard, in shard order
	LastMoved  int          // keys moved by the last AddShard, RemoveShard or SetStrategy
	TotalMoved uint64       // keys moved since the cluster was created
	Keys       int          // keys stored across all shards
}

// ShardStats is a snapshot of one shard.
type ShardStats struct {
	Name     string
	Keys     int    // keys stored on this shard now
	Reads    uint64 // Get calls routed here
	Writes   uint64 // Put calls routed here
	MovedIn  uint64 // keys moved onto this shard by rebalancing
	MovedOut uint64 // keys moved off this shard by rebalancing
}

// Errors returned by AddShard and RemoveShard; test with errors.Is.
var (
	ErrDuplicateShard = errors.New("shard already exists")
	ErrUnknownShard   = errors.New("no such shard")
	ErrLastShard      = errors.New("cannot remove the last shard")
	ErrEmptyName      = errors.New("shard name must not be empty")
)

// DefaultShardName is the single shard a Cluster starts with when
// NewCluster is given no usable names.
const DefaultShardName = "db-1"

// NewCluster returns an empty cluster with the given shards, in order, routed
// by s. A nil s means NewRing(DefaultVnodes, nil). Empty and repeated names
// are skipped; with no names left the cluster starts with one shard named
// DefaultShardName, so it always has at least one.
func NewCluster[V any](s Strategy, names ...string) *Cluster[V] {
	if s == nil {
		s = NewRing(DefaultVnodes, nil)
	}
	c := &Cluster[V]{strategy: s, shards: make(map[string]*shardData[V])}
	for _, n := range names {
		if n == "" || c.shards[n] != nil {
			continue
		}
		c.names = append(c.names, n)
		c.shards[n] = newShardData[V](n)
	}
	if len(c.names) == 0 {
		c.names = []string{DefaultShardName}
		c.shards[DefaultShardName] = newShardData[V](DefaultShardName)
	}
	c.locator = s.Build(c.names)
	return c
}

func newShardData[V any](name string) *shardData[V] {
	return &shardData[V]{name: name, data: make(map[uint64]V)}
}

// Locate returns the shard that owns key now. Cost: one Locator.Locate
// under a read lock.
func (c *Cluster[V]) Locate(key uint64) string {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return c.owner(key, c.locator, c.names).name
}

// owner routes key with loc, built for names. A locator that names a shard
// not in the list (from a buggy custom Strategy) is sent to the first shard,
// so the cluster stays consistent whatever it returns. Callers hold c.mu.
func (c *Cluster[V]) owner(key uint64, loc Locator, names []string) *shardData[V] {
	if sh := c.shards[loc.Locate(key)]; sh != nil {
		return sh
	}
	return c.shards[names[0]]
}

// Get returns the value stored for key, the shard that owns it, and whether
// the key was present, counting one read on that shard. Cost: one Locate, a
// map lookup, two read locks; no allocation.
func (c *Cluster[V]) Get(key uint64) (v V, shard string, ok bool) {
	c.mu.RLock()
	sh := c.owner(key, c.locator, c.names)
	sh.mu.RLock()
	v, ok = sh.data[key]
	sh.mu.RUnlock()
	sh.reads.Add(1)
	c.mu.RUnlock()
	return v, sh.name, ok
}

// Put stores v for key on the shard that owns it, replacing any old value,
// counts one write there and returns the shard's name. Cost: one Locate and
// a map store under the shard's lock.
func (c *Cluster[V]) Put(key uint64, v V) (shard string) {
	c.mu.RLock()
	sh := c.owner(key, c.locator, c.names)
	sh.mu.Lock()
	sh.data[key] = v
	sh.mu.Unlock()
	sh.writes.Add(1)
	c.mu.RUnlock()
	return sh.name
}

// Delete removes key from its shard and reports whether it was there.
// It counts as a write.
func (c *Cluster[V]) Delete(key uint64) bool {
	c.mu.RLock()
	sh := c.owner(key, c.locator, c.names)
	sh.mu.Lock()
	_, ok := sh.data[key]
	delete(sh.data, key)
	sh.mu.Unlock()
	sh.writes.Add(1)
	c.mu.RUnlock()
	return ok
}

// AddShard appends an empty shard called name and moves to it (and, for
// order-dependent strategies like mod and range, between old shards) every
// key whose owner changed, returning how many keys moved. An empty or
// existing name is an error and changes nothing. Readers and writers wait
// while keys move; the cost is one Build and one Locate per stored key.
func (c *Cluster[V]) AddShard(name string) (moved int, err error) {
	if name == "" {
		return 0, fmt.Errorf("add shard: %w", ErrEmptyName)
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.shards[name] != nil {
		return 0, fmt.Errorf("add shard %q: %w", name, ErrDuplicateShard)
	}
	c.shards[name] = newShardData[V](name)
	names := append(slices.Clip(c.names), name) // a new array: readers' old slice is untouched
	return c.rehome(c.strategy, names, nil), nil
}

// RemoveShard moves every key off the named shard (and any other key whose
// owner changed) to its new owner, then drops the shard and its counters,
// returning how many keys moved. Removing an unknown shard or the last one
// is an error and changes nothing. Readers and writers wait while keys move.
func (c *Cluster[V]) RemoveShard(name string) (moved int, err error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.shards[name] == nil {
		return 0, fmt.Errorf("remove shard %q: %w (shards: %v)", name, ErrUnknownShard, c.names)
	}
	if len(c.names) == 1 {
		return 0, fmt.Errorf("remove shard %q: %w", name, ErrLastShard)
	}
	gone := c.shards[name]
	delete(c.shards, name) // first, so no key can be routed back onto it
	names := slices.DeleteFunc(slices.Clone(c.names), func(n string) bool { return n == name })
	return c.rehome(c.strategy, names, gone), nil
}

// SetStrategy switches to s and re-homes every key whose owner differs under
// s, returning how many moved. A nil s is ignored and moves nothing.
// Readers and writers wait while keys move.
func (c *Cluster[V]) SetStrategy(s Strategy) (moved int) {
	if s == nil {
		return 0
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.rehome(s, c.names, nil)
}

// rehome installs strategy s, shard list names (exactly the keys of
// c.shards) and the Locator s builds for them, moving every stored key whose
// owner changed, including every key of gone, a shard already taken out of
// c.shards (nil if none), and records the count. Callers hold c.mu for
// writing, so no Get or Put holds a shard lock and the shard maps can be
// touched without their own locks. A key moved onto a shard not yet scanned
// is checked again there and stays put, so each key moves at most once.
func (c *Cluster[V]) rehome(s Strategy, names []string, gone *shardData[V]) (moved int) {
	sources := make([]*shardData[V], 0, len(names)+1)
	if gone != nil {
		sources = append(sources, gone)
	}
	for _, n := range names {
		sources = append(sources, c.shards[n])
	}
	loc := s.Build(names)
	for _, from := range sources {
		for key, v := range from.data {
			to := c.owner(key, loc, names)
			if to == from {
				continue
			}
			delete(from.data, key)
			to.data[key] = v
			from.movedOut.Add(1)
			to.movedIn.Add(1)
			moved++
		}
	}
	c.strategy, c.locator, c.names = s, loc, names
	c.lastMoved = moved
	c.totalMoved += uint64(moved)
	return moved
}

// Strategy returns the current strategy.
func (c *Cluster[V]) Strategy() Strategy {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return c.strategy
}

// Names returns a copy of the shard names, in order.
func (c *Cluster[V]) Names() []string {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return slices.Clone(c.names)
}

// Len returns the number of keys stored across all shards.
func (c *Cluster[V]) Len() int {
	c.mu.RLock()
	defer c.mu.RUnlock()
	n := 0
	for _, sh := range c.shards {
		sh.mu.RLock()
		n += len(sh.data)
		sh.mu.RUnlock()
	}
	return n
}

// Stats returns a snapshot of the strategy, every shard's keys and counters,
// and the moves so far. Cost: O(shards), briefly taking each shard's lock.
func (c *Cluster[V]) Stats() Stats {
	c.mu.RLock()
	defer c.mu.RUnlock()
	st := Stats{
		Strategy:   c.strategy.Name(),
		Shards:     make([]ShardStats, len(c.names)),
		LastMoved:  c.lastMoved,
		TotalMoved: c.totalMoved,
	}
	for i, n := range c.names {
		sh := c.shards[n]
		sh.mu.RLock()
		keys := len(sh.data)
		sh.mu.RUnlock()
		st.Shards[i] = ShardStats{
			Name: n, Keys: keys,
			Reads: sh.reads.Load(), Writes: sh.writes.Load(),
			MovedIn: sh.movedIn.Load(), MovedOut: sh.movedOut.Load(),
		}
		st.Keys += keys
	}
	return st
}
