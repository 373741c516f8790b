package lesson

import (
	"time"

	"github.com/scalelab/scalelab/lab"
)

// Outcome is how a step ended.
type Outcome int

// Step outcomes. Only Passed counts as solved: Shown means the learner
// asked to see the solution, which ran for them.
const (
	NotReached Outcome = iota
	Passed             // its checks held at once (after the learner acted, for a task)
	Shown              // the solution ran for the learner, then the checks held
	Skipped            // the learner moved on before it passed
)

func (o Outcome) String() string {
	switch o {
	case Passed:
		return "passed"
	case Shown:
		return "shown"
	case Skipped:
		return "skipped"
	}
	return "not reached"
}

// ParseOutcome reads what String writes.
func ParseOutcome(s string) Outcome {
	for _, o := range []Outcome{Passed, Shown, Skipped} {
		if o.String() == s {
			return o
		}
	}
	return NotReached
}

// Answer is one quiz answer the learner locked in.
type Answer struct {
	Choice int   // 1-based
	Right  *bool // nil when the log does not say
}

// StepRecord is what happened in one step.
type StepRecord struct {
	Outcome            Outcome
	Earlier            bool          // the outcome comes from an earlier session
	Began, Ended       time.Duration // lab time it began and ended (passed, shown or skipped)
	HasBegan, HasEnded bool
	Answers            []Answer // quiz answers, one per attempt, in order
	Hints              int      // hints revealed
	SolutionAsked      bool     // the learner asked to be shown the solution
	Restarts           int
	Checks             []Check // the checks when it ended (kept by an Attempt, not by events)
}

// Took is how long the step took, when it both began and ended.
func (r StepRecord) Took() (time.Duration, bool) {
	if !r.HasBegan || !r.HasEnded || r.Earlier {
		return 0, false
	}
	return r.Ended - r.Began, true
}

// Record is how a lesson went, step by step, folded from its lesson
// events (lab.KindLesson). The Attempt keeps one by applying every event
// it emits, and the session report builds one from a log's events, so the
// summary a learner sees and the report they export cannot disagree.
type Record struct {
	Steps  []StepRecord // by 0-based step
	Done   bool         // the learner reached the end
	DoneAt time.Duration
}

// Apply folds one lesson event in. Events name steps 1-based; events for
// other kinds are ignored.
func (r *Record) Apply(e lab.Event) {
	if e.Kind != lab.KindLesson {
		return
	}
	at := time.Duration(e.T * float64(time.Second))
	if e.What == lab.LessonDone {
		r.Done, r.DoneAt = true, at
		return
	}
	i := e.Step - 1
	if i < 0 || i > 10_000 {
		return
	}
	for len(r.Steps) <= i {
		r.Steps = append(r.Steps, StepRecord{})
	}
	s := &r.Steps[i]
	switch e.What {
	case lab.LessonStarted:
		s.Began, s.HasBegan = at, true
	case lab.LessonRestarted:
		s.Restarts++
		s.Outcome, s.HasEnded = NotReached, false
	case lab.LessonShown:
		s.SolutionAsked = true
	case lab.LessonPassed:
		s.Outcome = Passed
		if s.SolutionAsked {
			s.Outcome = Shown
		}
		s.Ended, s.HasEnded, s.Earlier = at, true, false
	case lab.LessonSkipped:
		s.Outcome, s.Ended, s.HasEnded = Skipped, at, true
	case lab.LessonQuiz:
		s.Answers = append(s.Answers, Answer{Choice: e.Choice, Right: e.Correct})
	case lab.LessonHint:
		s.Hints = max(s.Hints, e.Hint)
	}
}

// Tally counts the steps by outcome.
func (r *Record) Tally() (passed, shown, skipped int) {
	return tally(len(r.Steps), func(i int) Outcome { return r.Steps[i].Outcome })
}

// tally counts n steps by outcome.
func tally(n int, outcome func(step int) Outcome) (passed, shown, skipped int) {
	for i := range n {
		switch outcome(i) {
		case Passed:
			passed++
		case Shown:
			shown++
		case Skipped:
			skipped++
		}
	}
	return passed, shown, skipped
}
