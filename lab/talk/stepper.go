package talk

import (
	"fmt"
	"time"

	"github.com/scalelab/scalelab/lab"
	"github.com/scalelab/scalelab/lab/lesson"
)

// Stepper is a talk being presented: a pure state machine, as
// lesson.Attempt is. Its inputs are what happened — a step started, a
// command was typed — and it keeps a journal of them with their lab times,
// from which Back works out how to rebuild a new lab to where the step
// before began. It runs nothing and reads no clock.
//
// Transitions: Start(k) with k == Done()+1 records step k as run (Done
// becomes k); Typed records a command; Back, with Done() > 0, forgets the
// last step run and everything after it (Done becomes k-1) and returns the
// plan that rebuilds the lab to just before it.
type Stepper struct {
	talk    *Talk
	speed   float64 // the lab's speed at the start
	done    int
	journal []lesson.Entry
	starts  []int // journal index of each step run
}

// NewStepper starts presenting t on a lab that runs at speed.
func NewStepper(t *Talk, speed float64) *Stepper { return &Stepper{talk: t, speed: speed} }

// Talk is the talk presented.
func (s *Stepper) Talk() *Talk { return s.talk }

// Done is how many steps have been run.
func (s *Stepper) Done() int { return s.done }

// Next is the step to run next, and false when every step has run.
func (s *Stepper) Next() (Step, bool) {
	if s.done >= len(s.talk.Steps) {
		return Step{}, false
	}
	return s.talk.Steps[s.done], true
}

// Start records that step n (Done()+1) began at lab time at, and returns
// it; false if n is not the next step.
func (s *Stepper) Start(n int, at time.Duration) (Step, bool) {
	st, ok := s.Next()
	if !ok || st.N != n {
		return Step{}, false
	}
	s.starts = append(s.starts, len(s.journal))
	s.journal = append(s.journal, lesson.Entry{Step: s.done, At: at, Lines: st.Text(), Source: lab.SourceScript})
	s.done++
	return st, true
}

// Typed records a command that ran at lab time at from source (typed, a
// key): going back replays it if it ran before the step undone. Commands
// that only watch (expect, wait) are not kept.
func (s *Stepper) Typed(line, source string, at time.Duration) {
	c, err := lab.Parse(line)
	if err != nil || c == nil {
		return
	}
	if _, speed := c.Speed(); c.Observes() && !speed && !c.Clock() {
		return
	}
	s.journal = append(s.journal, lesson.Entry{Step: s.done, At: at, Lines: []string{c.Line}, Source: source})
}

// Rebuild is how to bring a new lab to a point of the talk: the plan to
// replay (lesson.Replay), then the speed to set and whether to freeze, as
// the lab was at that point (Replay leaves speed, freeze and thaw out).
type Rebuild struct {
	Plan   lesson.Plan
	Speed  float64
	Frozen bool
}

// Back undoes the last step run: Done goes down by one, and the rebuild
// returned brings a new lab to the moment that step began (the steps
// before it and the commands typed before it, at their lab times). false
// when no step has run.
func (s *Stepper) Back() (Rebuild, bool) {
	if s.done == 0 {
		return Rebuild{}, false
	}
	s.done--
	cut := s.starts[s.done]
	s.starts = s.starts[:s.done]
	until := s.journal[cut].At
	s.journal = s.journal[:cut]
	return s.rebuild(until), true
}

// rebuild is the rebuild for the journal as it is, up to lab time until.
func (s *Stepper) rebuild(until time.Duration) Rebuild {
	r := Rebuild{Plan: lesson.Plan{Until: until}, Speed: s.speed}
	for _, e := range s.journal {
		r.Plan.Entries = append(r.Plan.Entries, e)
		for _, line := range e.Lines {
			c, err := lab.Parse(line)
			if err != nil || c == nil {
				continue
			}
			if x, ok := c.Speed(); ok {
				r.Speed = x
			}
			if c.Clock() {
				r.Frozen = line == "freeze"
			}
		}
	}
	return r
}

// Apply brings l, a new lab built as the first was, to the rebuild's
// point: the plan replayed at lesson.ReplaySpeed (the audience sees the
// lab fast-forward), then the speed and the freeze the lab had there.
func Apply(l *lab.Lab, r Rebuild) error {
	_ = l.Exec(fmt.Sprintf("speed %gx", float64(lesson.ReplaySpeed)), lab.SourceReplay)
	err := lesson.Replay(l, r.Plan)
	_ = l.Exec(fmt.Sprintf("speed %gx", r.Speed), lab.SourceReplay)
	if r.Frozen {
		_ = l.Exec("freeze", lab.SourceReplay)
	}
	return err
}

// RunStep runs a step's lines in order on l from source, waits in lab
// time, and returns the first error (the lines after a failed one still
// run, as a script's do).
func RunStep(l *lab.Lab, st Step, source string) error {
	var first error
	for _, sl := range st.Lines {
		if err := l.Run(sl.Cmd, source); err != nil && first == nil {
			first = fmt.Errorf("%s: %s: %w", sl.Pos(), sl.Cmd.Line, err)
		}
	}
	return first
}
