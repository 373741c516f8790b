package session

// Exports turn a session log read back into something other tools show: a
// Markdown report for people (export_md.go), OTLP/JSON traces for
// OpenTelemetry tools such as Jaeger (export_otlp.go), and an asciicast v2
// recording that asciinema plays back (export_cast.go).

import (
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/scalelab/scalelab/lab"
)

// Log is a whole session log read back: the header and every line, grouped
// by kind, each group in the order written.
type Log struct {
	Header   Header
	Events   []lab.Event
	Metrics  []Metrics
	Traces   []Trace
	Lessons  []Lesson
	Frames   []Frame
	Warnings []string
}

// Formats lists the export formats, in the order `scalelab export --help`
// shows them.
var Formats = []string{"md", "otlp", "cast"}

// Export writes l to w in format ("md", "otlp" or "cast"). It fails, writing
// nothing, when the log holds nothing the format can show — traces for
// otlp, frames for cast — and says why.
func Export(w io.Writer, l *Log, format string) error {
	switch format {
	case "md":
		return WriteMarkdown(w, l)
	case "otlp":
		return WriteOTLP(w, l)
	case "cast":
		return WriteCast(w, l)
	}
	return fmt.Errorf("unknown export format %q (accepted: %s)", format, strings.Join(Formats, ", "))
}

// start is the wall-clock time the session started, from the header.
func (l *Log) start() (time.Time, error) {
	t, err := time.Parse(time.RFC3339Nano, l.Header.Start)
	if err != nil {
		return time.Time{}, fmt.Errorf("header: start %q is not an RFC 3339 time", l.Header.Start)
	}
	return t, nil
}

// lastMetric returns the most recent recorded value of a metric.
func (l *Log) lastMetric(name string) (float64, bool) {
	for i := len(l.Metrics) - 1; i >= 0; i-- {
		if v, ok := l.Metrics[i].Metrics[name]; ok {
			return v, true
		}
	}
	return 0, false
}
