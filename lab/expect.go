package lab

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/scalelab/scalelab/lab/args"
)

// Expect is a check on a live metric: `expect METRIC OP VALUE [within D]`.
type Expect struct {
	Metric string
	Op     string
	Value  float64
	Text   string        // VALUE as written, for messages
	Within time.Duration // 0: check once, now
	Line   string
}

var expectOps = []string{"<=", ">=", "==", "!=", "<", ">"}

// Holds reports whether v satisfies the check.
func (e *Expect) Holds(v float64) bool {
	switch e.Op {
	case "<":
		return v < e.Value
	case "<=":
		return v <= e.Value
	case ">":
		return v > e.Value
	case ">=":
		return v >= e.Value
	case "==":
		return v == e.Value
	case "!=":
		return v != e.Value
	}
	return false
}

func (e *Expect) apply(l *Lab) error { return l.Check(e) }

var expectCommand = command("expect", func() action { return &Expect{} },
	"check a live metric now, or wait up to DURATION for it to hold; fails with the metric's value",
	"expect cache.hit_ratio >= 0.8 within 30s")

func (e *Expect) declare(s *args.Set) {
	var info MetricInfo
	s.FuncArg("METRIC", metricWords(), func(v string) (err error) {
		info, err = LookupMetric(v)
		e.Metric = v
		return err
	})
	s.ChoiceArg(expectOps, &e.Op).Hint("OP")
	s.FuncArg("VALUE", nil, func(v string) (err error) {
		e.Value, err = metricValue(info, v)
		e.Text = v
		return err
	})
	s.DurationArg("DURATION", 0, MaxWait, &e.Within).After("within")
}

// metricWords are the metric names expect completes to.
func metricWords() []string {
	out := make([]string, 0, len(Metrics)+4)
	for _, m := range Metrics {
		if m.Label == "" || m.Total {
			out = append(out, m.Name)
		}
		if m.Label != "" {
			out = append(out, m.Name+"{"+m.Label+"=")
		}
	}
	return out
}

// metricValue reads an expect VALUE for metric m: a number, a percentage
// (80% → 0.8) for shares, a duration (200ms → 200) for ms metrics, or a
// state word for state metrics.
func metricValue(m MetricInfo, s string) (float64, error) {
	if i := slices.Index(m.States, s); i >= 0 {
		return float64(i), nil
	}
	if strings.HasSuffix(s, "%") {
		if m.Unit != UnitShare {
			return 0, fmt.Errorf("%s is measured in %s, not a percentage", m.Name, unitWord(m.Unit))
		}
		return args.ParsePercent(s)
	}
	if f, err := strconv.ParseFloat(s, 64); err == nil && !math.IsNaN(f) && !math.IsInf(f, 0) {
		return f, nil
	}
	if d, err := time.ParseDuration(s); err == nil {
		if m.Unit != UnitMS {
			return 0, fmt.Errorf("%s is measured in %s, not a duration", m.Name, unitWord(m.Unit))
		}
		return ms(d), nil
	}
	if m.States != nil {
		return 0, fmt.Errorf("%q is not a value of %s; accepted: a number or %s", args.Clip(s), m.Name, strings.Join(m.States, ", "))
	}
	return 0, fmt.Errorf("%q is not a number", args.Clip(s))
}

func unitWord(u string) string {
	if u == UnitCount {
		return "a count"
	}
	return u
}

// ExpectError is an expect that did not hold; it carries the metric's value.
type ExpectError struct {
	Expect *Expect
	Value  float64
	Found  bool
}

func (e *ExpectError) Error() string {
	if !e.Found {
		return fmt.Sprintf("expect %s: metric not present in this lab", e.Expect.Metric)
	}
	when := "now"
	if e.Expect.Within > 0 {
		when = "within " + e.Expect.Within.String()
	}
	return fmt.Sprintf("expect %s %s %s failed %s: %s is %s", e.Expect.Metric, e.Expect.Op, e.Expect.Text, when, e.Expect.Metric, FormatMetric(e.Expect.Metric, e.Value))
}

// checkEvery is how often an expect … within re-reads its metric.
const checkEvery = 100 * time.Millisecond

// Check evaluates an expect now, or polls it every checkEvery of lab time
// until it holds or its within-duration passes.
func (l *Lab) Check(e *Expect) error {
	deadline := l.clock.Now().Add(e.Within)
	for {
		v, found := l.Value(e.Metric)
		if found && e.Holds(v) {
			val := v
			l.event(Event{Kind: KindExpect, Line: e.Line, Value: &val})
			return nil
		}
		next := l.clock.Now().Add(checkEvery)
		if e.Within == 0 || next.After(deadline) {
			err := &ExpectError{Expect: e, Value: v, Found: found}
			ev := Event{Kind: KindExpect, Line: e.Line, Err: err.Error()}
			if found {
				ev.Value = &v
			}
			l.event(ev)
			return err
		}
		if !l.clock.SleepUntil(next, l.stop) {
			return errors.New("lab stopped")
		}
	}
}

// FormatExpectValue renders a value of an expect line's metric in the
// metric's unit ("212.5ms", "83%"), or as a plain number when the line is
// not an expect (a log from another version, say).
func FormatExpectValue(line string, v float64) string {
	if c, err := Parse(line); err == nil && c != nil {
		if e, ok := c.Expect(); ok {
			return FormatMetric(e.Metric, v)
		}
	}
	return FormatMeasure(v)
}
