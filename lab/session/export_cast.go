package session

// asciicast v2 export: the TUI frames recorded with --record as a terminal
// recording asciinema plays back (https://docs.asciinema.org/manual/asciicast/v2/).
// The file is one JSON header line, then one [time, "o", data] line per
// chunk of output, time in seconds since the start.

import (
	"encoding/json"
	"errors"
	"io"
	"math"
	"sort"
)

// castHeader is an asciicast v2 header line.
type castHeader struct {
	Version   int    `json:"version"`
	Width     int    `json:"width"`
	Height    int    `json:"height"`
	Timestamp int64  `json:"timestamp,omitempty"`
	Title     string `json:"title,omitempty"`
}

// Terminal size assumed when the header has none (a log not from the TUI).
const (
	castWidth  = 80
	castHeight = 24
)

// WriteCast writes the log's frames as an asciicast v2 recording sized to
// the terminal the session ran in. Frames are written in time order, times
// rounded to the microsecond. It fails when the session was not recorded.
func WriteCast(w io.Writer, l *Log) error {
	if len(l.Frames) == 0 {
		return errors.New("no frames recorded: record the session with --record to export a cast")
	}
	h := castHeader{Version: 2, Width: l.Header.Cols, Height: l.Header.Rows, Title: "scalelab"}
	if h.Width <= 0 {
		h.Width = castWidth
	}
	if h.Height <= 0 {
		h.Height = castHeight
	}
	if l.Header.Lesson != "" {
		h.Title += " — " + l.Header.Lesson
	}
	if start, err := l.start(); err == nil {
		h.Timestamp = start.Unix()
	}
	frames := append([]Frame(nil), l.Frames...)
	sort.SliceStable(frames, func(i, j int) bool { return frames[i].W < frames[j].W })
	enc := json.NewEncoder(w)
	if err := enc.Encode(h); err != nil {
		return err
	}
	for _, f := range frames {
		t := math.Round(max(f.W, 0)*1e6) / 1e6
		if err := enc.Encode([]any{t, "o", f.Data}); err != nil {
			return err
		}
	}
	return nil
}
