package lab

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
)

// SyntaxError is a command line that does not parse. Col is 1-based and
// points at the offending word; Usage is what the command accepts.
type SyntaxError struct {
	Col   int
	Msg   string
	Usage string
}

func (e *SyntaxError) Error() string {
	if e.Usage == "" {
		return fmt.Sprintf("col %d: %s", e.Col, e.Msg)
	}
	return fmt.Sprintf("col %d: %s (usage: %s)", e.Col, e.Msg, e.Usage)
}

// word is one whitespace-separated token and the column it starts at.
type word struct {
	s   string
	col int
}

func split(line string) []word {
	var ws []word
	start := -1
	for i, r := range line {
		space := r == ' ' || r == '\t'
		switch {
		case !space && start < 0:
			start = i
		case space && start >= 0:
			ws = append(ws, word{line[start:i], start + 1})
			start = -1
		}
	}
	if start >= 0 {
		ws = append(ws, word{line[start:], start + 1})
	}
	return ws
}

// args is the rest of a command line after its name, consumed by a spec's parser.
type args struct {
	spec  *Spec
	words []word
	end   int // column just past the line, for "missing ..." errors
}

func (a *args) errAt(w word, format string, v ...any) error {
	return &SyntaxError{Col: w.col, Msg: fmt.Sprintf(format, v...), Usage: a.spec.Usage}
}

func (a *args) errEnd(format string, v ...any) error {
	return &SyntaxError{Col: a.end, Msg: fmt.Sprintf(format, v...), Usage: a.spec.Usage}
}

// option splits "key=value"; ok is false for a bare word.
func option(w word) (key, val string, ok bool) {
	return strings.Cut(w.s, "=")
}

// parseCount reads a whole number in [lo, hi].
func parseCount(s string, lo, hi int) (int, error) {
	n, err := strconv.Atoi(s)
	if err != nil {
		return 0, fmt.Errorf("%q is not a whole number", s)
	}
	if n < lo || n > hi {
		return 0, fmt.Errorf("%d is out of range %d..%d", n, lo, hi)
	}
	return n, nil
}

// parseFraction reads "30%" or "0.3" as 0.3; the result is in [0, 1].
func parseFraction(s string) (float64, error) {
	pct := strings.HasSuffix(s, "%")
	f, err := strconv.ParseFloat(strings.TrimSuffix(s, "%"), 64)
	if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
		return 0, fmt.Errorf("%q is not a percentage (like 30%% or 0.3)", s)
	}
	if pct {
		f /= 100
	}
	if f < 0 || f > 1 {
		return 0, fmt.Errorf("%q is out of range 0%%..100%%", s)
	}
	return f, nil
}

// parseDuration reads a non-negative Go duration ("200ms", "1.5s", "+200ms").
func parseDuration(s string, max time.Duration) (time.Duration, error) {
	d, err := time.ParseDuration(strings.TrimPrefix(s, "+"))
	if err != nil {
		return 0, fmt.Errorf("%q is not a duration (like 200ms, 1.5s, 2m)", s)
	}
	if d < 0 || d > max {
		return 0, fmt.Errorf("%s is out of range 0..%s", d, max)
	}
	return d, nil
}

// parseRate reads "500/s", "500", "1.5k/s" as requests per second.
func parseRate(s string) (float64, error) {
	t := strings.TrimSuffix(s, "/s")
	mult := 1.0
	switch {
	case strings.HasSuffix(t, "k"):
		mult, t = 1e3, strings.TrimSuffix(t, "k")
	case strings.HasSuffix(t, "m"):
		mult, t = 1e6, strings.TrimSuffix(t, "m")
	}
	f, err := strconv.ParseFloat(t, 64)
	if err != nil || math.IsNaN(f) || math.IsInf(f, 0) || f < 0 {
		return 0, fmt.Errorf("%q is not a rate (like 500/s, 1.5k/s)", s)
	}
	return f * mult, nil
}

// parseSpeed reads "0.25x", "2", "10x".
func parseSpeed(s string) (float64, error) {
	f, err := strconv.ParseFloat(strings.TrimSuffix(s, "x"), 64)
	if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
		return 0, fmt.Errorf("%q is not a speed (like 0.25x, 2x, 10x)", s)
	}
	return f, nil
}

// Parse reads one command line. Blank lines and lines starting with # give
// (nil, nil). A line that does not parse gives a *SyntaxError; parsing
// changes nothing, so a bad line is always harmless.
func Parse(line string) (*Command, error) {
	ws := split(line)
	if len(ws) == 0 || strings.HasPrefix(ws[0].s, "#") {
		return nil, nil
	}
	spec := LookupSpec(ws[0].s)
	if spec == nil {
		return nil, &SyntaxError{Col: ws[0].col, Msg: fmt.Sprintf("unknown command %q; commands: %s", ws[0].s, strings.Join(specNames(), ", "))}
	}
	a := &args{spec: spec, words: ws[1:], end: len(strings.TrimRight(line, " \t")) + 1}
	act, err := spec.parse(a)
	if err != nil {
		return nil, err
	}
	c := &Command{Name: spec.Name, Line: strings.Join(wordStrings(ws), " "), action: act}
	if e, ok := act.(*Expect); ok {
		e.Line = c.Line
	}
	return c, nil
}

func wordStrings(ws []word) []string {
	out := make([]string, len(ws))
	for i, w := range ws {
		out[i] = w.s
	}
	return out
}
