package main

import (
	"io"
	"path/filepath"
	"strings"
	"testing"

	"github.com/scalelab/scalelab/lab"
	"github.com/scalelab/scalelab/lab/session"
)

// newTestLab builds a lab on the web preset, stopped at the end of the test.
func newTestLab(t *testing.T) *lab.Lab {
	t.Helper()
	p, err := lab.LoadPreset("web")
	if err != nil {
		t.Fatal(err)
	}
	l, err := lab.New(lab.Config{Preset: p, Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(l.Stop)
	return l
}

// frameText is every frame of a log, joined.
func frameText(lg *session.Log) string {
	var b strings.Builder
	for _, f := range lg.Frames {
		b.WriteString(f.Data)
	}
	return b.String()
}

// TestRecordFollowsTheLabOnScreen: the lessons' program draws one stream
// of frames across several labs, each with its own log. A frame goes to
// the log of the lab started last, none while no lab runs (the picker),
// and none to a lab's log after it has stopped.
func TestRecordFollowsTheLabOnScreen(t *testing.T) {
	file := filepath.Join(t.TempDir(), "lesson.jsonl")
	sl := &sessionLogs{flags: &logFlags{file: file, record: true}, mode: "tui", tui: true, errOut: io.Discard}
	out := sl.output(io.Discard)
	draw := func(s string) {
		t.Helper()
		if _, err := io.WriteString(out, s); err != nil {
			t.Fatal(err)
		}
	}
	draw("picker before any lesson|")
	first := newTestLab(t)
	sl.start(first, nil)
	draw("first lesson|")
	first.Stop()
	draw("picker again|")
	second := newTestLab(t)
	sl.start(second, nil)
	draw("second lesson|")
	second.Stop()
	sl.close()

	for _, c := range []struct{ path, want string }{
		{file, "first lesson|"},
		{numbered(file, 1), "second lesson|"},
	} {
		lg := readLogFile(t, c.path)
		if got := frameText(lg); got != c.want {
			t.Errorf("%s: frames %q, want %q", filepath.Base(c.path), got, c.want)
		}
		for _, f := range lg.Frames {
			if f.W < 0 {
				t.Errorf("%s: frame at %gs, before the log began", filepath.Base(c.path), f.W)
			}
		}
	}
}

// TestRecordOffWithoutDashboard: without --record, or headless, the
// program's output is the writer it was given, untouched.
func TestRecordOffWithoutDashboard(t *testing.T) {
	for _, sl := range []*sessionLogs{
		{flags: &logFlags{}, tui: true},
		{flags: &logFlags{record: true}, tui: false},
	} {
		if out := sl.output(io.Discard); out != io.Discard || sl.rec != nil {
			t.Errorf("flags %+v, tui %v: output is %T", *sl.flags, sl.tui, out)
		}
	}
}
