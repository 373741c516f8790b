package shard

import (
	"fmt"
	"strings"
)

// Strategy maps a key to the shard that owns it.
//
// Locate receives the current shard names in order and returns one of them.
// It must be safe for concurrent use and should not allocate: a Cluster calls
// it on every Get and Put. With an empty shards list Locate returns "".
type Strategy interface {
	// Name is the short name of the strategy: "mod", "range" or "ring".
	Name() string
	// Locate returns the name of the shard that owns key.
	Locate(key uint64, shards []string) string
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
