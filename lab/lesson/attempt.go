package lesson

import (
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/scalelab/scalelab/lab"
)

// Phase is where an Attempt is in its current step.
type Phase int

// The phases of a step. Transitions (every input not listed changes
// nothing):
//
//	Begin          → PhaseQuiz when the step has a quiz, else PhaseSetup
//	Answer         PhaseQuiz → PhaseSetup (runs the setup lines)
//	Ran (setup)    PhaseSetup → PhaseWatch, or PhaseFailed when a line failed
//	Acted          PhaseSetup, PhaseWatch: the learner acted on the task
//	Show           PhaseWatch (a task): runs the solution; the step will count as shown
//	Observe        PhaseWatch → PhaseReached when every check holds at once, after
//	               the setup finished and, for a task, after the learner acted
//	Next           PhaseReached → the next step's Begin, or PhaseDone after the last
//	Skip           any phase but PhaseDone → the next step's Begin, or PhaseDone
//	Restart        any phase but PhaseDone → a Plan to rebuild the lab to the
//	               step's start; the host replays it and calls Begin again
const (
	PhaseQuiz    Phase = iota // the quiz is asked; nothing of the step has run
	PhaseSetup                // the step's setup lines are running
	PhaseWatch                // the checks are watched; a task waits for the learner
	PhaseReached              // every check held at once
	PhaseFailed               // a setup line failed
	PhaseDone                 // past the last step
)

var phaseNames = [...]string{"quiz", "setup", "watch", "reached", "failed", "done"}

func (p Phase) String() string {
	if p >= 0 && int(p) < len(phaseNames) {
		return phaseNames[p]
	}
	return fmt.Sprintf("Phase(%d)", int(p))
}

// BatchKind says what a batch of lines is.
type BatchKind int

// Kinds of batch.
const (
	SetupBatch    BatchKind = iota // a step's lab block
	SolutionBatch                  // a task's solution, run because the learner asked
)

// Batch is lines an Attempt asks its host to run, in order, one after the
// other (a wait blocks the next). The host reports the outcome with Ran.
type Batch struct {
	ID    int
	Step  int // 0-based
	Kind  BatchKind
	Lines []Line
}

// Effects is what an input asks of the host: lines to run and lesson
// events to publish (lab.KindLesson, stamped with the lab time of the
// input), in order. A zero Effects asks nothing.
type Effects struct {
	Run    *Batch
	Events []lab.Event
}

// Entry is what shaped the lab during a lesson: one batch of lines (a
// step's setup, its solution, or one command of the learner's) and the lab
// time it began. Replaying a lesson's entries on a new lab, each at its
// time, brings the lab back to where the learner had it.
type Entry struct {
	Step   int           `json:"step"` // 0-based
	At     time.Duration `json:"at"`   // lab time since the lab started
	Lines  []string      `json:"lines"`
	Source string        `json:"source"` // lab.SourceLesson, SourceTyped or SourceKey
}

// Attempt is one way through a lesson: a pure state machine. Its inputs
// are what happens — a step begins, the quiz is answered, lines ran, the
// learner ran a command, a snapshot was observed, a hint or the solution
// was asked for, the step was skipped or restarted — and its outputs are
// Effects: lines to run and lesson events to publish. It reads no clock and
// runs nothing itself, so the TUI, verify and the tests drive the same
// machine; its Record (folded from the events it emits) is what summaries
// and reports show.
type Attempt struct {
	lesson *Lesson
	step   int
	phase  Phase
	rec    Record

	acted   bool // the learner acted on the current task
	showing bool // the current task's solution was asked for
	answer  int  // this attempt's quiz answer, 0 before it is given
	hints   int  // of the current step, revealed
	checks  []Check
	failure string // why the setup failed

	batch          *Batch // out for running; nil when none
	nextBatch      int
	began, settled time.Duration // the current step began; its setup finished
	journal        []Entry
}

// NewAttempt starts an attempt at ls where prior left off: at the first
// step prior has not completed (passed, shown or skipped), or from the
// start when it completed every step. Call Plan for what to replay before
// Begin.
func NewAttempt(ls *Lesson, prior LessonProgress) *Attempt {
	a := &Attempt{lesson: ls, rec: Record{Steps: make([]StepRecord, len(ls.Steps))}}
	a.step = prior.Resume(len(ls.Steps))
	for i := range a.step {
		sp := prior.Steps[i]
		a.rec.Steps[i] = StepRecord{Outcome: ParseOutcome(sp.Outcome), Earlier: true, Hints: sp.Hints}
		if sp.Quiz > 0 {
			a.rec.Steps[i].Answers = []Answer{{Choice: sp.Quiz}}
		}
	}
	if a.step > 0 {
		a.journal = slices.DeleteFunc(slices.Clone(prior.Journal), func(e Entry) bool { return e.Step >= a.step })
		a.began = time.Duration(prior.Steps[a.step].Began * float64(time.Second))
		if len(a.journal) == 0 {
			a.journal, a.began = scriptedJournal(ls, a.step)
		}
	}
	return a
}

// Lesson is the lesson attempted.
func (a *Attempt) Lesson() *Lesson { return a.lesson }

// Step is the current step, 0-based.
func (a *Attempt) Step() int { return a.step }

// Phase is where the current step is.
func (a *Attempt) Phase() Phase { return a.phase }

// Current is the current step (the last one when done).
func (a *Attempt) Current() *Step { return &a.lesson.Steps[min(a.step, len(a.lesson.Steps)-1)] }

// Record is how the attempt has gone so far.
func (a *Attempt) Record() *Record { return &a.rec }

// Checks are the current step's checks at the last observation (nil
// before the quiz is answered: a prediction is asked before the goal is
// shown).
func (a *Attempt) Checks() []Check { return a.checks }

// Holding reports whether every check of the current step held at the
// last observation while it was watched, whether or not the learner had
// acted: verify uses it to find tasks that pass by themselves.
func (a *Attempt) Holding() bool {
	return a.phase == PhaseWatch && a.checks != nil && allHold(a.checks)
}

// Acting reports whether the learner has acted on the current task.
func (a *Attempt) Acting() bool { return a.acted }

// Showing reports whether the current task's solution was asked for.
func (a *Attempt) Showing() bool { return a.showing }

// Answer is this attempt's quiz answer for the current step (0 before it
// is given).
func (a *Attempt) QuizAnswer() int { return a.answer }

// Hints is how many of the current step's hints are revealed.
func (a *Attempt) Hints() int { return a.hints }

// Failure is why the current step's setup failed ("" if it did not).
func (a *Attempt) Failure() string { return a.failure }

// Running is the batch out for running, or nil.
func (a *Attempt) Running() *Batch { return a.batch }

// Settled is the lab time the current step's setup finished.
func (a *Attempt) Settled() time.Duration { return a.settled }

// Began is the lab time the current step began.
func (a *Attempt) Began() time.Duration { return a.began }

// Begin starts the current step at lab time at: it asks the quiz, or runs
// the setup.
func (a *Attempt) Begin(at time.Duration) Effects {
	if a.phase == PhaseDone && a.step >= len(a.lesson.Steps) {
		return Effects{}
	}
	a.acted, a.showing, a.answer, a.checks, a.failure, a.batch = false, false, 0, nil, "", nil
	a.hints = a.rec.Steps[a.step].Hints
	a.began, a.settled = at, at
	eff := Effects{Events: []lab.Event{a.note(a.event(lab.LessonStarted, at))}}
	if a.Current().Quiz != nil {
		a.phase = PhaseQuiz
		return eff
	}
	return a.setup(eff, at)
}

// setup runs the current step's setup lines, or starts watching when it
// has none.
func (a *Attempt) setup(eff Effects, at time.Duration) Effects {
	st := a.Current()
	a.phase = PhaseSetup
	if len(st.Setup) == 0 {
		a.phase, a.settled = PhaseWatch, at
		return eff
	}
	eff.Run = a.run(SetupBatch, st.Setup, at)
	return eff
}

// run makes a batch and journals it.
func (a *Attempt) run(kind BatchKind, lines []Line, at time.Duration) *Batch {
	a.nextBatch++
	a.batch = &Batch{ID: a.nextBatch, Step: a.step, Kind: kind, Lines: lines}
	e := Entry{Step: a.step, At: at, Source: lab.SourceLesson}
	for _, ln := range lines {
		e.Lines = append(e.Lines, ln.Cmd.Line)
	}
	a.journal = append(a.journal, e)
	return a.batch
}

// Answer locks in the quiz choice (1-based) at lab time at and runs the
// step's setup. A choice that is not one is ignored.
func (a *Attempt) Answer(choice int, at time.Duration) Effects {
	q := a.Current().Quiz
	if a.phase != PhaseQuiz || q == nil || choice < 1 || choice > len(q.Choices) {
		return Effects{}
	}
	a.answer = choice
	right := choice == q.Answer
	e := a.event(lab.LessonQuiz, at)
	e.Choice, e.Correct = choice, &right
	return a.setup(Effects{Events: []lab.Event{a.note(e)}}, at)
}

// Ran reports that batch id finished at lab time at; err is the first
// line that failed (the host stops there). Reports for a batch the
// attempt no longer waits for (skipped, restarted) are ignored.
func (a *Attempt) Ran(id int, err error, at time.Duration) Effects {
	b := a.batch
	if b == nil || b.ID != id {
		return Effects{}
	}
	a.batch = nil
	switch {
	case b.Kind == SetupBatch && err != nil:
		a.phase, a.failure = PhaseFailed, err.Error()
	case b.Kind == SetupBatch:
		a.phase, a.settled = PhaseWatch, at
	case err != nil:
		a.failure = "the solution failed: " + err.Error()
	default:
		a.acted = true
	}
	return Effects{}
}

// Acted reports a command the learner ran (typed in the bar or by a key)
// that the lab accepted, at lab time at. It is journaled whatever the
// phase, since it changed the lab; it counts as acting on a task only
// while the step's setup runs or its checks are watched, and only if it
// changes the system (expect, wait and speed only watch it).
func (a *Attempt) Acted(line, source string, at time.Duration) {
	if a.phase == PhaseDone {
		return
	}
	a.journal = append(a.journal, Entry{Step: a.step, At: at, Lines: []string{line}, Source: source})
	c, err := lab.Parse(line)
	if err != nil || c == nil || c.Observes() {
		return
	}
	if a.phase == PhaseSetup || a.phase == PhaseWatch {
		a.acted = true
	}
}

// Observe takes a snapshot of the lab: the checks are read from it, and
// the step is reached when all of them hold at once, the setup has
// finished, and, for a task, the learner has acted.
func (a *Attempt) Observe(s lab.Snapshot) Effects {
	switch a.phase {
	case PhaseSetup, PhaseWatch, PhaseFailed:
		a.checks = a.Current().Checks(s)
	default:
		return Effects{}
	}
	if a.phase != PhaseWatch || s.T < a.settled || !allHold(a.checks) || (a.Current().Task() && !a.acted) {
		return Effects{}
	}
	a.phase = PhaseReached
	e := a.note(a.event(lab.LessonPassed, s.T))
	eff := Effects{Events: []lab.Event{e}}
	a.rec.Steps[a.step].Checks = slices.Clone(a.checks)
	return eff
}

// Hint reveals the current step's next hint, if there is one.
func (a *Attempt) Hint(at time.Duration) Effects {
	if a.phase == PhaseDone || a.hints >= len(a.Current().Hints) {
		return Effects{}
	}
	a.hints++
	e := a.event(lab.LessonHint, at)
	e.Hint = a.hints
	return Effects{Events: []lab.Event{a.note(e)}}
}

// ErrNotTask is Show's answer for a step without a solution.
var ErrNotTask = errors.New("this step has no solution to show: it passes by itself")

// Show runs the current task's solution for the learner: the step will
// count as shown, not passed. It can be asked once, while the checks are
// watched.
func (a *Attempt) Show(at time.Duration) (Effects, error) {
	switch {
	case !a.Current().Task():
		return Effects{}, ErrNotTask
	case a.phase != PhaseWatch:
		return Effects{}, fmt.Errorf("the solution can be shown once the step's setup has run (now: %s)", a.phase)
	case a.showing:
		return Effects{}, errors.New("the solution is already running")
	}
	a.showing = true
	eff := Effects{Events: []lab.Event{a.note(a.event(lab.LessonShown, at))}}
	eff.Run = a.run(SolutionBatch, a.Current().Solution, at)
	return eff, nil
}

// Skip leaves the current step (skipped, unless it was reached) and
// begins the next.
func (a *Attempt) Skip(at time.Duration) Effects {
	if a.phase == PhaseDone {
		return Effects{}
	}
	var eff Effects
	if a.phase != PhaseReached {
		eff.Events = append(eff.Events, a.note(a.event(lab.LessonSkipped, at)))
		a.rec.Steps[a.step].Checks = slices.Clone(a.checks)
	}
	a.batch = nil // a running batch finishes on its own; its report is ignored
	next := a.advance(at)
	next.Events = append(eff.Events, next.Events...)
	return next
}

// Next moves on from a reached step.
func (a *Attempt) Next(at time.Duration) Effects {
	if a.phase != PhaseReached {
		return Effects{}
	}
	return a.advance(at)
}

func (a *Attempt) advance(at time.Duration) Effects {
	if a.step+1 < len(a.lesson.Steps) {
		a.step++
		return a.Begin(at)
	}
	a.phase = PhaseDone
	return Effects{Events: []lab.Event{a.note(a.event(lab.LessonDone, at))}}
}

// Plan is how to bring a new lab to where a step began: run each entry at
// its lab time, then let lab time run on to Until.
type Plan struct {
	Entries []Entry
	Until   time.Duration
}

// Plan is what must be replayed on a new lab before the current step
// begins: everything journaled for the steps before it.
func (a *Attempt) Plan() Plan {
	p := Plan{Until: a.began}
	for _, e := range a.journal {
		if e.Step < a.step {
			p.Entries = append(p.Entries, e)
			p.Until = max(p.Until, e.At)
		}
	}
	return p
}

// Restart abandons the current step to begin it again from the state the
// lab was in when it began: it forgets what was journaled for the step and
// returns the Plan that rebuilds that state on a new lab. The host builds
// the lab, replays the plan, and calls Begin.
func (a *Attempt) Restart(at time.Duration) (Plan, Effects) {
	if a.phase == PhaseDone {
		return Plan{}, Effects{}
	}
	eff := Effects{Events: []lab.Event{a.note(a.event(lab.LessonRestarted, at))}}
	a.batch = nil
	a.journal = slices.DeleteFunc(a.journal, func(e Entry) bool { return e.Step >= a.step })
	return a.Plan(), eff
}

// event makes a lesson event about the current step.
func (a *Attempt) event(what string, at time.Duration) lab.Event {
	e := lab.Event{T: at.Seconds(), Kind: lab.KindLesson, Lesson: a.lesson.ID, Step: a.step + 1, What: what}
	if what == lab.LessonDone {
		e.Step = 0
	}
	return e
}

// note folds an event the attempt emits into its record: the record is
// what its events say, as a report folded from a log would be.
func (a *Attempt) note(e lab.Event) lab.Event {
	a.rec.Apply(e)
	return e
}

// allHold reports whether every check holds (a step without checks holds
// at once).
func allHold(cs []Check) bool {
	if len(cs) == 0 {
		return true
	}
	for _, c := range cs {
		if !c.Holds {
			return false
		}
	}
	return true
}

// Journal is everything that shaped the lab so far, in order.
func (a *Attempt) Journal() []Entry { return slices.Clone(a.journal) }

// Progress is the attempt as the learner's progress file keeps it: each
// step's outcome, last quiz answer and hints, when the current step began,
// and the journal of the steps before it (to resume there).
func (a *Attempt) Progress(prior LessonProgress) LessonProgress {
	lp := prior.clone()
	lp.Steps = map[int]StepProgress{}
	for i, r := range a.rec.Steps {
		sp := prior.Steps[i]
		if r.Outcome != NotReached {
			sp.Outcome = r.Outcome.String()
		}
		if n := len(r.Answers); n > 0 {
			sp.Quiz = r.Answers[n-1].Choice
		}
		sp.Hints = max(sp.Hints, r.Hints)
		if i == a.step && a.phase != PhaseDone {
			sp.Began = a.began.Seconds()
		}
		if sp != (StepProgress{}) {
			lp.Steps[i] = sp
		}
	}
	lp.Journal = slices.DeleteFunc(a.Journal(), func(e Entry) bool { return e.Step >= a.step })
	if a.phase == PhaseDone {
		lp.Done, lp.Journal = true, nil
	}
	return lp
}

// scriptedJournal is a journal for resuming at step k when the progress
// file has none (it was written by an older version): each earlier step's
// setup and, for a task, its solution, one after the other, each step
// given its longest within (at least 5 s) to settle.
func scriptedJournal(ls *Lesson, k int) ([]Entry, time.Duration) {
	var out []Entry
	var at time.Duration
	for i := range k {
		st := &ls.Steps[i]
		for _, batch := range [][]Line{st.Setup, st.Solution} {
			if len(batch) == 0 {
				continue
			}
			e := Entry{Step: i, At: at, Source: lab.SourceLesson}
			for _, ln := range batch {
				e.Lines = append(e.Lines, ln.Cmd.Line)
				if d, ok := ln.Cmd.Wait(); ok {
					at += d
				}
			}
			out = append(out, e)
		}
		at += max(st.within(), 5*time.Second)
	}
	return out, at
}
