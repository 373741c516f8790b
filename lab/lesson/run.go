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

// MinTrivialWindow is the least lab time verify watches a task's checks
// before anyone acts: if they all hold at once in that time, the task
// would pass by itself.
const MinTrivialWindow = 5 * time.Second

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
	if d := st.within(); d > 0 {
		return d
	}
	return DefaultStepTimeout
}

// within is the longest `within` of the step's checks (0 when none says).
func (st *Step) within() time.Duration {
	var d time.Duration
	for _, e := range st.Expects {
		d = max(d, e.Expect.Within)
	}
	return d
}

// TrivialWindow is how long verify watches a task's checks before acting.
func (st *Step) TrivialWindow() time.Duration { return max(st.within(), MinTrivialWindow) }

// StepResult is how one step went under verify.
type StepResult struct {
	Index   int // 0-based
	Title   string
	Task    bool
	Passed  bool
	Trivial bool          // a task whose checks all held before anyone acted
	After   time.Duration // lab time from the step's start (a task's: its solution's) to its pass, or give-up
	Within  time.Duration // how long the checks had: the step's deadline
	Checks  []Check       // the checks that did not hold at the deadline, or all of them when trivial
	Err     error         // a command that failed
}

func (r StepResult) String() string {
	kind := ""
	if r.Task {
		kind = " (task)"
	}
	head := fmt.Sprintf("step %d %q%s", r.Index+1, r.Title, kind)
	switch {
	case r.Err != nil:
		return fmt.Sprintf("%s: %v", head, r.Err)
	case r.Trivial:
		return fmt.Sprintf("%s is trivial: its checks all held after %s, before anyone acted: %s", head, round(r.After), describe(r.Checks))
	case r.Passed && r.Task:
		return fmt.Sprintf("%s: not trivial, and its solution passed after %s", head, round(r.After))
	case r.Passed:
		return fmt.Sprintf("%s passed after %s", head, round(r.After))
	case r.Task:
		return fmt.Sprintf("%s: its solution did not reach the goal within %s: %s", head, r.Within, describe(r.Checks))
	}
	return fmt.Sprintf("%s did not pass within %s: %s", head, r.Within, describe(r.Checks))
}

func round(d time.Duration) time.Duration { return d.Round(100 * time.Millisecond) }

// describe lists checks with their metric's value.
func describe(cs []Check) string {
	var why []string
	for _, c := range cs {
		if !c.Found {
			why = append(why, c.Line+" (metric not in this lab)")
			continue
		}
		metric := strings.Fields(c.Line)[1]
		why = append(why, fmt.Sprintf("%s (%s is %s)", c.Line, metric, lab.FormatMetric(metric, c.Value)))
	}
	return strings.Join(why, "; ")
}

// Result is how a whole lesson went.
type Result struct {
	ID     string
	Steps  []StepResult
	Passed bool
}

// Verify runs a lesson headless on a new lab built from its preset, with
// an Attempt as a learner would, and proves every step:
//
//   - a step without a solution must pass by itself: its checks all hold
//     at once before its deadline (its longest `within`, or 60 s);
//   - a task must not pass by itself: its checks must not all hold at once
//     during its TrivialWindow before anyone acts; then its solution runs,
//     and the checks must all hold at once before its deadline.
//
// Quizzes are answered right. Verify stops at the first step that fails;
// report, if not nil, is called after each step.
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
	h := &host{l: l, a: NewAttempt(ls, LessonProgress{})}
	res := Result{ID: ls.ID, Passed: true}
	for i := range ls.Steps {
		sr := h.verifyStep(i)
		res.Steps = append(res.Steps, sr)
		if report != nil {
			report(sr)
		}
		if !sr.Passed {
			res.Passed = false
			break
		}
		h.apply(h.a.Next(l.Since()))
	}
	return res, nil
}

// host drives an Attempt on a lab synchronously: it publishes the
// attempt's events on the lab's bus and runs its batches line by line.
type host struct {
	l *lab.Lab
	a *Attempt
}

// apply carries out eff, and what the attempt asks in turn.
func (h *host) apply(eff Effects) {
	for {
		for _, e := range eff.Events {
			h.l.Publish(e)
		}
		b := eff.Run
		if b == nil {
			return
		}
		var err error
		for _, ln := range b.Lines {
			if err = h.l.Run(ln.Cmd, lab.SourceLesson); err != nil {
				err = fmt.Errorf("line %d: %s: %w", ln.N, ln.Cmd.Line, err)
				break
			}
		}
		eff = h.a.Ran(b.ID, err, h.l.Since())
	}
}

// watch observes the lab every checkEvery of lab time for up to d, until
// done reports true; it reports whether done did.
func (h *host) watch(d time.Duration, done func() bool) (bool, error) {
	clk := h.l.Clock()
	deadline := clk.Now().Add(d)
	for {
		h.apply(h.a.Observe(h.l.Snapshot()))
		if done() {
			return true, nil
		}
		next := clk.Now().Add(checkEvery)
		if next.After(deadline) {
			return false, nil
		}
		if !clk.SleepUntil(next, h.l.Done()) {
			return false, errors.New("lab stopped")
		}
	}
}

// verifyStep proves step i (the attempt's current step) as Verify says.
func (h *host) verifyStep(i int) StepResult {
	a, l := h.a, h.l
	st := a.Current()
	r := StepResult{Index: i, Title: st.Title, Task: st.Task(), Within: st.Deadline()}
	start := l.Since()
	h.apply(a.Begin(start))
	if st.Quiz != nil {
		h.apply(a.Answer(st.Quiz.Answer, l.Since()))
	}
	if a.Phase() == PhaseFailed {
		r.Err, r.After = errors.New(a.Failure()), l.Since()-start
		return r
	}
	reached := func() bool { return a.Phase() == PhaseReached }
	if st.Task() {
		held, err := h.watch(st.TrivialWindow(), a.Holding)
		if err != nil {
			r.Err = err
			return r
		}
		if held {
			r.Trivial, r.Checks, r.After = true, a.Checks(), l.Since()-start
			return r
		}
		start = l.Since()
		eff, err := a.Show(start)
		if err != nil {
			r.Err = err
			return r
		}
		h.apply(eff)
		if f := a.Failure(); f != "" {
			r.Err = errors.New(f)
			return r
		}
	}
	ok, err := h.watch(st.Deadline(), reached)
	r.Passed, r.Err, r.After = ok && err == nil, err, l.Since()-start
	if !r.Passed {
		for _, c := range a.Checks() {
			if !c.Holds {
				r.Checks = append(r.Checks, c)
			}
		}
	}
	return r
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
