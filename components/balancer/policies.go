package balancer

import (
	"fmt"
	"strings"
)

// policies is every policy NewPolicy can build, in the order PolicyNames
// lists them. Adding a policy is one new file with its type and one line
// here; name must equal what the policy's Name returns.
var policies = []struct {
	name string
	new  func(seed uint64) Policy // seed feeds the random policies
}{
	{"round-robin", func(uint64) Policy { return NewRoundRobin() }},
	{"weighted", func(uint64) Policy { return NewSmoothWeighted() }},
	{"least-conn", func(uint64) Policy { return NewLeastConn() }},
	{"random", NewRandom},
	{"p2c", NewP2C},
	{"hash", func(uint64) Policy { return NewConsistentHash(0, nil) }},
}

// PolicyNames lists the names NewPolicy accepts, in a fixed order. The
// caller owns the returned slice.
func PolicyNames() []string {
	names := make([]string, len(policies))
	for i, p := range policies {
		names[i] = p.name
	}
	return names
}

// NewPolicy returns a new policy by its Name (case-insensitive, surrounding
// spaces ignored). seed feeds the random policies; "hash" uses
// hashring.DefaultVnodes virtual nodes and hashring.Default.
func NewPolicy(name string, seed uint64) (Policy, error) {
	want := strings.ToLower(strings.TrimSpace(name))
	for _, p := range policies {
		if p.name == want {
			return p.new(seed), nil
		}
	}
	return nil, fmt.Errorf("balancer: unknown policy %q (accepted: %s)", name, strings.Join(PolicyNames(), ", "))
}
