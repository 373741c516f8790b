package lab

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"strings"
)

// ScriptLine is one command of a script and where it came from.
type ScriptLine struct {
	File string
	N    int // 1-based line number
	Cmd  *Command
}

// Pos is "file:line".
func (s ScriptLine) Pos() string { return fmt.Sprintf("%s:%d", s.File, s.N) }

// Limits of a script: it is written by hand, so these are generous, and
// they keep a wrong file (a log, a binary) from costing memory.
const (
	MaxScriptBytes  = 4 << 20
	MaxScriptLine   = 4096 // bytes
	MaxScriptErrors = 100  // reported one by one; the rest are counted
)

// ParseScript reads a script: one command per line, blank lines and #
// comments ignored. Every bad line is reported, as "file:line:col:
// message" (the first MaxScriptErrors of them, then how many more), and if
// any line is bad nothing is returned to run — a script runs whole or not
// at all. A script over MaxScriptBytes is refused without reading on.
func ParseScript(file string, r io.Reader) ([]ScriptLine, error) {
	var lines []ScriptLine
	var errs []error
	more := 0
	bad := func(err error) {
		if len(errs) < MaxScriptErrors {
			errs = append(errs, err)
		} else {
			more++
		}
	}
	lr := &io.LimitedReader{R: r, N: MaxScriptBytes + 1}
	sc := bufio.NewScanner(lr)
	sc.Buffer(make([]byte, 64*1024), 1<<20)
	n := 0
	for sc.Scan() {
		n++
		text := strings.TrimSuffix(sc.Text(), "\r") // CRLF scripts too
		if len(text) > MaxScriptLine {
			bad(fmt.Errorf("%s:%d:1: the line is %d bytes long; a command line is at most %d", file, n, len(text), MaxScriptLine))
			continue
		}
		c, err := Parse(text)
		if err != nil {
			bad(fmt.Errorf("%s:%d:%w", file, n, positioned(err)))
			continue
		}
		if c != nil {
			lines = append(lines, ScriptLine{File: file, N: n, Cmd: c})
		}
	}
	switch err := sc.Err(); {
	case lr.N <= 0:
		return nil, fmt.Errorf("%s: the script is longer than %d MiB; a script is at most that", file, MaxScriptBytes>>20)
	case errors.Is(err, bufio.ErrTooLong):
		bad(fmt.Errorf("%s:%d:1: the line is longer than 1 MiB; a command line is at most %d bytes", file, n+1, MaxScriptLine))
	case err != nil:
		bad(fmt.Errorf("%s:%d: %w", file, n+1, err))
	}
	if more > 0 {
		errs = append(errs, fmt.Errorf("… and %d more bad lines", more))
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	return lines, nil
}

// positioned renders a *SyntaxError as "col: message" so that it reads
// file:line:col: message.
type posError struct{ e *SyntaxError }

func (p posError) Error() string {
	msg := p.e.Msg
	if p.e.Usage != "" {
		msg += " (usage: " + p.e.Usage + ")"
	}
	return fmt.Sprintf("%d: %s", p.e.Col, msg)
}

func (p posError) Unwrap() error { return p.e }

func positioned(err error) error {
	var se *SyntaxError
	if errors.As(err, &se) {
		return posError{se}
	}
	return fmt.Errorf(" %w", err)
}
