package balancer_test

import (
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/scalelab/scalelab/components/balancer"
)

func TestBalancerCountsInFlightAndPicks(t *testing.T) {
	b := balancer.New(balancer.NewRoundRobin(), "a", "b", "c")
	for range 4 {
		if _, err := b.Pick(0); err != nil {
			t.Fatal(err)
		}
	}
	b.Done(0)
	b.Done(2)
	b.Done(2)   // already 0: stays 0
	b.Done(-1)  // ignored
	b.Done(100) // ignored
	st := b.Stats()
	want := []balancer.ServerStats{
		{Name: "a", Weight: 1, Healthy: true, InFlight: 1, Picks: 2},
		{Name: "b", Weight: 1, Healthy: true, InFlight: 1, Picks: 1},
		{Name: "c", Weight: 1, Healthy: true, InFlight: 0, Picks: 1},
	}
	if st.Policy != "round-robin" || fmt.Sprint(st.Servers) != fmt.Sprint(want) {
		t.Errorf("got %+v, want round-robin %+v", st, want)
	}
}

func TestBalancerNew(t *testing.T) {
	b := balancer.New(nil, "a", "", "b", "a")
	if b.Policy() != "round-robin" || b.Len() != 2 || b.Name(0) != "a" || b.Name(1) != "b" {
		t.Errorf("New(nil, a, \"\", b, a): policy %s, %d servers %q %q", b.Policy(), b.Len(), b.Name(0), b.Name(1))
	}
	if b.Name(2) != "" || b.Name(-1) != "" {
		t.Error("Name out of range not empty")
	}
	if i, ok := b.Index("b"); i != 1 || !ok {
		t.Errorf("Index(b) = %d, %v", i, ok)
	}
	if i, ok := b.Index("z"); i != -1 || ok {
		t.Errorf("Index(z) = %d, %v", i, ok)
	}
}

func TestBalancerErrors(t *testing.T) {
	b := balancer.New(balancer.NewSmoothWeighted(), "web-1", "web-2")
	tests := []struct {
		name string
		err  error
		want string
	}{
		{"SetWeight unknown", b.SetWeight("web-9", 2), `balancer: unknown server "web-9" (known: web-1, web-2)`},
		{"SetHealthy unknown", b.SetHealthy("web-9", false), `balancer: unknown server "web-9" (known: web-1, web-2)`},
		{"SetWeight zero", b.SetWeight("web-1", 0), `balancer: weight 0 for "web-1": accepted 1..1000000`},
		{"SetWeight huge", b.SetWeight("web-1", 1<<40), `balancer: weight 1099511627776 for "web-1": accepted 1..1000000`},
		{"Add duplicate", second(b.Add("web-2", 1)), `balancer: server "web-2" already exists`},
		{"Add empty", second(b.Add("", 1)), `balancer: empty server name`},
	}
	for _, tt := range tests {
		if tt.err == nil || tt.err.Error() != tt.want {
			t.Errorf("%s: got %v, want %s", tt.name, tt.err, tt.want)
		}
	}
	if b.Len() != 2 {
		t.Errorf("failed calls changed the pool: %d servers", b.Len())
	}
	for _, s := range b.Stats().Servers {
		if s.Weight != 1 || !s.Healthy {
			t.Errorf("failed calls changed %+v", s)
		}
	}
}

func second(_ int, err error) error { return err }

func TestBalancerAddClampsWeight(t *testing.T) {
	b := balancer.New(nil)
	for _, tc := range []struct{ in, want int }{{0, 1}, {-5, 1}, {7, 7}, {1 << 50, balancer.MaxWeight}} {
		name := fmt.Sprint("w", tc.in)
		i, err := b.Add(name, tc.in)
		if err != nil {
			t.Fatal(err)
		}
		if got := b.Stats().Servers[i].Weight; got != tc.want {
			t.Errorf("Add(%s, %d): weight %d, want %d", name, tc.in, got, tc.want)
		}
	}
}

func TestBalancerWeightsAndHealth(t *testing.T) {
	b := balancer.New(balancer.NewSmoothWeighted(), "a", "b", "c")
	if err := b.SetWeight("a", 5); err != nil {
		t.Fatal(err)
	}
	if got := pickNames(b, 7); got != "aabacaa" {
		t.Errorf("5,1,1: got %s", got)
	}
	if err := b.SetHealthy("a", false); err != nil {
		t.Fatal(err)
	}
	if got := pickNames(b, 4); got != "bcbc" {
		t.Errorf("a down: got %s, want bcbc", got)
	}
}

// pickNames picks n times (each request done at once) and returns the names.
func pickNames(b *balancer.Balancer, n int) string {
	s := ""
	for k := range n {
		i, err := b.Pick(uint64(k))
		if err != nil {
			return s + "-"
		}
		b.Done(i)
		s += b.Name(i)
	}
	return s
}

func TestBalancerSetPolicyResetsStateKeepsCounts(t *testing.T) {
	rr := balancer.NewRoundRobin()
	b := balancer.New(rr, "a", "b", "c")
	if got := pickNames(b, 2); got != "ab" {
		t.Fatalf("got %s", got)
	}
	b.SetPolicy(balancer.NewLeastConn())
	b.SetPolicy(nil) // ignored
	if b.Policy() != "least-conn" {
		t.Errorf("policy %s, want least-conn", b.Policy())
	}
	b.SetPolicy(rr) // the same instance comes back reset: starts at a
	if got := pickNames(b, 3); got != "abc" {
		t.Errorf("after SetPolicy: got %s, want abc", got)
	}
	var picks uint64
	for _, s := range b.Stats().Servers {
		picks += s.Picks
	}
	if picks != 5 {
		t.Errorf("picks %d, want 5 (kept across SetPolicy)", picks)
	}
}

// badPolicy returns whatever index it is told to.
type badPolicy int

func (badPolicy) Name() string                         { return "bad" }
func (p badPolicy) Pick([]balancer.Server, uint64) int { return int(p) }

func TestBalancerRejectsBadIndex(t *testing.T) {
	for _, p := range []badPolicy{-1, 1, 99} {
		b := balancer.New(p, "a", "b")
		b.SetHealthy("b", false)
		if i, err := b.Pick(0); i != -1 || !errors.Is(err, balancer.ErrNoHealthy) {
			t.Errorf("policy returning %d: Pick = %d, %v", p, i, err)
		}
		for _, s := range b.Stats().Servers {
			if s.InFlight != 0 || s.Picks != 0 {
				t.Errorf("policy returning %d counted %+v", p, s)
			}
		}
	}
}

func TestEveryPolicyAdd(t *testing.T) {
	for _, p := range allPolicies(t) {
		t.Run(p.Name(), func(t *testing.T) {
			b := balancer.New(p, "a", "b")
			pickNames(b, 20)
			c, err := b.Add("c", 3)
			if err != nil || c != 2 {
				t.Fatalf("Add = %d, %v", c, err)
			}
			for k := range uint64(200) {
				i, err := b.Pick(k)
				if err != nil {
					t.Fatal(err)
				}
				b.Done(i)
			}
			if got := b.Stats().Servers[c].Picks; got == 0 {
				t.Error("added server never picked")
			}
		})
	}
}

func TestConcurrentPickDone(t *testing.T) {
	const workers, picks = 4, 2000
	b := balancer.New(balancer.NewP2C(1), "a", "b", "c")
	var (
		wg     sync.WaitGroup
		mu     sync.Mutex
		picked uint64
	)
	for w := range workers {
		wg.Go(func() {
			n := uint64(0)
			for k := range picks {
				i, err := b.Pick(uint64(w*picks + k))
				if err != nil {
					continue // a moment with nobody healthy is allowed
				}
				n++
				b.Done(i)
			}
			mu.Lock()
			picked += n
			mu.Unlock()
		})
	}
	wg.Go(func() { // the lab changing things underneath
		for k := range 200 {
			name := b.Name(k % b.Len())
			b.SetHealthy(name, k%3 != 0)
			b.SetWeight(name, 1+k%5)
			if k%50 == 0 {
				b.Add(fmt.Sprint("x", k), 2)
			}
			p, _ := balancer.NewPolicy(balancer.PolicyNames()[k%6], uint64(k))
			b.SetPolicy(p)
			_ = b.Stats()
		}
	})
	wg.Wait()
	var total uint64
	for _, s := range b.Stats().Servers {
		if s.InFlight != 0 {
			t.Errorf("%s: %d in flight after all Done", s.Name, s.InFlight)
		}
		total += s.Picks
	}
	if total != picked || picked == 0 {
		t.Errorf("servers counted %d picks, workers made %d", total, picked)
	}
}

func BenchmarkPickDone(b *testing.B) {
	for _, name := range balancer.PolicyNames() {
		b.Run(name, func(b *testing.B) {
			p, _ := balancer.NewPolicy(name, 1)
			lb := balancer.New(p, "web-1", "web-2", "web-3")
			lb.SetWeight("web-1", 5)
			b.ReportAllocs()
			k := uint64(0)
			for b.Loop() {
				i, err := lb.Pick(k)
				if err != nil {
					b.Fatal(err)
				}
				lb.Done(i)
				k++
			}
		})
	}
}

func BenchmarkPolicyPick(b *testing.B) {
	for _, name := range balancer.PolicyNames() {
		b.Run(name, func(b *testing.B) {
			p, _ := balancer.NewPolicy(name, 1)
			s := pool(5, 1, 1)
			b.ReportAllocs()
			k := uint64(0)
			for b.Loop() {
				p.Pick(s, k)
				k++
			}
		})
	}
}

// The nginx sequence for weights 5, 1, 1: a is picked five times in seven,
// but never more than twice in a row.
func ExampleNewSmoothWeighted() {
	b := balancer.New(balancer.NewSmoothWeighted(), "a", "b", "c")
	b.SetWeight("a", 5)
	var seq []string
	for range 7 {
		i, _ := b.Pick(0)
		seq = append(seq, b.Name(i))
		b.Done(i)
	}
	fmt.Println(strings.Join(seq, " "))
	// Output: a a b a c a a
}

// A balancer over three servers with one taken out: round-robin skips it.
func ExampleBalancer() {
	b := balancer.New(balancer.NewRoundRobin(), "web-1", "web-2", "web-3")
	b.SetHealthy("web-2", false)
	for range 4 {
		i, _ := b.Pick(0)
		fmt.Println(b.Name(i))
		b.Done(i)
	}
	for _, s := range b.Stats().Servers {
		fmt.Printf("%s healthy=%v picks=%d\n", s.Name, s.Healthy, s.Picks)
	}
	// Output:
	// web-1
	// web-3
	// web-1
	// web-3
	// web-1 healthy=true picks=2
	// web-2 healthy=false picks=0
	// web-3 healthy=true picks=2
}

// Out of service a server gets no requests whatever its health, and back
// in service it gets them only if healthy: the two are kept apart.
func TestBalancerInService(t *testing.T) {
	b := balancer.New(balancer.NewRoundRobin(), "a", "b")
	if err := b.SetInService("b", false); err != nil {
		t.Fatal(err)
	}
	for range 4 {
		if i, _ := b.Pick(0); i != 0 {
			t.Fatalf("picked %d, want only a while b is out of service", i)
		}
	}
	_ = b.SetHealthy("b", true) // a passing health check does not put it back
	if i, _ := b.Pick(0); i != 0 {
		t.Fatal("a health check put an out-of-service server back")
	}
	_ = b.SetHealthy("b", false)
	_ = b.SetInService("b", true) // back in service, but unhealthy
	for range 4 {
		if i, _ := b.Pick(0); i != 0 {
			t.Fatal("an unhealthy server got a request once back in service")
		}
	}
	_ = b.SetHealthy("b", true)
	seen := map[int]bool{}
	for range 4 {
		i, _ := b.Pick(0)
		seen[i] = true
	}
	if !seen[1] {
		t.Error("b healthy and in service got nothing")
	}
	st := b.Stats().Servers[1]
	if !st.Healthy || st.OutOfService {
		t.Errorf("stats %+v", st)
	}
	_ = b.SetInService("b", false)
	if st := b.Stats().Servers[1]; !st.Healthy || !st.OutOfService {
		t.Errorf("out of service: stats %+v (health is the checks' verdict)", st)
	}
	if err := b.SetInService("zz", false); err == nil {
		t.Error("unknown server accepted")
	}
	_ = b.SetInService("a", false)
	if _, err := b.Pick(0); !errors.Is(err, balancer.ErrNoHealthy) {
		t.Errorf("all out of service: %v", err)
	}
}
