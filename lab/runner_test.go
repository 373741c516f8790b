package lab

import (
	"fmt"
	"io"
	"strings"
	"testing"
	"testing/synctest"
	"time"
)

func TestRunTimed(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		l := newLab(t, "web", 1, nil)
		sub := l.Subscribe(false)
		at := func(d time.Duration, n int, line string) TimedLine {
			c, err := Parse(line)
			if err != nil {
				t.Fatal(err)
			}
			return TimedLine{At: d, ScriptLine: ScriptLine{File: "s.jsonl", N: n, Cmd: c}}
		}
		lines := []TimedLine{
			at(0, 2, "load 100/s"),
			at(0, 3, "wait 10s"), // blocking: must not hold back the next line
			at(time.Second, 4, "kill web-2"),
			at(2*time.Second, 5, "revive web-9"),
		}
		var out strings.Builder
		start := time.Now()
		res := l.RunTimed(lines, SourceReplay, 3*time.Second, RunOptions{Out: &out})
		if took := time.Since(start); took != 3*time.Second {
			t.Errorf("ran %v of lab time, want the 3 s to the end (the 10 s wait is not waited for)", took)
		}
		if len(res.Failures) != 1 || !strings.HasPrefix(res.Failures[0], "s.jsonl:5: revive web-9:") {
			t.Errorf("failures %q", res.Failures)
		}
		if !strings.Contains(out.String(), "FAIL s.jsonl:5") || strings.Count(out.String(), "\n") != 5 {
			t.Errorf("output:\n%s", out.String())
		}
		var got []string
		for _, e := range sub.Drain() {
			if e.Kind == KindCommand {
				got = append(got, fmt.Sprintf("%s %g %s", e.Source, e.T, e.Line))
			}
		}
		want := "replay 0 load 100/s|replay 0 wait 10s|replay 1 kill web-2|replay 2 revive web-9"
		if strings.Join(got, "|") != want {
			t.Errorf("commands %q, want %q", got, want)
		}
		l.Stop() // ends the wait still sleeping
	})
}

// A timed run tells the View how far it has got, and that it finished.
func TestRunTimedPlayback(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		l := newLab(t, "shop", 1, nil)
		if l.View().Playback != nil {
			t.Fatal("a lab with no replay has a Playback")
		}
		var lines []TimedLine
		for i, line := range []string{"load 100/s", "kill web-2", "revive web-2"} {
			c, err := Parse(line)
			if err != nil {
				t.Fatal(err)
			}
			lines = append(lines, TimedLine{At: time.Duration(i+1) * time.Second, ScriptLine: ScriptLine{File: "x", N: i + 1, Cmd: c}})
		}
		done := make(chan struct{})
		go func() {
			defer close(done)
			l.RunTimed(lines, SourceReplay, 5*time.Second, RunOptions{Out: io.Discard})
		}()
		time.Sleep(2500 * time.Millisecond)
		if p := l.View().Playback; p == nil || p.Done != 2 || p.Total != 3 || p.Finished || p.Source != SourceReplay {
			t.Fatalf("at 2.5s: playback %+v, want replay 2/3 running", p)
		}
		<-done
		if p := l.View().Playback; p == nil || p.Done != 3 || !p.Finished {
			t.Fatalf("after the end: playback %+v, want 3/3 finished", p)
		}
	})
}
