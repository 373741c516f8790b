package balancer_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/scalelab/scalelab/components/balancer"
)

// pool returns healthy servers named a, b, c, ... with the given weights.
func pool(weights ...int) []balancer.Server {
	s := make([]balancer.Server, len(weights))
	for i, w := range weights {
		s[i] = balancer.Server{Name: string(rune('a' + i)), Weight: w, Healthy: true}
	}
	return s
}

// sequence runs p for n picks over servers and returns the names picked.
func sequence(p balancer.Policy, servers []balancer.Server, n int) string {
	var sb strings.Builder
	for range n {
		i := p.Pick(servers, 0)
		if i < 0 {
			sb.WriteByte('-')
			continue
		}
		sb.WriteString(servers[i].Name)
	}
	return sb.String()
}

// allPolicies returns one fresh instance of every policy, by name.
func allPolicies(t testing.TB) []balancer.Policy {
	t.Helper()
	var ps []balancer.Policy
	for _, name := range balancer.PolicyNames() {
		p, err := balancer.NewPolicy(name, 42)
		if err != nil {
			t.Fatal(err)
		}
		ps = append(ps, p)
	}
	return ps
}

func TestRoundRobinCycles(t *testing.T) {
	tests := []struct {
		name      string
		unhealthy []int
		want      string
	}{
		{"all healthy", nil, "abcabcabc"},
		{"b down", []int{1}, "acacacaca"},
		{"a and c down", []int{0, 2}, "bbbbbbbbb"},
		{"all down", []int{0, 1, 2}, "---------"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := pool(1, 1, 1)
			for _, i := range tt.unhealthy {
				s[i].Healthy = false
			}
			if got := sequence(balancer.NewRoundRobin(), s, 9); got != tt.want {
				t.Errorf("got %s, want %s", got, tt.want)
			}
		})
	}
}

func TestSmoothWeightedSequence(t *testing.T) {
	tests := []struct {
		weights []int
		want    string // one full cycle; it must repeat exactly
	}{
		{[]int{5, 1, 1}, "aabacaa"},
		{[]int{4, 2, 1}, "abacaba"},
		{[]int{1, 1, 1}, "abc"},
		{[]int{0, -3, 1}, "abc"}, // weights below 1 count as 1
		{[]int{2, 1}, "aba"},
		{[]int{3}, "aaa"},
	}
	for _, tt := range tests {
		t.Run(tt.want, func(t *testing.T) {
			want := strings.Repeat(tt.want, 3)
			got := sequence(balancer.NewSmoothWeighted(), pool(tt.weights...), len(want))
			if got != want {
				t.Errorf("weights %v: got %s, want %s", tt.weights, got, want)
			}
		})
	}
}

func TestSmoothWeightedProportional(t *testing.T) {
	const cycles = 1000
	for _, weights := range [][]int{{5, 1, 1}, {4, 2, 1}, {7, 3, 2, 1}, {100, 1}, {1, 2, 3, 4, 5, 6}} {
		total := 0
		for _, w := range weights {
			total += w
		}
		s, p := pool(weights...), balancer.NewSmoothWeighted()
		counts := make([]int, len(s))
		for range cycles * total {
			counts[p.Pick(s, 0)]++
		}
		for i, w := range weights {
			if counts[i] != w*cycles {
				t.Errorf("weights %v: server %d picked %d times, want %d", weights, i, counts[i], w*cycles)
			}
		}
	}
}

func TestSmoothWeightedUnhealthyRestartsAtZero(t *testing.T) {
	s, p := pool(5, 1, 1), balancer.NewSmoothWeighted()
	sequence(p, s, 3) // a a b; current weights now a=1 b=-4 c=3
	s[0].Healthy = false
	// a resets to 0; b and c share total 2 starting from b=-4 c=3, so c,
	// which has been waiting, takes four turns while b pays off its debt.
	if got := sequence(p, s, 4); got != "cccc" {
		t.Errorf("with a down: got %s, want cccc", got)
	}
	s[0].Healthy = true
	// From a=0 b=0 c=-1: c is one pick behind the 5,1,1 cycle.
	if got := sequence(p, s, 7); got != "aabaaca" {
		t.Errorf("a back: got %s, want aabaaca", got)
	}
	if got := sequence(p, s, 7); got != "aabaaca" {
		t.Errorf("next cycle: got %s, want aabaaca", got)
	}
}

func TestEveryPolicySkipsUnhealthy(t *testing.T) {
	for _, p := range allPolicies(t) {
		t.Run(p.Name(), func(t *testing.T) {
			s := pool(3, 5, 1, 2)
			s[1].Healthy, s[3].Healthy = false, false
			counts := make([]int, len(s))
			for k := range uint64(2000) {
				i := p.Pick(s, k)
				if i < 0 || i >= len(s) {
					t.Fatalf("pick %d: got index %d", k, i)
				}
				counts[i]++
			}
			if counts[1] != 0 || counts[3] != 0 {
				t.Errorf("unhealthy servers picked: %v", counts)
			}
			if counts[0] == 0 || counts[2] == 0 {
				t.Errorf("a healthy server never picked: %v", counts)
			}
		})
	}
}

func TestEveryPolicyNoHealthy(t *testing.T) {
	down := pool(1, 2, 3)
	for i := range down {
		down[i].Healthy = false
	}
	for _, name := range balancer.PolicyNames() {
		for _, tc := range []struct {
			desc    string
			servers []balancer.Server
		}{{"zero servers", nil}, {"all unhealthy", down}} {
			t.Run(name+"/"+tc.desc, func(t *testing.T) {
				p, _ := balancer.NewPolicy(name, 1)
				for k := range uint64(10) {
					if i := p.Pick(tc.servers, k); i != -1 {
						t.Fatalf("Policy.Pick = %d, want -1", i)
					}
				}
				b := balancer.New(p)
				for _, s := range tc.servers {
					b.Add(s.Name, s.Weight)
					b.SetHealthy(s.Name, false)
				}
				if i, err := b.Pick(7); i != -1 || !errors.Is(err, balancer.ErrNoHealthy) {
					t.Fatalf("Balancer.Pick = %d, %v; want -1, ErrNoHealthy", i, err)
				}
			})
		}
	}
}

func TestLeastConnPicksIdle(t *testing.T) {
	s := pool(1, 1, 1, 1)
	for i, n := range []int{3, 0, 2, 0} {
		s[i].InFlight = n
	}
	s[1].Healthy = false // the idle b is down: d is the idle one
	if got := balancer.NewLeastConn().Pick(s, 0); got != 3 {
		t.Errorf("got %d, want 3", got)
	}
}

func TestLeastConnTiesRoundRobin(t *testing.T) {
	s, p := pool(1, 1, 1), balancer.NewLeastConn()
	if got := sequence(p, s, 6); got != "abcabc" {
		t.Errorf("all idle: got %s, want abcabc", got)
	}
	s[0].InFlight, s[1].InFlight, s[2].InFlight = 2, 1, 1
	if got := sequence(p, s, 4); got != "bcbc" {
		t.Errorf("b and c tied: got %s, want bcbc", got)
	}
}

func TestLeastConnThroughBalancer(t *testing.T) {
	b := balancer.New(balancer.NewLeastConn(), "a", "b", "c")
	var got []int
	for range 6 { // never Done: in-flight evens out, ties rotate
		i, _ := b.Pick(0)
		got = append(got, i)
	}
	if want := []int{0, 1, 2, 0, 1, 2}; !equal(got, want) {
		t.Fatalf("got %v, want %v", got, want)
	}
	b.Done(1)
	if i, _ := b.Pick(0); i != 1 {
		t.Errorf("after Done(1): got %d, want 1", i)
	}
}

func TestP2CNeverPicksTheBusier(t *testing.T) {
	p := balancer.NewP2C(7)
	two := pool(1, 1, 1)
	two[0].InFlight, two[1].Healthy, two[2].InFlight = 5, false, 2
	for range 1000 { // its two are always a and c: always c
		if got := p.Pick(two, 0); got != 2 {
			t.Fatalf("got %d, want 2 (the less loaded of the only two)", got)
		}
	}
	// Loads 0 < 1 < 2 < 3: d is the busier of every pair, so never chosen;
	// a wins 3 of the 6 pairs, b 2, c 1.
	s := pool(1, 1, 1, 1)
	for i := range s {
		s[i].InFlight = i
	}
	counts := make([]int, len(s))
	for range 60000 {
		counts[p.Pick(s, 0)]++
	}
	if counts[3] != 0 {
		t.Errorf("busiest picked %d times", counts[3])
	}
	for i, want := range []int{30000, 20000, 10000} {
		if d := counts[i] - want; d < -1000 || d > 1000 {
			t.Errorf("server %d picked %d times, want about %d", i, counts[i], want)
		}
	}
}

func TestRandomIsUniformAndSeeded(t *testing.T) {
	s := pool(1, 1, 1)
	counts := make([]int, len(s))
	p := balancer.NewRandom(3)
	for range 30000 {
		counts[p.Pick(s, 0)]++
	}
	for i, c := range counts {
		if c < 9000 || c > 11000 {
			t.Errorf("server %d picked %d times of 30000, want about 10000", i, c)
		}
	}
	a, b := balancer.NewRandom(9), balancer.NewRandom(9)
	if x, y := sequence(a, s, 50), sequence(b, s, 50); x != y {
		t.Errorf("same seed, different sequences: %s vs %s", x, y)
	}
}

func TestPoliciesReset(t *testing.T) {
	for _, p := range allPolicies(t) {
		t.Run(p.Name(), func(t *testing.T) {
			s := pool(5, 1, 1)
			first := sequence(p, s, 20)
			p.(interface{ Reset() }).Reset()
			if again := sequence(p, s, 20); again != first {
				t.Errorf("after Reset: %s, want %s", again, first)
			}
		})
	}
}

func TestNewPolicy(t *testing.T) {
	for _, name := range balancer.PolicyNames() {
		p, err := balancer.NewPolicy(" "+strings.ToUpper(name)+" ", 1)
		if err != nil || p.Name() != name {
			t.Errorf("NewPolicy(%q) = %v, %v", name, p, err)
		}
	}
	_, err := balancer.NewPolicy("fastest", 1)
	want := `balancer: unknown policy "fastest" (accepted: round-robin, weighted, least-conn, random, p2c, hash)`
	if err == nil || err.Error() != want {
		t.Errorf("got %v, want %s", err, want)
	}
}

func equal(a, b []int) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
