package session

import (
	"fmt"
	"io"
	"math"
	"strings"
	"testing"
	"testing/synctest"

	"github.com/scalelab/scalelab/lab"
)

// commands lists a log's successful commands as "t line".
func commands(lg *Log) []string {
	var out []string
	for _, e := range lg.Events {
		if e.Kind == lab.KindCommand && e.Err == "" {
			out = append(out, fmt.Sprintf("%.3f %s", e.T, e.Line))
		}
	}
	return out
}

func TestReplayReproducesTheCommands(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		// Record: a script, a typed command while a wait runs, a failure.
		l := newTestLab(t, "shop")
		var rec lockedBuffer
		w := NewWriter(&rec, HeaderFor(l, "run"), Options{})
		w.Attach(l)
		script, err := lab.ParseScript("demo.lab", strings.NewReader("load 300/s\nwait 2s\nkill web-2\nwait 1500ms\nrevive web-2\nspeed 2x\nwait 1s\nexpect requests.rate > 1\n"))
		if err != nil {
			t.Fatal(err)
		}
		done := make(chan struct{})
		go func() {
			defer close(done)
			l.RunScript(script, lab.SourceScript, lab.RunOptions{Out: io.Discard})
		}()
		l.Clock().Sleep(1500e6, nil)
		labExec(t, l, lab.SourceTyped, "slow web-1 +20ms")
		if err := l.Exec("kill web-9", lab.SourceKey); err == nil {
			t.Fatal("kill web-9 should fail")
		}
		<-done
		l.Clock().Sleep(500e6, nil) // the session goes on a little after the script
		l.Stop()
		if err := w.Close(); err != nil {
			t.Fatal(err)
		}
		orig := mustRead(t, rec.String())

		// Replay it on a new lab, logged.
		rp, err := LoadReplay(strings.NewReader(rec.String()), "rec.jsonl", 1)
		if err != nil {
			t.Fatal(err)
		}
		if rp.Config.Seed != 7 || rp.Config.Preset.Name != "shop" || rp.Config.Speed != 1 || rp.Config.MaxRate != lab.DefaultMaxRate {
			t.Errorf("config %+v", rp.Config)
		}
		if len(rp.Lines) != 8 || rp.Lines[0].File != "rec.jsonl" || rp.Lines[0].N != 2 {
			t.Errorf("%d lines to replay (want 8: the failed command and the expect left out), first %+v", len(rp.Lines), rp.Lines[0])
		}
		p := rp.Config.Preset
		p.Trace.Sample = 1
		l2, err := lab.New(rp.Config)
		if err != nil {
			t.Fatal(err)
		}
		defer l2.Stop()
		var out lockedBuffer
		w2 := NewWriter(&out, HeaderFor(l2, "replay"), Options{})
		w2.Attach(l2)
		var summary strings.Builder
		res := rp.Run(l2, lab.RunOptions{Out: &summary})
		l2.Stop()
		if err := w2.Close(); err != nil {
			t.Fatal(err)
		}
		if len(res.Failures) != 0 {
			t.Errorf("replay failures %q", res.Failures)
		}
		again := mustRead(t, out.String())

		want, got := commands(orig), commands(again)
		if strings.Join(got, "\n") != strings.Join(want, "\n") {
			t.Errorf("replayed commands\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
		}
		for _, e := range again.Events {
			if e.Kind == lab.KindCommand && e.Source != lab.SourceReplay {
				t.Errorf("replayed command with source %q", e.Source)
			}
		}
		// It runs to the recorded end, printing a summary each lab second.
		last := func(lg *Log) float64 { return lg.Metrics[len(lg.Metrics)-2].T } // before the final line
		if last(again) != last(orig) || strings.Count(summary.String(), "\n") < 5 || !strings.Contains(summary.String(), "final t=") {
			t.Errorf("replay ran to t=%g, recorded to t=%g; summary:\n%s", last(again), last(orig), summary.String())
		}
	})
}

func TestLoadReplayErrors(t *testing.T) {
	cmd := `{"t":1,"kind":"command","source":"typed","line":"load 100/s"}`
	tests := []struct{ name, src, want string }{
		{"not a log", "hello\n", "x.jsonl: not a scalelab session log"},
		{"unknown preset", strings.Replace(header, `"preset":"web"`, `"preset":"mall"`, 1) + "\n", `x.jsonl: line 1: unknown preset "mall"`},
		{"newer schema", strings.Replace(header, `"schema":1`, `"schema":9`, 1) + "\n", "x.jsonl: line 1: schema 9 is newer"},
		{"command no longer parses", header + "\n" + cmd + "\n" + `{"t":2,"kind":"command","source":"typed","line":"teleport web-1"}` + "\n",
			`x.jsonl: line 3: recorded command "teleport web-1" does not parse`},
		{"bad line", header + "\n" + cmd + "\n" + "{\n" + cmd + "\n", "x.jsonl: line 3: not a JSON object"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := LoadReplay(strings.NewReader(tt.src), "x.jsonl", 1)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("error %v, want %q", err, tt.want)
			}
		})
	}
	// A failed command is not replayed, so it need not parse; a crash's
	// cut-off last line is a warning.
	src := header + "\n" + cmd + "\n" + `{"t":2,"kind":"command","source":"typed","line":"teleport","err":"unknown command"}` + "\n" + `{"kind":"metr`
	rp, err := LoadReplay(strings.NewReader(src), "x.jsonl", 1)
	if err != nil {
		t.Fatal(err)
	}
	if len(rp.Lines) != 1 || len(rp.Warnings) != 1 || !strings.Contains(rp.Warnings[0], "line 4") || rp.End != 2e9 {
		t.Errorf("lines %d, warnings %q, end %v", len(rp.Lines), rp.Warnings, rp.End)
	}
}

func TestReplaySpeed(t *testing.T) {
	src := strings.Replace(header, `"speed":1`, `"speed":4`, 1) + "\n" +
		`{"t":1,"kind":"command","source":"typed","line":"speed 0.5x"}` + "\n" +
		`{"t":2,"kind":"command","source":"typed","line":"speed 8x"}` + "\n"
	rp, err := LoadReplay(strings.NewReader(src), "x.jsonl", 3)
	if err != nil {
		t.Fatal(err)
	}
	if rp.Config.Speed != 12 || rp.Lines[0].Cmd.Line != "speed 1.5x" || rp.Lines[1].Cmd.Line != "speed 20x" {
		t.Errorf("speed %g, lines %q, %q", rp.Config.Speed, rp.Lines[0].Cmd.Line, rp.Lines[1].Cmd.Line)
	}
	if len(rp.Warnings) != 1 || !strings.Contains(rp.Warnings[0], `line 3: "speed 8x" at 8x replayed at 3x would be 24x`) {
		t.Errorf("warnings %q", rp.Warnings)
	}
	if _, err := LoadReplay(strings.NewReader(src), "x.jsonl", math.NaN()); err == nil {
		t.Error("a NaN speed should be refused")
	}
}
