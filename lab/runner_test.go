package lab

import (
	"fmt"
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
