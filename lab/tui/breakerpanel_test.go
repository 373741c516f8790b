package tui

import (
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/ansi"
	"github.com/muesli/termenv"

	"github.com/scalelab/scalelab/components/breaker"
	"github.com/scalelab/scalelab/lab"
)

func breakerTestCommon() *Common {
	lipgloss.SetColorProfile(termenv.Ascii)
	return &Common{Styles: NewStyles(true), Keys: DefaultKeyMap()}
}

// breakerTestView: closed until 10 s, open, half-open at 15, closed at 15.5,
// open again at 20; now 30 s.
func breakerTestView() lab.View {
	v := viewAt(30, lab.Topology{Payments: true}, map[string]float64{
		"breaker.state{name=payments}":          2,
		"breaker.failures{name=payments}":       5,
		"breaker.rejected{name=payments}":       120,
		"breaker.trips{name=payments}":          2,
		"backend.health{backend=payments}":      0,
		"backend.latency.p99{backend=payments}": 230,
	})
	v.Transitions = []lab.Transition{
		{T: 10 * time.Second, From: breaker.Closed, To: breaker.Open},
		{T: 15 * time.Second, From: breaker.Open, To: breaker.HalfOpen},
		{T: 15500 * time.Millisecond, From: breaker.HalfOpen, To: breaker.Closed},
		{T: 20 * time.Second, From: breaker.Closed, To: breaker.Open},
	}
	return v
}

func breakerTestRender(t *testing.T, v lab.View, w, h int) string {
	t.Helper()
	p := NewBreakerPanel(breakerTestCommon())
	p.SetSize(w, h)
	p.SetView(v)
	out := p.View()
	if gw, gh := lipgloss.Width(out), lipgloss.Height(out); gw != w || gh != h {
		t.Fatalf("size %dx%d, want %dx%d:\n%s", gw, gh, w, h, out)
	}
	return ansi.Strip(out)
}

func TestBreakerPanelWide(t *testing.T) {
	out := breakerTestRender(t, breakerTestView(), 80, 20)
	strip := "last 60s " + strings.Repeat(" ", 29) + // before the lab started
		strings.Repeat("·", 10) + strings.Repeat("✖", 6) + "◐" + strings.Repeat("·", 3) + strings.Repeat("✖", 11)
	for _, want := range []string{
		"Breaker · payments",
		"breaker ✖ open", "failures 5", "trips 2", "rejected 120/s", "payments ● up · p99 230ms",
		strip,
		"t=10.0s closed → open", "t=15.0s open → half-open", "t=15.5s half-open → closed", "t=20.0s closed → open",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("missing %q in\n%s", want, out)
		}
	}
	// newest last
	if strings.Index(out, "t=15.5s") > strings.Index(out, "t=20.0s") {
		t.Errorf("transitions not oldest first:\n%s", out)
	}
}

func TestBreakerPanelNarrow(t *testing.T) {
	out := breakerTestRender(t, breakerTestView(), 40, 10)
	for _, want := range []string{
		"breaker ✖ open  failures 5  trips 2", "rejected 120/s", "payments ● up · p99 230ms",
		"last 27s " + strings.Repeat("·", 6) + strings.Repeat("✖", 6) + "◐" + strings.Repeat("·", 3) + strings.Repeat("✖", 11),
		"t=15.0s open → half-open", "t=20.0s closed → open",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("missing %q in\n%s", want, out)
		}
	}
	if strings.Contains(out, "t=10.0s") {
		t.Errorf("oldest transition should be dropped for room:\n%s", out)
	}
}

func TestBreakerPanelNoPayments(t *testing.T) {
	v := breakerTestView()
	v.Topology.Payments = false
	v.Breakers = nil // a lab without payments has no breaker to report
	for _, sz := range [][2]int{{40, 10}, {80, 20}} {
		out := breakerTestRender(t, v, sz[0], sz[1])
		if !strings.Contains(out, "no breaker in this preset") || strings.Contains(out, "failures") {
			t.Errorf("%v: want only the no-breaker note:\n%s", sz, out)
		}
	}
}

func TestBreakerPanelNoTransitions(t *testing.T) {
	v := breakerTestView()
	v.Transitions = nil
	setValue(&v, "breaker.state{name=payments}", 0)
	setValue(&v, "lab.time", 100)
	out := breakerTestRender(t, v, 80, 20)
	for _, want := range []string{"breaker ● closed", "last 60s " + strings.Repeat("·", 60), "no transitions yet"} {
		if !strings.Contains(out, want) {
			t.Errorf("missing %q in\n%s", want, out)
		}
	}
}

func TestBreakerStripBriefOpenShows(t *testing.T) {
	// Open for 0.2 s inside one second: that second shows open.
	sec := func(x float64) time.Duration { return time.Duration(x * float64(time.Second)) }
	trs := []lab.Transition{
		{T: sec(58.3), From: breaker.Closed, To: breaker.Open},
		{T: sec(58.5), From: breaker.Open, To: breaker.HalfOpen},
		{T: sec(58.6), From: breaker.HalfOpen, To: breaker.Closed},
	}
	got := breakerStrip(trs, 60*time.Second, breaker.Closed)
	for i, c := range got {
		want := breaker.Closed
		if i == 58 { // covers (58, 59]
			want = breaker.Open
		}
		if c != want {
			t.Errorf("cell %d = %d, want %d", i, c, want)
		}
	}
}

// breakerRatioView is breakerTestView with the breaker on the ratio rule:
// 60% of the 25 calls in its window failed.
func breakerRatioView() lab.View {
	v := breakerTestView()
	b := &v.Breakers[0]
	b.Mode, b.Ratio, b.MinRequests, b.Window = breaker.FailureRatio, 0.5, 20, 10*time.Second
	b.WindowCalls, b.FailureRatio = 25, 0.6
	return v
}

func TestBreakerPanelRule(t *testing.T) {
	tests := []struct {
		name    string
		view    lab.View
		w, h    int
		want    []string
		notWant []string
	}{
		{"consecutive, wide", breakerTestView(), 80, 20,
			[]string{"failures 5", "trips at 5 in a row · open 10s · trials 1"}, []string{"failed"}},
		{"consecutive, narrow: settings left out for room", breakerTestView(), 40, 10,
			[]string{"failures 5"}, []string{"trips at"}},
		{"ratio, wide", breakerRatioView(), 80, 20,
			[]string{"breaker ✖ open  failed 60.0% of 25  trips 2", "trips at 50% of ≥20 in 10s · open 10s · trials 1"},
			[]string{"failures"}},
		{"ratio, narrow: the rule stays", breakerRatioView(), 40, 10,
			[]string{"failed 60.0% of 25", "trips at 50% of ≥20 in 10s", "t=20.0s closed → open"},
			[]string{"failures", "open 10s"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out := breakerTestRender(t, tt.view, tt.w, tt.h)
			for _, want := range tt.want {
				if !strings.Contains(out, want) {
					t.Errorf("missing %q in\n%s", want, out)
				}
			}
			for _, not := range tt.notWant {
				if strings.Contains(out, not) {
					t.Errorf("unexpected %q in\n%s", not, out)
				}
			}
		})
	}
}

func TestBreakerRuleText(t *testing.T) {
	for _, tt := range []struct {
		b    lab.BreakerStats
		want string
	}{
		{lab.BreakerStats{Threshold: 5}, "5 in a row"},
		{lab.BreakerStats{Mode: breaker.FailureRatio, Ratio: 0.5, MinRequests: 20, Window: 10 * time.Second}, "50% of ≥20 in 10s"},
		{lab.BreakerStats{Mode: breaker.FailureRatio, Ratio: 1.0 / 3, MinRequests: 3, Window: 1500 * time.Millisecond}, "33.3% of ≥3 in 1.5s"},
		{lab.BreakerStats{Mode: breaker.FailureRatio, Ratio: 0.3, MinRequests: 1, Window: time.Minute}, "30% of ≥1 in 1m0s"},
	} {
		if got := tt.b.Rule(); got != tt.want {
			t.Errorf("Rule() = %q, want %q", got, tt.want)
		}
	}
}
