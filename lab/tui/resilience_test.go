package tui

import (
	"strings"
	"testing"
	"time"

	"github.com/scalelab/scalelab/components/retry"
	"github.com/scalelab/scalelab/lab"
)

// Warming, draining and unlisted servers say so in the Routing panel, and
// the autoscaler's line shows utilisation against target and desired
// against actual.
func TestRoutingPanelFleet(t *testing.T) {
	topo := lab.Topology{Webs: []string{"web-1", "web-2", "web-3", "web-4"}, Policy: "round-robin"}
	v := viewAt(10, topo, nil)
	v.Fleet = lab.FleetStats{Serving: 3, Warming: 1, WarmingNames: []string{"web-4"}, Draining: 1, DrainingNames: []string{"web-3"},
		Autoscale: true, Target: 0.6, Utilization: 0.72, Desired: 5}
	v.Discovery = lab.DiscoveryStats{On: true, Listed: []string{"web-1", "web-3", "web-4"}}
	p := NewRoutingPanel(fixedViewCommon(t))
	p.SetSize(70, 12)
	p.SetView(v)
	out := p.View()
	assertExactSize(t, out, 70, 12)
	assertContains(t, out, "warming", "draining", "unlisted", "autoscale util 72.0% / target 60.0% · want 5 · have 4 (1 warming)")
	// Without any of it, none of it shows.
	p.SetView(viewAt(10, topo, nil))
	if out := p.View(); strings.Contains(out, "autoscale") || strings.Contains(out, "warming") || strings.Contains(out, "unlisted") {
		t.Errorf("fleet words with nothing to say:\n%s", out)
	}
}

func TestLatencyPanelLimiter(t *testing.T) {
	v := viewAt(10, lab.Topology{}, nil)
	v.Limit = lab.LimitStats{On: true, Rate: 1200, Rejected: 1300, Ratio: 0.52}
	p := NewLatencyPanel(fixedViewCommon(t))
	p.SetSize(80, 10)
	p.SetView(v)
	assertContains(t, p.View(), "limited 52.0% (1300/s) of 1200/s")
	p.SetView(viewAt(11, lab.Topology{}, nil))
	if strings.Contains(p.View(), "limited") {
		t.Error("limiter shown while off")
	}
}

func TestBreakerPanelRetries(t *testing.T) {
	v := viewAt(10, lab.Topology{Payments: true}, nil)
	v.Calls = []lab.CallStats{{Name: "payments", Timeout: 150 * time.Millisecond, Retry: retry.Policy{Attempts: 5},
		Amplification: 4.98, SuccessRatio: 0, Timeouts: 130}}
	p := NewBreakerPanel(fixedViewCommon(t))
	p.SetSize(80, 14)
	p.SetView(v)
	assertContains(t, p.View(), "timeout 150ms", "130/s timed out", "retries 5× at once", "×4.98 calls", "ok 0.0%")
	v.Calls = []lab.CallStats{{Name: "payments", Timeout: time.Second, Retry: retry.Policy{Attempts: 1}}}
	p.SetView(v)
	if strings.Contains(p.View(), "retries") || strings.Contains(p.View(), "timeout") {
		t.Error("calls line without retries or timeouts")
	}
}

// While the autoscaler runs, the Routing panel charts the servers wanted,
// had and in service over the last 60 s, when it has the rows.
func TestRoutingPanelAutoscaleChart(t *testing.T) {
	topo := lab.Topology{Webs: []string{"web-1", "web-2", "web-3"}, Policy: "round-robin"}
	p := NewRoutingPanel(fixedViewCommon(t))
	p.SetSize(60, 20)
	for sec := 1; sec <= 30; sec++ {
		v := viewAt(float64(sec), topo, nil)
		v.Fleet = lab.FleetStats{Serving: 3, Receiving: 3, Autoscale: true, Target: 0.5, Utilization: 0.7, Desired: 3 + sec/10, Max: 8}
		p.SetView(v)
	}
	out := p.View()
	assertExactSize(t, out, 60, 20)
	assertContains(t, out, "want have in service, last 60 s", "10│", "0│")
	p.SetSize(60, 9) // too few rows: the line, no chart
	if out := p.View(); strings.Contains(out, "last 60 s") || !strings.Contains(out, "autoscale util") {
		t.Errorf("a 9-row panel should keep the autoscaler's line and drop its chart:\n%s", out)
	}
}

// The map marks warming, draining and unlisted web servers in place of
// their health (never a database), and shows the limiter at the edge.
func TestMapFleetAndLimiter(t *testing.T) {
	topo := lab.Topology{Title: "Shop", Webs: []string{"web-1", "web-2", "web-3"}, DBs: []string{"db-1"}, DBServers: []string{"db-1"}, Policy: "round-robin"}
	v := viewAt(10, topo, nil)
	v.Fleet = lab.FleetStats{Serving: 2, Warming: 1, WarmingNames: []string{"web-3"}, Draining: 0}
	v.Discovery = lab.DiscoveryStats{On: true, Listed: []string{"web-1", "web-3"}}
	v.Limit = lab.LimitStats{On: true, Rate: 1200, Ratio: 0.52}
	m := NewMapPanel(fixedViewCommon(t))
	m.SetSize(150, MapHeight(topo))
	m.SetView(v)
	out := m.View()
	assertContains(t, out, "web-3 ↑ warm", "web-2 ○ unlisted", "limit", "1200/s", "52.0% refused")
	if strings.Contains(out, "db-1 ○") {
		t.Errorf("a database marked unlisted:\n%s", out)
	}
}
