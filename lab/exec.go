package lab

import (
	"errors"
	"fmt"
	"strings"
)

// Sources of commands, recorded with every command event.
const (
	SourceTyped  = "typed"
	SourceKey    = "key"
	SourceLesson = "lesson"
	SourceScript = "script"
	SourceReplay = "replay"
	// SourceInstructor is a command an instructor broadcast to every
	// attendee's lab (scalelab serve --ssh).
	SourceInstructor = "instructor"
)

// Exec parses and runs one line from source. A line that fails to parse or
// apply changes nothing. Blocking commands (wait, expect … within) block
// the caller; run them off the UI goroutine.
func (l *Lab) Exec(line, source string) error {
	c, err := Parse(line)
	if err != nil {
		l.event(Event{Kind: KindCommand, Source: source, Line: strings.TrimSpace(line), Err: err.Error()})
		return err
	}
	if c == nil {
		return nil
	}
	return l.Run(c, source)
}

// Run runs a parsed command and records it on the bus.
func (l *Lab) Run(c *Command, source string) error {
	select {
	case <-l.stop:
		return errors.New("lab stopped")
	default:
	}
	e := Event{Kind: KindCommand, Source: source, Line: c.Line}
	if _, isWait := c.Wait(); isWait {
		// A wait is logged as it starts, so it shows up when it begins and
		// a replay that runs each command at its logged time finds it there.
		l.event(e)
		return c.action.apply(l)
	}
	if _, isExpect := c.Expect(); !isExpect {
		// expect reports itself when it settles; other commands are logged
		// when they have applied (at once), with their error if any.
		defer func() { l.event(e) }()
	}
	if !c.Blocking() {
		// Commands from the bar, keys, a lesson and a script may arrive at
		// once; each changes the lab alone. (wait and expect … within only
		// watch, and must not hold the others up.)
		l.cmdMu.Lock()
		defer l.cmdMu.Unlock()
	}
	err := c.action.apply(l)
	if err != nil {
		e.Err = err.Error()
	}
	return err
}

// lookup finds a server by name, with an error listing the known ones.
func (l *Lab) lookup(name string) (*server, error) {
	if s := l.server(name); s != nil {
		return s, nil
	}
	return nil, fmt.Errorf("unknown server %q; servers: %s", name, strings.Join(l.serverNames(), ", "))
}
