package session

// Replay: a log's commands, re-run on a new lab at the lab times they ran.

import (
	"cmp"
	"fmt"
	"io"
	"slices"
	"strconv"
	"time"

	"github.com/scalelab/scalelab/components/clock"
	"github.com/scalelab/scalelab/lab"
	"github.com/scalelab/scalelab/lab/args"
)

// Replay is a log worked out for running again: the lab to build (the
// recorded preset, seed, speed and load cap) and every command that
// succeeded — typed, bound to a key, from a lesson or a script, or itself
// replayed — at the lab time it ran. Failed commands changed nothing and
// are left out, and so are expects: they observe, they do not act.
type Replay struct {
	Header   Header
	Config   lab.Config
	Lines    []lab.TimedLine // by lab time; File and N point into the log
	End      time.Duration   // the lab time of the log's last line
	Warnings []string        // the log's, then the replay's own
}

// LoadReplay reads the log in r (called name in messages) and works out
// its replay at speed times the recorded pace (1 for as recorded; the
// lab's speed and every recorded `speed` command are multiplied by it,
// within the clock's range). A log that cannot be read, a preset this
// build does not have, or a recorded command that no longer parses is an
// error naming the line.
func LoadReplay(r io.Reader, name string, speed float64) (*Replay, error) {
	if !(speed > 0) {
		return nil, fmt.Errorf("replay speed %g: want a positive factor", speed)
	}
	lg, lines, err := read(r)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	h := lg.Header
	p, err := lab.LoadPreset(h.Preset)
	if err != nil {
		return nil, fmt.Errorf("%s: line 1: %w", name, err)
	}
	rp := &Replay{Header: h, Warnings: slices.Clone(lg.Warnings)}
	rp.Config = lab.Config{Preset: p, Seed: h.Seed, Speed: rp.scale(cmp0(h.Speed, 1), speed, "the recorded speed"), MaxRate: h.MaxRate}
	for i, e := range lg.Events {
		rp.End = max(rp.End, seconds(e.T))
		if e.Kind != lab.KindCommand || e.Err != "" {
			continue
		}
		n := lines[i]
		c, err := lab.Parse(e.Line)
		if err != nil {
			return nil, fmt.Errorf("%s: line %d: recorded command %q does not parse: %w", name, n, args.Clip(e.Line), err)
		}
		if c == nil {
			continue
		}
		if x, ok := c.Speed(); ok && speed != 1 {
			line := "speed " + strconv.FormatFloat(rp.scale(x, speed, fmt.Sprintf("line %d: %q", n, args.Clip(e.Line))), 'g', -1, 64) + "x"
			if c, err = lab.Parse(line); err != nil {
				return nil, fmt.Errorf("%s: line %d: %w", name, n, err)
			}
		}
		rp.Lines = append(rp.Lines, lab.TimedLine{At: seconds(e.T), ScriptLine: lab.ScriptLine{File: name, N: n, Cmd: c}})
	}
	slices.SortStableFunc(rp.Lines, func(a, b lab.TimedLine) int { return cmp.Compare(a.At, b.At) })
	for _, m := range lg.Metrics {
		rp.End = max(rp.End, seconds(m.T))
	}
	for _, l := range lg.Lessons {
		rp.End = max(rp.End, seconds(l.T))
	}
	for _, t := range lg.Traces {
		rp.End = max(rp.End, seconds(t.T))
	}
	return rp, nil
}

// Run replays on l (built from Config) headless: the commands at their
// times with source "replay", a summary each lab second to opt.Out, until
// the recorded end or until l stops.
func (rp *Replay) Run(l *lab.Lab, opt lab.RunOptions) lab.RunResult {
	return l.RunTimed(rp.Lines, lab.SourceReplay, rp.End, opt)
}

// scale multiplies a speed by the replay's factor, within the clock's
// range, with a warning when it had to be clamped.
func (rp *Replay) scale(x, factor float64, what string) float64 {
	y := x * factor
	if y < clock.MinSpeed || y > clock.MaxSpeed {
		c := min(max(y, clock.MinSpeed), clock.MaxSpeed)
		rp.Warnings = append(rp.Warnings, fmt.Sprintf("%s at %gx replayed at %gx would be %gx; the clock runs %gx..%gx, so it runs at %gx", what, x, factor, y, clock.MinSpeed, clock.MaxSpeed, c))
		return c
	}
	return y
}

func cmp0(x, def float64) float64 {
	if x == 0 {
		return def
	}
	return x
}

func seconds(t float64) time.Duration { return time.Duration(t * float64(time.Second)) }
