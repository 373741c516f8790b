package lab

import (
	"encoding/json"
	"fmt"
	"io"
	"math"
	"sort"
	"strings"
	"sync"
	"time"
)

// RunOptions control a headless run.
type RunOptions struct {
	Out  io.Writer // per-second lines and the final summary
	JSON bool      // JSON objects instead of text
}

// RunResult is what a headless run found.
type RunResult struct {
	Failures []string // one message per failed expect or command
	Passed   int      // expects that held
}

// RunScript runs lines in order against the lab, printing a summary every
// lab second and a final one. A failed command or expect is reported and the
// script goes on, so one run shows every failure; the result lists them.
func (l *Lab) RunScript(lines []ScriptLine, source string, opt RunOptions) RunResult {
	var res RunResult
	var mu sync.Mutex // guards writes to opt.Out
	stopTicks := make(chan struct{})
	ticked := make(chan struct{})
	go func() {
		defer close(ticked)
		next := l.start
		for {
			next = next.Add(time.Second)
			if !l.clock.SleepUntil(next, stopTicks) {
				return
			}
			mu.Lock()
			writeTick(opt, l.Snapshot(), false, nil)
			mu.Unlock()
		}
	}()
	for _, sl := range lines {
		err := l.Run(sl.Cmd, source)
		if e, ok := sl.Cmd.Expect(); ok && err == nil {
			_ = e
			res.Passed++
		}
		if err != nil {
			msg := fmt.Sprintf("%s: %s: %v", sl.Pos(), sl.Cmd.Line, err)
			res.Failures = append(res.Failures, msg)
			mu.Lock()
			if !opt.JSON {
				fmt.Fprintln(opt.Out, "FAIL "+msg)
			}
			mu.Unlock()
		}
	}
	close(stopTicks)
	<-ticked
	writeTick(opt, l.Snapshot(), true, &res)
	return res
}

// tickLine is the JSON form of a per-second or final summary.
type tickLine struct {
	T        float64            `json:"t"`
	Final    bool               `json:"final,omitempty"`
	Metrics  map[string]float64 `json:"metrics"`
	Passed   *int               `json:"expects_passed,omitempty"`
	Failures []string           `json:"failures,omitempty"`
}

func writeTick(opt RunOptions, s Snapshot, final bool, res *RunResult) {
	if opt.JSON {
		t := tickLine{T: round(s.T.Seconds(), 3), Final: final, Metrics: roundAll(s.Values)}
		if res != nil {
			t.Passed = &res.Passed
			t.Failures = res.Failures
			if t.Failures == nil {
				t.Failures = []string{}
			}
		}
		b, _ := json.Marshal(t)
		fmt.Fprintln(opt.Out, string(b))
		return
	}
	line := SummaryLine(s)
	if final {
		line = "final " + line
		if res != nil {
			line += fmt.Sprintf("  expects %d passed, %d failed", res.Passed, len(res.Failures))
		}
	}
	fmt.Fprintln(opt.Out, line)
}

// SummaryLine renders the headline metrics of a snapshot on one line.
func SummaryLine(s Snapshot) string {
	v := s.Values
	var b strings.Builder
	fmt.Fprintf(&b, "t=%5.1fs  load %6.0f/s  done %6.0f/s  err %5.1f%%  p50 %7.1fms  p99 %7.1fms",
		s.T.Seconds(), v["load.rate"], v["requests.rate"], 100*v["errors.ratio"], v["latency.p50"], v["latency.p99"])
	if hr, ok := v["cache.hit_ratio"]; ok {
		fmt.Fprintf(&b, "  hit %3.0f%%", 100*hr)
	}
	if d, ok := v["queue.depth"]; ok {
		fmt.Fprintf(&b, "  queue %4.0f", d)
	}
	if st, ok := v["breaker.state{name=payments}"]; ok {
		fmt.Fprintf(&b, "  breaker %s", stateName(breakerStates, st))
	}
	var down []string
	for _, n := range s.Names() {
		if strings.HasPrefix(n, "backend.health{") && v[n] != 0 {
			down = append(down, strings.TrimSuffix(strings.TrimPrefix(n, "backend.health{backend="), "}")+" "+stateName(healthStates, v[n]))
		}
	}
	sort.Strings(down)
	if len(down) > 0 {
		fmt.Fprintf(&b, "  [%s]", strings.Join(down, ", "))
	}
	return b.String()
}

func stateName(states map[string]float64, v float64) string {
	for w, x := range states {
		if x == v {
			return w
		}
	}
	return formatValue(v)
}

func round(x float64, digits int) float64 {
	p := math.Pow(10, float64(digits))
	return math.Round(x*p) / p
}

func roundAll(m map[string]float64) map[string]float64 {
	out := make(map[string]float64, len(m))
	for k, x := range m {
		if math.IsNaN(x) || math.IsInf(x, 0) {
			x = 0
		}
		out[k] = round(x, 4)
	}
	return out
}
