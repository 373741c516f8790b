package lab

import (
	"errors"
	"slices"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/scalelab/scalelab/components/breaker"
)

// With the breaker off, checkouts call a hung payments server and wait for
// their timeout; the breaker never trips. Put back, it trips and fails fast.
func TestBreakerOffAndOn(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		l := newLab(t, "shop", 1, nil)
		mustExec(t, l, "breaker payments off", "load 300/s reads=50%", "hang payments", "wait 20s",
			"expect breaker.on{name=payments} == 0",
			"expect breaker.trips{name=payments} == 0",
			"expect breaker.state{name=payments} == closed",
			"expect latency.p99 > 900ms")
		if err := l.Exec("breaker payments off threshold=5", SourceTyped); err == nil {
			t.Error("off with settings was accepted")
		}
		mustExec(t, l, "breaker payments on threshold=5", "wait 5s",
			"expect breaker.on{name=payments} == 1",
			"expect breaker.threshold{name=payments} == 5",
			"expect breaker.trips{name=payments} >= 1",
			"expect breaker.rejected{name=payments} > 0")
		l.Stop()
	})
}

// A dependency failing 40% of its calls never fails 20 in a row, so the
// consecutive rule never trips; the ratio rule does, and the panel's
// numbers say why. threshold= switches back.
func TestBreakerRatioRule(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		l := newLab(t, "shop", 1, nil)
		sub := l.Subscribe(false)
		mustExec(t, l, "breaker payments threshold=20", "load 300/s reads=50%", "errors payments 40%", "wait 20s",
			"expect breaker.mode{name=payments} == consecutive",
			"expect breaker.trips{name=payments} == 0",
			"expect breaker.failure_ratio{name=payments} == 0",
			"breaker payments ratio=30% min=20 window=10s", "wait 5s",
			"expect breaker.mode{name=payments} == ratio",
			"expect breaker.trips{name=payments} >= 1",
			"expect breaker.state{name=payments} == open",
			"expect breaker.failure_ratio{name=payments} >= 30%")
		snap := l.Snapshot()
		br := snap.Breaker("payments")
		if br.Mode != breaker.FailureRatio || br.Ratio != 0.3 || br.MinRequests != 20 || br.Window != 10*time.Second || br.WindowCalls < 20 {
			t.Errorf("ratio rule in the snapshot: %+v", br)
		}
		if got, want := br.Rule(), "30% of ≥20 in 10s"; got != want {
			t.Errorf("Rule() = %q, want %q", got, want)
		}
		if err := l.Exec("breaker payments ratio=50% min=10", SourceTyped); err != nil {
			t.Errorf("retuning the ratio rule: %v", err)
		}
		if err := l.Exec("breaker payments window=5s", SourceTyped); err != nil {
			t.Errorf("window alone under the ratio rule: %v", err)
		}
		if snap := l.Snapshot(); snap.Breaker("payments").Rule() != "50% of ≥10 in 5s" {
			t.Errorf("after retuning: %s", snap.Breaker("payments").Rule())
		}
		mustExec(t, l, "breaker payments threshold=5",
			"expect breaker.mode{name=payments} == consecutive",
			"expect breaker.threshold{name=payments} == 5",
			"expect breaker.failure_ratio{name=payments} == 0")
		if err := l.Exec("breaker payments min=20", SourceTyped); err == nil || !strings.Contains(err.Error(), "give ratio=P% too") {
			t.Errorf("min under the consecutive rule: err = %v", err)
		}
		if err := l.Exec("breaker payments off ratio=50%", SourceTyped); err == nil {
			t.Error("off with a ratio was accepted")
		}
		l.Stop()
		sub.Unsubscribe()
		var rules []string
		for _, e := range sub.Drain() {
			if strings.HasPrefix(e.Detail, "breaker now trips at ") {
				rules = append(rules, strings.TrimPrefix(e.Detail, "breaker now trips at "))
			}
		}
		if want := []string{"30% of ≥20 in 10s", "5 in a row"}; !slices.Equal(rules, want) {
			t.Errorf("rule events %q, want %q (retuning a rule is not a new rule)", rules, want)
		}
	})
}

func TestBreakerParseErrors(t *testing.T) {
	tests := []struct {
		line string
		col  int
		msg  string
	}{
		{"breaker payments threshold=5 ratio=50%", 30, "threshold=5 and ratio=50% are alternatives: give one"},
		{"breaker payments ratio=50% threshold=5", 28, "are alternatives"},
		{"breaker payments threshold=5 min=20", 30, "give one rule"},
		{"breaker payments window=10s threshold=5", 29, "give one rule"},
		{"breaker payments ratio=0%", 18, "more than 0%"},
		{"breaker payments ratio=150%", 18, "out of range 0%..100%"},
		{"breaker payments ratio=half", 18, "not a percentage"},
		{"breaker payments min=0", 18, "min: 0 is out of range 1..1000000"},
		{"breaker payments window=10ms", 18, "window: 10ms is out of range 100ms..1h0m0s"},
	}
	for _, tt := range tests {
		_, err := Parse(tt.line)
		var se *SyntaxError
		if !errors.As(err, &se) || se.Col != tt.col || !strings.Contains(se.Msg, tt.msg) {
			t.Errorf("%s: err = %v, want col %d %q", tt.line, err, tt.col, tt.msg)
		}
	}
	for _, line := range []string{
		"breaker payments ratio=50% min=20 window=10s",
		"breaker payments ratio=0.5 open=5s trials=2",
		"breaker payments min=20 window=10s",
		"breaker payments threshold=5 open=10s trials=1",
	} {
		if _, err := Parse(line); err != nil {
			t.Errorf("%s: %v", line, err)
		}
	}
}

func TestBreakerPresetRule(t *testing.T) {
	tests := []struct {
		name string
		edit func(c *PaymentsConf)
		err  string // "" for valid
		rule string
	}{
		{"shipped", func(c *PaymentsConf) {}, "", "5 in a row"},
		{"ratio", func(c *PaymentsConf) {
			c.Mode, c.Threshold, c.Ratio, c.Min, c.Window = "ratio", 0, 0.25, 40, Duration(5*time.Second)
		}, "", "25% of ≥40 in 5s"},
		{"ratio with Hystrix's defaults", func(c *PaymentsConf) { c.Mode, c.Threshold, c.Ratio = "ratio", 0, 0.5 }, "", "50% of ≥20 in 10s"},
		{"explicit consecutive", func(c *PaymentsConf) { c.Mode = "consecutive" }, "", "5 in a row"},
		{"unknown mode", func(c *PaymentsConf) { c.Mode = "hystrix" }, "payments.mode", ""},
		{"ratio settings without the mode", func(c *PaymentsConf) { c.Ratio = 0.5 }, `add "mode": "ratio"`, ""},
		{"threshold with ratio mode", func(c *PaymentsConf) { c.Mode, c.Ratio = "ratio", 0.5 }, "threshold sets the consecutive rule", ""},
		{"no ratio", func(c *PaymentsConf) { c.Mode, c.Threshold = "ratio", 0 }, "payments.ratio: 0 is out of range", ""},
		{"ratio above 1", func(c *PaymentsConf) { c.Mode, c.Threshold, c.Ratio = "ratio", 0, 50 }, "payments.ratio: 50", ""},
		{"negative min", func(c *PaymentsConf) { c.Mode, c.Threshold, c.Ratio, c.Min = "ratio", 0, 0.5, -1 }, "payments.min", ""},
		{"short window", func(c *PaymentsConf) {
			c.Mode, c.Threshold, c.Ratio, c.Window = "ratio", 0, 0.5, Duration(time.Millisecond)
		}, "payments.window: 1ms is out of range 100ms..1h0m0s", ""},
		{"no threshold", func(c *PaymentsConf) { c.Threshold = 0 }, "payments.threshold: 0 is out of range", ""},
		{"no trials", func(c *PaymentsConf) { c.Trials = 0 }, "trials must be at least 1", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := LoadPreset("shop")
			if err != nil {
				t.Fatal(err)
			}
			tt.edit(p.Payments)
			err = p.validate()
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("err = %v, want %q", err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			c := p.Payments
			br := breakerStatsOf(breaker.New(breaker.Settings{
				Mode: c.mode, Threshold: c.Threshold, Ratio: c.Ratio, MinRequests: c.Min, Window: time.Duration(c.Window),
			}).Stats())
			if got := br.Rule(); got != tt.rule {
				t.Errorf("rule = %q, want %q", got, tt.rule)
			}
		})
	}
	// From JSON, as a preset file would give it.
	p, err := ParsePreset("ratio", []byte(`{"keys": 10, "web": {"count": 1, "workers": 1, "queue": 1, "service": "const:1ms", "timeout": "1s"},
		"balancer": "round-robin", "payments": {"workers": 1, "queue": 1, "service": "const:1ms", "timeout": "1s",
		"mode": "ratio", "ratio": 0.5, "min": 20, "window": "10s", "open": "5s", "trials": 1}}`))
	if err != nil {
		t.Fatal(err)
	}
	if c := p.Payments; c.mode != breaker.FailureRatio || c.Min != 20 || time.Duration(c.Window) != 10*time.Second {
		t.Fatalf("parsed %+v", c)
	}
}
