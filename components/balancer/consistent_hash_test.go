package balancer_test

import (
	"testing"

	"github.com/scalelab/scalelab/components/balancer"
	"github.com/scalelab/scalelab/components/hashring"
)

// owners returns the server each of keys 0..n-1 maps to.
func owners(p balancer.Policy, s []balancer.Server, n int) []int {
	o := make([]int, n)
	for k := range o {
		o[k] = p.Pick(s, uint64(k))
	}
	return o
}

func TestConsistentHashSameKeySameServer(t *testing.T) {
	s := pool(1, 1, 1)
	p := balancer.NewConsistentHash(0, nil)
	first := owners(p, s, 1000)
	if again := owners(p, s, 1000); !equal(first, again) {
		t.Error("same policy, same keys: different servers")
	}
	if other := owners(balancer.NewConsistentHash(100, hashring.Default), s, 1000); !equal(first, other) {
		t.Error("a second ring with the same settings maps keys differently")
	}
}

func TestConsistentHashBalance(t *testing.T) {
	const keys = 30000
	counts := make([]int, 3)
	for _, o := range owners(balancer.NewConsistentHash(0, nil), pool(1, 1, 1), keys) {
		counts[o]++
	}
	for i, c := range counts { // 100 vnodes: within ±20% of a fair 10000
		if c < 8000 || c > 12000 {
			t.Errorf("server %d owns %d of %d keys: %v", i, c, keys, counts)
		}
	}
}

func TestConsistentHashUnhealthyRemapsOnlyItsKeys(t *testing.T) {
	const keys = 10000
	s := pool(1, 1, 1, 1)
	p := balancer.NewConsistentHash(0, nil)
	before := owners(p, s, keys)
	onC := 0
	for _, o := range before {
		if o == 2 {
			onC++
		}
	}
	s[2].Healthy = false
	after := owners(p, s, keys)
	moved := 0
	for k := range after {
		switch {
		case after[k] == 2:
			t.Fatalf("key %d still on the unhealthy server", k)
		case after[k] != before[k]:
			moved++
			if before[k] != 2 {
				t.Fatalf("key %d moved from healthy server %d to %d", k, before[k], after[k])
			}
		}
	}
	if moved != onC || onC == 0 {
		t.Errorf("moved %d keys, want exactly the %d that were on c", moved, onC)
	}
	s[2].Healthy = true
	if back := owners(p, s, keys); !equal(back, before) {
		t.Error("after recovery the mapping differs from the original")
	}
}

func TestConsistentHashAddMovesKeysOnlyToNewServer(t *testing.T) {
	const keys = 10000
	b := balancer.New(balancer.NewConsistentHash(0, nil), "a", "b", "c")
	pick := func(k int) int { i, _ := b.Pick(uint64(k)); b.Done(i); return i }
	before := make([]int, keys)
	for k := range before {
		before[k] = pick(k)
	}
	d, _ := b.Add("d", 1)
	moved := 0
	for k := range before {
		if got := pick(k); got != before[k] {
			moved++
			if got != d {
				t.Fatalf("key %d moved from %d to %d, not to the new server", k, before[k], got)
			}
		}
	}
	if moved < keys/8 || moved > keys*3/8 { // about a quarter
		t.Errorf("%d of %d keys moved to the new server, want about a quarter", moved, keys)
	}
}

func TestConsistentHashInjectedHash(t *testing.T) {
	calls := 0
	constant := func([]byte) uint64 { calls++; return 1 } // every point in one place
	p := balancer.NewConsistentHash(3, constant)
	s := pool(1, 1, 1)
	for k := range uint64(50) { // equal points are ordered by index: a owns the ring
		if got := p.Pick(s, k); got != 0 {
			t.Fatalf("key %d: got %d, want 0", k, got)
		}
	}
	s[0].Healthy = false
	if got := p.Pick(s, 0); got != 1 {
		t.Errorf("a down: got %d, want 1", got)
	}
	if calls != 9 { // 3 servers × 3 vnodes, built once
		t.Errorf("hash called %d times, want 9", calls)
	}
}
