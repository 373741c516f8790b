// Package session records what happened in a lab session as JSON Lines —
// a header, then every command (with where it came from), fault, state
// change, expect, lesson step, a metrics snapshot each lab second and the
// sampled traces — flushed as it goes, so a crash loses at most the last
// second. The log can be exported (Markdown report, OTLP/JSON traces,
// asciicast v2) and replayed: its commands re-run at their lab times.
//
// Append-only, line-at-a-time logs are the write-ahead-log idea of
// databases applied to a teaching session; asciicast and OTLP are the
// formats asciinema and OpenTelemetry tools read.
package session

import "github.com/scalelab/scalelab/lab"

// Schema is the version of the log format this build writes and reads. A
// log with a newer schema is refused with a clear error.
const Schema = 1

// Line kinds beyond the lab's own event kinds (command, fault, state,
// expect, request).
const (
	KindHeader  = "header"  // first line
	KindMetrics = "metrics" // one per lab second
	KindTrace   = "trace"   // one per sampled trace, when it finishes
	KindLesson  = "lesson"  // lesson progress
	KindFrame   = "frame"   // a rendered TUI frame, with --record
)

// Header is the first line of every log.
type Header struct {
	Kind    string  `json:"kind"` // "header"
	Schema  int     `json:"schema"`
	Version string  `json:"version"` // scalelab build
	Seed    uint64  `json:"seed"`
	Preset  string  `json:"preset"`
	Lesson  string  `json:"lesson,omitempty"`
	Speed   float64 `json:"speed"`
	Cols    int     `json:"cols,omitempty"` // terminal size, for the TUI
	Rows    int     `json:"rows,omitempty"`
	Start   string  `json:"start"` // wall-clock start, RFC 3339
	Mode    string  `json:"mode"`  // "tui", "run", "replay", "ssh" (an attendee of scalelab serve)

	MaxRate float64 `json:"max_rate,omitempty"` // the load cap (--max-rate), so a replay accepts the same loads
	Replay  string  `json:"replay,omitempty"`   // mode "replay": the log replayed
	User    string  `json:"user,omitempty"`     // mode "ssh": the attendee (SSH user, and key fingerprint if any)
}

// Metrics is one per-second snapshot.
type Metrics struct {
	Kind    string             `json:"kind"` // "metrics"
	T       float64            `json:"t"`
	Metrics map[string]float64 `json:"metrics"`
	Final   bool               `json:"final,omitempty"` // the last snapshot, taken when the log closed
}

// Span is one span of a recorded trace. Times are lab nanoseconds since the
// lab started; the export adds the header's wall-clock start.
type Span struct {
	SpanID  string            `json:"span_id"` // 16 hex
	Parent  string            `json:"parent,omitempty"`
	Name    string            `json:"name"`
	StartNS int64             `json:"start_ns"`
	EndNS   int64             `json:"end_ns"`
	Attrs   map[string]string `json:"attrs,omitempty"`
	Err     string            `json:"err,omitempty"`
}

// Trace is one sampled trace.
type Trace struct {
	Kind    string  `json:"kind"` // "trace"
	T       float64 `json:"t"`
	TraceID string  `json:"trace_id"` // 32 hex
	Spans   []Span  `json:"spans"`    // root first
}

// Lesson is lesson progress: What is "started", "passed", "shown" (the
// learner asked to be shown a task's solution), "skipped", "restarted",
// "quiz" (Choice, Correct), "hint" (Hint is the 1-based hint shown), "done".
type Lesson struct {
	Kind    string  `json:"kind"` // "lesson"
	T       float64 `json:"t"`
	Lesson  string  `json:"lesson"`
	Step    int     `json:"step"` // 1-based
	What    string  `json:"what"`
	Choice  int     `json:"choice,omitempty"`
	Correct *bool   `json:"correct,omitempty"`
	Hint    int     `json:"hint,omitempty"`
}

// Frame is one rendered TUI frame (with --record): wall seconds since the
// start and the bytes written to the terminal.
type Frame struct {
	Kind string  `json:"kind"` // "frame"
	W    float64 `json:"w"`
	Data string  `json:"data"`
}

// Event is a lab event line (command, fault, state, expect, request).
type Event = lab.Event
