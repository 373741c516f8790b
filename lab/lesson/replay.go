package lesson

import (
	"errors"
	"fmt"
	"sync"

	"github.com/scalelab/scalelab/lab"
)

// ReplaySpeed is the clock speed a lab is rebuilt at when a step is
// restarted or a lesson resumed: as fast as the lab stays faithful, so the
// learner waits seconds, not minutes, and sees what the earlier steps did.
const ReplaySpeed = 20

// Replay brings a new lab to where a plan left off: each entry's lines run
// at the entry's lab time, then lab time runs on to plan.Until. An entry
// of the lesson's (a step's setup or solution) or a script's (a talk's
// step) runs its lines in order,
// waits included, on a goroutine of its own when it has a wait, so it
// delays nothing after it — as when it first ran. From the learner's
// entries, lines that only watched the lab (expect, wait) are left out,
// and speed, freeze and thaw lines everywhere: the host sets the replay's
// speed, and a rebuild that froze halfway would never end.
//
// Replay returns the errors of lines that failed (a lab built from the
// same preset accepts what it accepted before, so that is rare) and stops
// early only if the lab stops.
func Replay(l *lab.Lab, p Plan) error {
	clk, start := l.Clock(), l.Start()
	var mu sync.Mutex
	var errs []error
	fail := func(err error) {
		mu.Lock()
		errs = append(errs, err)
		mu.Unlock()
	}
	for _, e := range p.Entries {
		if !clk.SleepUntil(start.Add(e.At), l.Done()) {
			return errors.New("replay: lab stopped")
		}
		cmds, blocking := replayCommands(e, fail)
		run := func() {
			for _, c := range cmds {
				if err := l.Run(c, lab.SourceReplay); err != nil {
					fail(fmt.Errorf("replay of step %d: %s: %w", e.Step+1, c.Line, err))
					return
				}
			}
		}
		if blocking {
			l.Go(run) // as live: a batch still running at Until runs on (stopping the lab ends it)
		} else {
			run()
		}
	}
	clk.SleepUntil(start.Add(p.Until), l.Done())
	mu.Lock()
	defer mu.Unlock()
	return errors.Join(errs...)
}

// replayCommands parses an entry's lines for replaying, and reports
// whether any blocks.
func replayCommands(e Entry, fail func(error)) (cmds []*lab.Command, blocking bool) {
	for _, line := range e.Lines {
		c, err := lab.Parse(line)
		if err != nil {
			fail(fmt.Errorf("replay of step %d: %s: %w", e.Step+1, line, err))
			continue
		}
		if c == nil {
			continue
		}
		authored := e.Source == lab.SourceLesson || e.Source == lab.SourceScript // a lesson's block, a talk's step
		if _, speed := c.Speed(); speed || c.Clock() || (!authored && c.Observes()) {
			continue
		}
		blocking = blocking || c.Blocking()
		cmds = append(cmds, c)
	}
	return cmds, blocking
}
