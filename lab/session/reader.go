package session

// Reading a log back, line by line, for replay and the exports.

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"

	"github.com/scalelab/scalelab/lab"
)

// LineError is a problem with one line of a log.
type LineError struct {
	Line int // 1-based
	Err  error
}

func (e *LineError) Error() string { return fmt.Sprintf("line %d: %v", e.Line, e.Err) }

func (e *LineError) Unwrap() error { return e.Err }

// ErrNotLog is wrapped by the error for input that is not a session log at
// all: empty, or a first line that is not a header.
var ErrNotLog = errors.New("not a scalelab session log")

// Read reads a whole log. It checks the header (the first line, with a
// schema this build reads) and every line after it, and fails on the first
// bad one with its line number. A last line cut off mid-way — what a crash
// leaves — is left out with a warning instead.
func Read(r io.Reader) (*Log, error) {
	lg, _, err := read(r)
	return lg, err
}

// Limits of what a log may hold: a longer line is not one this program
// wrote (a recorded frame is tens of KB), and a later lab time is past
// any session (a week of lab time).
const (
	MaxLineBytes = 8 << 20
	MaxLogTime   = 7 * 24 * 3600 // lab seconds
)

// read is Read that also returns the line number of each event.
func read(r io.Reader) (*Log, []int, error) {
	br := bufio.NewReaderSize(r, 64*1024)
	lg := &Log{}
	var eventLines []int
	for n := 1; ; n++ {
		raw, err := readLine(br)
		if err != nil && !errors.Is(err, io.EOF) {
			if n == 1 && errors.Is(err, errLongLine) {
				return nil, nil, fmt.Errorf("%w: line 1 is longer than %d MiB", ErrNotLog, MaxLineBytes>>20)
			}
			return nil, nil, &LineError{n, err}
		}
		complete := len(raw) > 0 && raw[len(raw)-1] == '\n'
		text := bytes.TrimSpace(raw)
		if len(text) == 0 { // blank lines are let be
			if n == 1 && !complete {
				return nil, nil, fmt.Errorf("%w: the input is empty", ErrNotLog)
			}
			if !complete {
				break // the end
			}
			if n == 1 {
				return nil, nil, fmt.Errorf("%w: line 1 is blank", ErrNotLog)
			}
			continue
		}
		if perr := lg.parse(n, text, &eventLines); perr != nil {
			if !complete && n > 1 { // a crash cut the last line short
				lg.Warnings = append(lg.Warnings, fmt.Sprintf("line %d: the last line is cut short (the session ended without closing its log); it was left out", n))
				break
			}
			return nil, nil, perr
		}
		if !complete {
			break
		}
	}
	return lg, eventLines, nil
}

var errLongLine = fmt.Errorf("the line is longer than %d MiB: not a line of a session log", MaxLineBytes>>20)

// readLine reads one line, newline included, holding at most MaxLineBytes
// of it: a longer line is an error (and is not kept in memory).
func readLine(br *bufio.Reader) ([]byte, error) {
	var line []byte
	for {
		chunk, err := br.ReadSlice('\n')
		if len(line)+len(chunk) > MaxLineBytes {
			return nil, errLongLine
		}
		line = append(line, chunk...)
		if !errors.Is(err, bufio.ErrBufferFull) {
			return line, err
		}
	}
}

// checkTime refuses a lab time no session has: negative, or past
// MaxLogTime (JSON cannot hold NaN or Inf).
func checkTime(t float64) error {
	if !(t >= 0 && t <= MaxLogTime) {
		return fmt.Errorf("t %g is out of range 0..%d (lab seconds)", t, MaxLogTime)
	}
	return nil
}

// parse adds one line to the log.
func (lg *Log) parse(n int, text []byte, eventLines *[]int) error {
	var probe struct {
		Kind   string `json:"kind"`
		Schema *int   `json:"schema"`
	}
	if err := json.Unmarshal(text, &probe); err != nil {
		if n == 1 {
			return fmt.Errorf("%w: line 1 is not JSON", ErrNotLog)
		}
		return &LineError{n, fmt.Errorf("not a JSON object: %v", jsonErr(err))}
	}
	if n == 1 {
		if probe.Kind != KindHeader || probe.Schema == nil {
			return fmt.Errorf("%w: line 1 is not a header (kind %q)", ErrNotLog, probe.Kind)
		}
		if *probe.Schema > Schema {
			return &LineError{1, fmt.Errorf("schema %d is newer than this scalelab reads (%d): update scalelab to read this log", *probe.Schema, Schema)}
		}
		if *probe.Schema < 1 {
			return &LineError{1, fmt.Errorf("schema %d is not a schema (1..%d)", *probe.Schema, Schema)}
		}
		if err := decode(text, &lg.Header); err != nil {
			return &LineError{1, fmt.Errorf("header: %v", err)}
		}
		h := lg.Header
		switch {
		case h.Preset == "":
			return &LineError{1, errors.New("header: no preset")}
		case h.Speed != 0 && !(h.Speed >= 0.1 && h.Speed <= 20):
			return &LineError{1, fmt.Errorf("header: speed %g is out of range 0.1..20", h.Speed)}
		case h.MaxRate != 0 && !(h.MaxRate >= 1 && h.MaxRate <= lab.MaxRateCap):
			return &LineError{1, fmt.Errorf("header: max_rate %g is out of range 1..%d", h.MaxRate, lab.MaxRateCap)}
		}
		return nil
	}
	var at struct {
		T *float64 `json:"t"`
	}
	if err := json.Unmarshal(text, &at); err == nil && at.T != nil {
		if err := checkTime(*at.T); err != nil {
			return &LineError{n, err}
		}
	}
	var err error
	switch probe.Kind {
	case KindHeader:
		return &LineError{n, errors.New("a second header (two logs joined?)")}
	case KindMetrics:
		var m Metrics
		if err = decode(text, &m); err == nil {
			lg.Metrics = append(lg.Metrics, m)
		}
	case KindTrace:
		var t Trace
		if err = decode(text, &t); err == nil {
			lg.Traces = append(lg.Traces, t)
		}
	case KindLesson:
		var l Lesson
		if err = decode(text, &l); err == nil {
			lg.Lessons = append(lg.Lessons, l)
		}
	case KindFrame:
		var f Frame
		if err = decode(text, &f); err == nil {
			lg.Frames = append(lg.Frames, f)
		}
	case lab.KindCommand, lab.KindFault, lab.KindState, lab.KindExpect, lab.KindRequest:
		var e lab.Event
		if err = decode(text, &e); err == nil {
			lg.Events = append(lg.Events, e)
			*eventLines = append(*eventLines, n)
		}
	case "":
		return &LineError{n, errors.New(`no "kind"`)}
	default:
		return &LineError{n, fmt.Errorf("unknown kind %q", probe.Kind)}
	}
	if err != nil {
		return &LineError{n, fmt.Errorf("%s: %v", probe.Kind, jsonErr(err))}
	}
	return nil
}

// decode decodes one line. Fields this build does not know are ignored:
// a schema version grows by adding fields, and changes its number only
// when a field changes meaning or goes away.
func decode(text []byte, v any) error { return json.Unmarshal(text, v) }

// jsonErr drops encoding/json's "json: " prefix.
func jsonErr(err error) string {
	s := err.Error()
	if len(s) > 6 && s[:6] == "json: " {
		return s[6:]
	}
	return s
}
