package lab

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
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

// ParseScript reads a script: one command per line, blank lines and # comments
// ignored. Every bad line is reported, as "file:line:col: message", and if any
// line is bad nothing is returned to run — a script runs whole or not at all.
func ParseScript(file string, src []byte) ([]ScriptLine, error) {
	var lines []ScriptLine
	var errs []error
	sc := bufio.NewScanner(bytes.NewReader(src))
	sc.Buffer(make([]byte, 64*1024), 1<<20)
	n := 0
	for sc.Scan() {
		n++
		c, err := Parse(strings.TrimSuffix(sc.Text(), "\r")) // CRLF scripts too
		if err != nil {
			errs = append(errs, fmt.Errorf("%s:%d:%w", file, n, positioned(err)))
			continue
		}
		if c != nil {
			lines = append(lines, ScriptLine{File: file, N: n, Cmd: c})
		}
	}
	if err := sc.Err(); err != nil {
		errs = append(errs, fmt.Errorf("%s:%d: %w", file, n+1, err))
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
