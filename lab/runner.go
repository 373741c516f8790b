package lab

import (
	"encoding/json"
	"fmt"
	"io"
	"math"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/scalelab/scalelab/components/backend"
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
	Stopped  bool     // the lab was stopped before the run's end (an interrupt)
}

// RunScript runs lines in order against the lab, printing a summary every
// lab second and a final one. A failed command or expect is reported and the
// script goes on, so one run shows every failure; the result lists them.
func (l *Lab) RunScript(lines []ScriptLine, source string, opt RunOptions) RunResult {
	r := l.startRun(opt)
	for _, sl := range lines {
		if l.stopped() {
			break // interrupted: the rest of the script is not run, and not failed
		}
		r.run(sl, source)
	}
	return r.finish()
}

// TimedLine is a command to run at lab time At since the lab started.
type TimedLine struct {
	At time.Duration
	ScriptLine
}

// RunTimed runs lines as RunScript does, but each at its lab time At (lines
// sorted by At) rather than after the line before: a line whose time has
// passed runs at once, and a blocking one (wait, expect … within) runs on a
// goroutine of its own, so it never delays the lines after it. After the
// last line it goes on to lab time end (or until the lab stops), then
// prints the final summary. A blocking line still running then is left to
// finish on its own (stopping the lab ends it); it is not in the result.
//
// While it runs, the lab's View carries its Playback (how many lines have
// run of how many), and after the end that it finished, so a dashboard can
// say "▶ replay 12/40" and "■ replay finished".
func (l *Lab) RunTimed(lines []TimedLine, source string, end time.Duration, opt RunOptions) RunResult {
	r := l.startRun(opt)
	l.playback.Store(&Playback{Source: source, Total: len(lines)})
	for i, tl := range lines {
		if !l.clock.SleepUntil(l.start.Add(tl.At), l.stop) {
			break
		}
		l.playback.Store(&Playback{Source: source, Done: i + 1, Total: len(lines)})
		if tl.Cmd.Blocking() {
			l.Go(func() { r.run(tl.ScriptLine, source) })
			continue
		}
		r.run(tl.ScriptLine, source)
	}
	l.clock.SleepUntil(l.start.Add(end), l.stop)
	l.playback.Store(&Playback{Source: source, Done: len(lines), Total: len(lines), Finished: !l.stopped()})
	return r.finish()
}

// Playback is a timed run of recorded lines on the lab (a replay): its
// source, how many lines have started of how many, and whether it has run
// to its recorded end.
type Playback struct {
	Source      string // lab.SourceReplay
	Done, Total int
	Finished    bool
}

// scriptRun is one headless run under way: the per-second summaries
// printed by a ticker goroutine, and the result so far.
type scriptRun struct {
	l     *Lab
	opt   RunOptions
	mu    sync.Mutex // guards res and writes to opt.Out
	res   RunResult
	done  bool // finish was called: later outcomes are not recorded
	stop  chan struct{}
	ticks chan struct{} // closed when the ticker has ended
	cuts  int           // the pacer's slow-downs told so far
}

// startRun starts printing a summary every lab second.
func (l *Lab) startRun(opt RunOptions) *scriptRun {
	r := &scriptRun{l: l, opt: opt, stop: make(chan struct{}), ticks: make(chan struct{})}
	l.Go(func() {
		defer close(r.ticks)
		next := l.start
		for {
			next = next.Add(time.Second)
			if !l.clock.SleepUntil(next, r.stop) {
				return
			}
			r.mu.Lock()
			s := l.Snapshot()
			writeTick(opt, s, false, nil, r.paceWarning(s))
			r.mu.Unlock()
		}
	})
	return r
}

// run runs one line and records how it went.
func (r *scriptRun) run(sl ScriptLine, source string) {
	err := r.l.Run(sl.Cmd, source)
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.done || r.l.stopped() {
		return // the lab was stopped under the line: that is the interrupt, not the line's failure
	}
	if _, ok := sl.Cmd.Expect(); ok && err == nil {
		r.res.Passed++
	}
	if err != nil {
		msg := fmt.Sprintf("%s: %s: %v", sl.Pos(), sl.Cmd.Line, err)
		r.res.Failures = append(r.res.Failures, msg)
		if !r.opt.JSON {
			fmt.Fprintln(r.opt.Out, "FAIL "+msg)
		}
	}
}

// finish stops the ticker and prints the final summary.
func (r *scriptRun) finish() RunResult {
	close(r.stop)
	<-r.ticks
	r.mu.Lock()
	defer r.mu.Unlock()
	r.done = true
	r.res.Stopped = r.l.stopped()
	s := r.l.Snapshot()
	writeTick(r.opt, s, true, &r.res, r.paceWarning(s))
	res := r.res
	res.Failures = slices.Clone(res.Failures)
	return res
}

// paceWarning says, once for each slow-down, that the lab had to slow its
// clock because the machine could not keep up. Called with r.mu held.
func (r *scriptRun) paceWarning(s Snapshot) string {
	if s.Pace.Cuts == r.cuts {
		return ""
	}
	r.cuts = s.Pace.Cuts
	return fmt.Sprintf("the machine cannot keep up with %s: the lab slowed its clock to %s (%v behind); lab time and every number in it stay exact, the run only takes longer",
		speedText(s.Pace.Asked), speedText(s.Speed), s.Pace.Lag.Round(time.Millisecond))
}

// tickLine is the JSON form of a per-second or final summary.
type tickLine struct {
	T        float64            `json:"t"`
	Final    bool               `json:"final,omitempty"`
	Warning  string             `json:"warning,omitempty"`
	Metrics  map[string]float64 `json:"metrics"`
	Passed   *int               `json:"expects_passed,omitempty"`
	Failures []string           `json:"failures,omitempty"`
	Stopped  bool               `json:"stopped,omitempty"` // interrupted before the run's end
}

func writeTick(opt RunOptions, s Snapshot, final bool, res *RunResult, warning string) {
	if opt.JSON {
		t := tickLine{T: round(s.T.Seconds(), 3), Final: final, Warning: warning, Metrics: roundAll(s.Values())}
		if res != nil {
			t.Passed, t.Stopped = &res.Passed, res.Stopped
			t.Failures = res.Failures
			if t.Failures == nil {
				t.Failures = []string{}
			}
		}
		b, _ := json.Marshal(t)
		fmt.Fprintln(opt.Out, string(b))
		return
	}
	if warning != "" {
		fmt.Fprintln(opt.Out, "warning: "+warning)
	}
	line := SummaryLine(s)
	if final {
		line = "final " + line
		if res != nil {
			line += fmt.Sprintf("  expects %d passed, %d failed", res.Passed, len(res.Failures))
			if res.Stopped {
				line += "  (stopped early)"
			}
		}
	}
	fmt.Fprintln(opt.Out, line)
}

// SummaryLine renders the headline metrics of a snapshot on one line.
func SummaryLine(s Snapshot) string {
	var b strings.Builder
	fmt.Fprintf(&b, "t=%5.1fs  load %6.0f/s  done %6.0f/s  err %5.1f%%  p50 %7.1fms  p99 %7.1fms",
		s.T.Seconds(), s.Load.Rate, s.Requests.Rate, 100*s.Requests.ErrorRatio, ms(s.Latency.P50), ms(s.Latency.P99))
	if s.Pace.Behind(s.Speed) {
		fmt.Fprintf(&b, "  [behind: %s asked, running %s]", speedText(s.Pace.Asked), speedText(s.Speed))
	}
	if c := s.Cache; c != nil {
		fmt.Fprintf(&b, "  hit %3.0f%%", 100*c.HitRatio)
	}
	if q := s.Queue; q != nil {
		fmt.Fprintf(&b, "  queue %4d", q.Depth)
	}
	for _, br := range s.Breakers {
		fmt.Fprintf(&b, "  breaker %s", br.State)
	}
	var down []string
	for _, v := range s.Servers {
		if v.Health != backend.Up {
			down = append(down, v.Name+" "+v.Health.String())
		}
	}
	sort.Strings(down)
	if len(down) > 0 {
		fmt.Fprintf(&b, "  [%s]", strings.Join(down, ", "))
	}
	return b.String()
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
