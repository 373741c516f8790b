package lab

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"
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

func parseExpect(a *args) (action, error) {
	if len(a.words) < 3 {
		return nil, a.errEnd("expect needs METRIC OP VALUE")
	}
	mw, ow, vw := a.words[0], a.words[1], a.words[2]
	m, err := LookupMetric(mw.s)
	if err != nil {
		return nil, a.errAt(mw, "%v", err)
	}
	e := &Expect{Metric: mw.s, Op: ow.s, Text: vw.s}
	okOp := false
	for _, op := range expectOps {
		okOp = okOp || op == ow.s
	}
	if !okOp {
		return nil, a.errAt(ow, "unknown comparison %q; accepted: %s", ow.s, strings.Join(expectOps, " "))
	}
	v, err := metricValue(m, vw.s)
	if err != nil {
		return nil, a.errAt(vw, "%v", err)
	}
	e.Value = v
	rest := a.words[3:]
	if len(rest) > 0 {
		if rest[0].s != "within" {
			return nil, a.errAt(rest[0], "unexpected %q (only `within DURATION` may follow)", rest[0].s)
		}
		if len(rest) == 1 {
			return nil, a.errEnd("missing DURATION after within")
		}
		d, err := parseDuration(rest[1].s, MaxWait)
		if err != nil {
			return nil, a.errAt(rest[1], "%v", err)
		}
		if len(rest) > 2 {
			return nil, a.errAt(rest[2], "unexpected %q", rest[2].s)
		}
		e.Within = d
	}
	return e, nil
}

// metricValue reads an expect VALUE for metric m: a number, a percentage
// (80% → 0.8) for 0..1 metrics, a duration (200ms → 200) for ms metrics, or
// a state word for state metrics.
func metricValue(m MetricInfo, s string) (float64, error) {
	if m.States != nil {
		if v, ok := m.States[s]; ok {
			return v, nil
		}
	}
	if strings.HasSuffix(s, "%") {
		if m.Unit != "0..1" {
			return 0, fmt.Errorf("%s is measured in %s, not a percentage", m.Name, unitWord(m.Unit))
		}
		return parseFraction(s)
	}
	if f, err := strconv.ParseFloat(s, 64); err == nil && f == f {
		return f, nil
	}
	if d, err := time.ParseDuration(s); err == nil {
		if m.Unit != "ms" {
			return 0, fmt.Errorf("%s is measured in %s, not a duration", m.Name, unitWord(m.Unit))
		}
		return float64(d) / float64(time.Millisecond), nil
	}
	if m.States != nil {
		return 0, fmt.Errorf("%q is not a value of %s; accepted: a number or %s", s, m.Name, stateWords(m.States))
	}
	return 0, fmt.Errorf("%q is not a number", s)
}

func unitWord(u string) string {
	if u == "" {
		return "a count"
	}
	return u
}

func stateWords(states map[string]float64) string {
	words := make([]string, 0, len(states))
	for w := range states {
		words = append(words, w)
	}
	// by value, so "up, slow, failing, hung, down" reads in order
	sort.Slice(words, func(i, j int) bool { return states[words[i]] < states[words[j]] })
	return strings.Join(words, ", ")
}
