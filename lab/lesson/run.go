package lesson

import (
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/scalelab/scalelab/lab"
)

// DefaultStepTimeout is how long a step's checks may take when none of them
// says `within`.
const DefaultStepTimeout = 60 * time.Second

// checkEvery is how often a step's checks are re-read (lab time).
const checkEvery = 100 * time.Millisecond

// Check is one expect of a step as it stands now.
type Check struct {
	Line  string  // the expect line
	Value float64 // the metric's current value
	Found bool    // the metric exists in this lab
	Holds bool
}

// Checks evaluates a step's expects against a snapshot.
func (st *Step) Checks(s lab.Snapshot) []Check {
	out := make([]Check, len(st.Expects))
	for i, e := range st.Expects {
		v, ok := s.Value(e.Expect.Metric)
		out[i] = Check{Line: e.Expect.Line, Value: v, Found: ok, Holds: ok && e.Expect.Holds(v)}
	}
	return out
}

// Deadline is how long the step's checks may take once its commands ran:
// the longest `within`, or DefaultStepTimeout when none says.
func (st *Step) Deadline() time.Duration {
	var d time.Duration
	for _, e := range st.Expects {
		d = max(d, e.Expect.Within)
	}
	if d == 0 {
		d = DefaultStepTimeout
	}
	return d
}

// StepResult is how one step went.
type StepResult struct {
	Index  int // 0-based
	Title  string
	Passed bool
	After  time.Duration // lab time from the step's start to its pass (or give-up)
	Failed []Check       // the checks that did not hold at the deadline
	Err    error         // a command that failed
}

func (r StepResult) String() string {
	if r.Passed {
		return fmt.Sprintf("step %d %q passed after %s", r.Index+1, r.Title, r.After.Round(100*time.Millisecond))
	}
	if r.Err != nil {
		return fmt.Sprintf("step %d %q: %v", r.Index+1, r.Title, r.Err)
	}
	var why []string
	for _, c := range r.Failed {
		if !c.Found {
			why = append(why, c.Line+" (metric not in this lab)")
			continue
		}
		metric := strings.Fields(c.Line)[1]
		why = append(why, fmt.Sprintf("%s (%s is %s)", c.Line, metric, lab.FormatMetric(metric, c.Value)))
	}
	return fmt.Sprintf("step %d %q did not pass within %s: %s", r.Index+1, r.Title, r.After.Round(100*time.Millisecond), strings.Join(why, "; "))
}

// RunStep runs one step on a running lab: its commands in order (a wait
// blocks), then its checks until all hold at the same moment or the
// step's deadline passes. source is recorded with every command.
func RunStep(l *lab.Lab, st *Step, index int, source string) StepResult {
	r := StepResult{Index: index, Title: st.Title}
	start := l.Clock().Now()
	for _, ln := range st.Commands {
		if err := l.Run(ln.Cmd, source); err != nil {
			r.Err = fmt.Errorf("line %d: %s: %w", ln.N, ln.Cmd.Line, err)
			r.After = l.Clock().Now().Sub(start)
			return r
		}
	}
	deadline := l.Clock().Now().Add(st.Deadline())
	for {
		checks := st.Checks(l.Snapshot())
		r.Failed = r.Failed[:0]
		for _, c := range checks {
			if !c.Holds {
				r.Failed = append(r.Failed, c)
			}
		}
		now := l.Clock().Now()
		r.After = now.Sub(start)
		if len(r.Failed) == 0 {
			r.Passed, r.Failed = true, nil
			return r
		}
		next := now.Add(checkEvery)
		if next.After(deadline) {
			return r
		}
		if !l.Clock().SleepUntil(next, l.Done()) {
			r.Err = errors.New("lab stopped")
			return r
		}
	}
}

// Result is how a whole lesson went.
type Result struct {
	ID     string
	Steps  []StepResult
	Passed bool
}

// Verify runs a lesson headless on a new lab built from its preset (quizzes
// are skipped), stopping at the first step that fails. report, if not nil,
// is called after each step.
func Verify(ls *Lesson, seed uint64, speed float64, report func(StepResult)) (Result, error) {
	p, err := lab.LoadPreset(ls.Preset)
	if err != nil {
		return Result{}, err
	}
	l, err := lab.New(lab.Config{Preset: p, Seed: seed, Speed: speed})
	if err != nil {
		return Result{}, err
	}
	defer l.Stop()
	res := Result{ID: ls.ID, Passed: true}
	for i := range ls.Steps {
		sr := RunStep(l, &ls.Steps[i], i, lab.SourceLesson)
		res.Steps = append(res.Steps, sr)
		if report != nil {
			report(sr)
		}
		if !sr.Passed {
			res.Passed = false
			break
		}
	}
	return res, nil
}

// Tracks lists the tracks of a set, sorted.
func (s *Set) Tracks() []string {
	seen := map[string]bool{}
	var out []string
	for _, l := range s.Lessons {
		if !seen[l.Track] {
			seen[l.Track] = true
			out = append(out, l.Track)
		}
	}
	sort.Strings(out)
	return out
}
