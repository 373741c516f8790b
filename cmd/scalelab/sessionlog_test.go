package main

import (
	"bytes"
	"errors"
	"fmt"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/scalelab/scalelab/components/crash"
	"github.com/scalelab/scalelab/lab"
	"github.com/scalelab/scalelab/lab/session"
)

// scalelab runs the command line in-process and returns stdout, stderr and
// the exit code it would give.
func scalelab(t *testing.T, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	root := newRoot()
	var out, errOut bytes.Buffer
	root.SetArgs(args)
	root.SetOut(&out)
	root.SetErr(&errOut)
	if err := root.Execute(); err != nil {
		code = 2
		var ee *exitError
		if errors.As(err, &ee) {
			code = ee.code
		}
		fmt.Fprintln(&errOut, "scalelab:", err)
	}
	return out.String(), errOut.String(), code
}

func writeScript(t *testing.T, src string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "demo.lab")
	if err := os.WriteFile(path, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func readLogFile(t *testing.T, path string) *session.Log {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	lg, err := session.Read(f)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return lg
}

// TestLogSurvivesKill9 kills a real run with SIGKILL in the middle of a
// long wait: every line written up to then must parse.
func TestLogSurvivesKill9(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and kills the binary; skipped in -short mode")
	}
	bin := buildScalelab(t)
	script := writeScript(t, "load 500/s\nkill web-2\nwait 10m\n")
	logPath := filepath.Join(t.TempDir(), "killed.jsonl")
	cmd := exec.Command(bin, "run", "--script", script, "--log", logPath, "--speed", "4", "--preset", "shop")
	var stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = nil, &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Process.Kill()
	deadline := time.Now().Add(30 * time.Second)
	for {
		b, _ := os.ReadFile(logPath)
		if bytes.Count(b, []byte(`"kind":"metrics"`)) >= 3 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("no 3 metrics lines after 30s; log:\n%s\nstderr:\n%s", b, stderr.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
	if err := cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	err := cmd.Wait()
	var ee *exec.ExitError
	if !errors.As(err, &ee) || ee.ProcessState.String() != "signal: killed" {
		t.Fatalf("wait: %v, want killed", err)
	}
	lg := readLogFile(t, logPath) // every line up to the kill parses
	if lg.Header.Preset != "shop" || lg.Header.Mode != "run" || len(lg.Metrics) < 3 || len(lg.Traces) == 0 {
		t.Errorf("header %+v, %d metrics lines, %d traces", lg.Header, len(lg.Metrics), len(lg.Traces))
	}
	var cmds []string
	for _, e := range lg.Events {
		if e.Kind == lab.KindCommand {
			cmds = append(cmds, e.Source+": "+e.Line)
		}
	}
	if strings.Join(cmds, "|") != "script: load 500/s|script: kill web-2|script: wait 10m" {
		t.Errorf("commands %q", cmds)
	}
}

// TestRunStopsGracefullyOnSignal interrupts a real headless run: it stops
// the lab, prints its final summary, closes its log with the final
// snapshot, and exits 130 (143 for SIGTERM).
func TestRunStopsGracefullyOnSignal(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the binary")
	}
	bin := buildScalelab(t)
	script := writeScript(t, "load 300/s\nwait 10m\nexpect requests.rate > 1\n")
	for _, tc := range []struct {
		sig  os.Signal
		code int
	}{{os.Interrupt, 130}, {syscall.SIGTERM, 143}} {
		logPath := filepath.Join(t.TempDir(), "stopped.jsonl")
		cmd := exec.Command(bin, "run", "--script", script, "--log", logPath, "--speed", "4")
		var stdout, stderr bytes.Buffer
		cmd.Stdout, cmd.Stderr = &stdout, &stderr
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		deadline := time.Now().Add(30 * time.Second)
		for {
			b, _ := os.ReadFile(logPath)
			if bytes.Count(b, []byte(`"kind":"metrics"`)) >= 2 {
				break
			}
			if time.Now().After(deadline) {
				cmd.Process.Kill()
				t.Fatalf("no metrics after 30s; stderr:\n%s", stderr.String())
			}
			time.Sleep(20 * time.Millisecond)
		}
		cmd.Process.Signal(tc.sig)
		err := cmd.Wait()
		var ee *exec.ExitError
		if !errors.As(err, &ee) || ee.ExitCode() != tc.code {
			t.Fatalf("%v: wait %v, want exit %d; stderr:\n%s", tc.sig, err, tc.code, stderr.String())
		}
		if !strings.Contains(stdout.String(), "final t=") || !strings.Contains(stdout.String(), "(stopped early)") {
			t.Errorf("%v: no final summary:\n%s", tc.sig, stdout.String())
		}
		b, _ := os.ReadFile(logPath)
		lines := bytes.Split(bytes.TrimSpace(b), []byte("\n"))
		if last := lines[len(lines)-1]; !bytes.Contains(last, []byte(`"final":true`)) {
			t.Errorf("%v: the log's last line is not the final snapshot: %s", tc.sig, last)
		}
	}
}

func TestRunLogsByDefault(t *testing.T) {
	state := t.TempDir()
	t.Setenv("XDG_STATE_HOME", state)
	script := writeScript(t, "load 100/s\nwait 2s\n")
	out, errOut, code := scalelab(t, "run", "--script", script, "--speed", "10", "--preset", "web", "--seed", "9")
	if code != 0 || !strings.Contains(out, "final t=") {
		t.Fatalf("exit %d\nstdout:\n%s\nstderr:\n%s", code, out, errOut)
	}
	logs, _ := filepath.Glob(filepath.Join(state, "scalelab", "sessions", "*-web.jsonl"))
	if len(logs) != 1 {
		t.Fatalf("logs %q, want one", logs)
	}
	if errOut != "scalelab: session log: "+logs[0]+"\n" {
		t.Errorf("stderr %q, want the log's path", errOut)
	}
	lg := readLogFile(t, logs[0])
	if lg.Header.Seed != 9 || lg.Header.Speed != 10 || len(lg.Metrics) < 2 {
		t.Errorf("header %+v, %d metrics lines", lg.Header, len(lg.Metrics))
	}

	// --no-log writes nothing.
	_, errOut, code = scalelab(t, "run", "--script", script, "--speed", "10", "--preset", "web", "--no-log")
	if logs2, _ := filepath.Glob(filepath.Join(state, "scalelab", "sessions", "*")); code != 0 || len(logs2) != 1 || errOut != "" {
		t.Errorf("--no-log: exit %d, logs %q, stderr %q", code, logs2, errOut)
	}
	if _, errOut, code = scalelab(t, "run", "--script", script, "--log", "x", "--no-log"); code != 2 || !strings.Contains(errOut, "choose one") {
		t.Errorf("--log with --no-log: exit %d, %q", code, errOut)
	}
}

// TestRunLogProblemsAreReportedOnce: a log that cannot be made, or a disk
// that fills up, is said once on stderr and the run goes on to the end.
func TestRunLogProblemsAreReportedOnce(t *testing.T) {
	script := writeScript(t, "load 200/s\nwait 3s\nexpect requests.rate > 100\n")
	file := filepath.Join(t.TempDir(), "file")
	os.WriteFile(file, nil, 0o644)
	cases := []struct{ name, log, want string }{
		{"unwritable path", filepath.Join(file, "s.jsonl"), "not a directory"},
		{"full disk", "/dev/full", "no space left on device"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := os.Stat(tc.log); tc.log == "/dev/full" && err != nil {
				t.Skip("no /dev/full")
			}
			out, errOut, code := scalelab(t, "run", "--script", script, "--speed", "10", "--preset", "web", "--log", tc.log)
			if code != 0 || !strings.Contains(out, "expects 1 passed, 0 failed") {
				t.Errorf("the run should finish and pass: exit %d\n%s", code, out)
			}
			if strings.Count(errOut, "\n") != 1 || !strings.Contains(errOut, tc.want) || !strings.Contains(errOut, "runs on") {
				t.Errorf("stderr %q, want one line saying %q", errOut, tc.want)
			}
		})
	}
}

func TestReplayHeadless(t *testing.T) {
	dir := t.TempDir()
	script := writeScript(t, "load 200/s\nwait 1s\nkill web-2\nwait 1s\nrevive web-2\nslow web-1 +50ms\nwait 1s\n")
	orig := filepath.Join(dir, "orig.jsonl")
	if out, errOut, code := scalelab(t, "run", "--script", script, "--speed", "5", "--preset", "web", "--seed", "4", "--log", orig); code != 0 {
		t.Fatalf("run: exit %d\n%s\n%s", code, out, errOut)
	}
	again := filepath.Join(dir, "again.jsonl")
	// Replayed at 1x (a fifth of the recorded 5x): a replayed command runs
	// when the lab clock reaches its recorded time, and a timer that wakes
	// late under a busy CPU is late by its wall delay times the speed.
	out, errOut, code := scalelab(t, "replay", orig, "--headless", "--speed", "0.2", "--log", again)
	if code != 0 || strings.Count(out, "\n") < 4 || !strings.Contains(out, "final t=") {
		t.Fatalf("replay: exit %d\nstdout:\n%s\nstderr:\n%s", code, out, errOut)
	}
	a, b := readLogFile(t, orig), readLogFile(t, again)
	if b.Header.Mode != "replay" || b.Header.Replay != orig || b.Header.Seed != 4 || b.Header.Preset != "web" || b.Header.Speed != 1 {
		t.Errorf("replay header %+v", b.Header)
	}
	type cmdAt struct {
		t    float64
		line string
	}
	cmds := func(lg *session.Log, source string) []cmdAt {
		var out []cmdAt
		for _, e := range lg.Events {
			if e.Kind == lab.KindCommand {
				if e.Source != source {
					t.Errorf("command %q from %q, want %q", e.Line, e.Source, source)
				}
				out = append(out, cmdAt{e.T, e.Line})
			}
		}
		return out
	}
	ca, cb := cmds(a, lab.SourceScript), cmds(b, lab.SourceReplay)
	if len(ca) != len(cb) || len(ca) != 7 {
		t.Fatalf("recorded %v, replayed %v", ca, cb)
	}
	for i := range ca {
		// Lab time at 1x: a tenth of a lab second is a tenth of a wall second.
		if ca[i].line != cb[i].line || math.Abs(ca[i].t-cb[i].t) > 0.1 {
			t.Errorf("command %d: recorded %v, replayed %v", i, ca[i], cb[i])
		}
	}
}

func TestReplayBadInput(t *testing.T) {
	dir := t.TempDir()
	write := func(name, src string) string {
		p := filepath.Join(dir, name)
		os.WriteFile(p, []byte(src), 0o644)
		return p
	}
	hdr := `{"kind":"header","schema":1,"seed":1,"preset":"web","speed":1,"start":"2025-03-01T10:00:00Z","mode":"run"}`
	cases := []struct{ name, path, want string }{
		{"not a log", write("notes.txt", "hello\n"), "not a scalelab session log"},
		{"newer schema", write("new.jsonl", strings.Replace(hdr, `"schema":1`, `"schema":7`, 1)+"\n"), "line 1: schema 7 is newer"},
		{"unknown preset", write("preset.jsonl", strings.Replace(hdr, `"web"`, `"mall"`, 1)+"\n"), `line 1: unknown preset "mall"`},
		{"bad line", write("bad.jsonl", hdr+"\n{oops\n"+hdr+"\n"), "line 2: not a JSON object"},
		{"missing", filepath.Join(dir, "nope.jsonl"), "no such file"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, errOut, code := scalelab(t, "replay", tc.path, "--headless", "--no-log")
			if code != 2 || !strings.Contains(errOut, tc.want) || !strings.Contains(errOut, tc.path) {
				t.Errorf("exit %d, stderr %q; want 2 and %q naming the file", code, errOut, tc.want)
			}
		})
	}
	// A crash's cut-off last line is only a warning.
	p := write("crashed.jsonl", hdr+"\n"+`{"t":0,"kind":"command","source":"typed","line":"load 50/s"}`+"\n"+`{"kind":"metrics","t":1,"met`)
	out, errOut, code := scalelab(t, "replay", p, "--headless", "--no-log")
	if code != 0 || !strings.Contains(errOut, "warning: line 3: the last line is cut short") || !strings.Contains(out, "final") {
		t.Errorf("exit %d\nstdout %q\nstderr %q", code, out, errOut)
	}
}

func TestHeadlessRunStopsOnLabPanic(t *testing.T) {
	p, err := lab.LoadPreset("web")
	if err != nil {
		t.Fatal(err)
	}
	l, err := lab.New(lab.Config{Preset: p, Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	defer l.Stop()
	finish := stopOnSignal(l)
	crash.Go(func() { panic("a broken invariant") })
	select {
	case <-l.Done():
	case <-time.After(10 * time.Second):
		t.Fatal("the lab was not stopped after a goroutine panicked")
	}
	err = finish()
	var ee *exitError
	if !errors.As(err, &ee) || ee.code != 2 || !strings.Contains(err.Error(), "a broken invariant") ||
		!strings.Contains(err.Error(), "sessionlog_test.go") {
		t.Fatalf("finish() = %v, want exit 2 with the panic and its stack", err)
	}
}
