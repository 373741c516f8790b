package shard

import (
	"fmt"
	"strings"
)

// Strategy is a way of dividing keys among shards: "mod", "range" or
// "ring". It does not route keys itself; for a given list of shards it
// builds a Locator that does.
//
// The split follows what each costs. Building may be slow (a ring hashes
// every virtual node and sorts them) and happens once per membership or
// strategy change; locating must be fast, because a Cluster does it on every
// Get and Put. A Cluster keeps the Locator for its current shard list and
// builds a new one in AddShard, RemoveShard and SetStrategy.
type Strategy interface {
	// Name is the short name of the strategy: "mod", "range" or "ring".
	Name() string
	// Build returns a Locator for exactly these shards, in this order. It
	// copies what it needs, so the caller may reuse shards afterwards.
	Build(shards []string) Locator
}

// Locator maps a key to the shard that owns it, for the fixed shard list it
// was built for.
//
// Locate returns one of the shard names, or "" when the list was empty. It
// must be safe for concurrent use and should not allocate.
type Locator interface {
	Locate(key uint64) string
}

// StrategyNames lists the names NewStrategy accepts, in the order the lab
// shows them.
var StrategyNames = []string{"mod", "range", "ring"}

// NewStrategy builds a strategy by its short name ("mod", "range" or "ring";
// case and surrounding spaces are ignored) with default hashing. vnodes is used
// only by "ring" (<= 0 means DefaultVnodes) and keySpace only by "range"
// (0 means the whole uint64 range). An unknown name is an error that lists
// the accepted names.
func NewStrategy(name string, vnodes int, keySpace uint64) (Strategy, error) {
	switch strings.ToLower(strings.TrimSpace(name)) {
	case "mod":
		return NewModN(nil), nil
	case "range":
		return NewRange(keySpace), nil
	case "ring":
		return NewRing(vnodes, nil), nil
	}
	return nil, fmt.Errorf("unknown shard strategy %q: accepted %s", name, strings.Join(StrategyNames, ", "))
}
