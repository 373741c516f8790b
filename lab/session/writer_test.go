package session

import (
	"bytes"
	"errors"
	"math"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"testing/synctest"
	"time"

	"go.uber.org/goleak"

	"github.com/scalelab/scalelab/lab"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// lockedBuffer is a bytes.Buffer the writer's goroutine and the test can
// share.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.String()
}

// newTestLab starts a lab from preset inside the current synctest bubble,
// tracing every request.
func newTestLab(t *testing.T, preset string) *lab.Lab {
	t.Helper()
	p, err := lab.LoadPreset(preset)
	if err != nil {
		t.Fatal(err)
	}
	p.Trace.Sample = 1
	l, err := lab.New(lab.Config{Preset: p, Seed: 7})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(l.Stop)
	return l
}

func labExec(t *testing.T, l *lab.Lab, source string, lines ...string) {
	t.Helper()
	for _, line := range lines {
		if err := l.Exec(line, source); err != nil {
			t.Fatalf("%s: %v", line, err)
		}
	}
}

func mustRead(t *testing.T, s string) *Log {
	t.Helper()
	lg, err := Read(strings.NewReader(s))
	if err != nil {
		t.Fatalf("%v\n%s", err, s)
	}
	return lg
}

func TestWriterLogsASession(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		l := newTestLab(t, "shop")
		var buf lockedBuffer
		h := HeaderFor(l, "run")
		h.Lesson = "caching"
		w := NewWriter(&buf, h, Options{MaxTraces: 5})
		w.Attach(l)

		labExec(t, l, lab.SourceScript, "load 200/s", "wait 2500ms")
		synctest.Wait()
		// Flushed as it goes: two seconds are in the file before Close.
		mid := mustRead(t, buf.String())
		if len(mid.Metrics) != 2 || mid.Metrics[0].T != 1 || mid.Metrics[1].T != 2 {
			t.Fatalf("before Close: metrics %+v, want t=1 and t=2", mid.Metrics)
		}
		if len(mid.Events) < 2 || mid.Events[0].Line != "load 200/s" || mid.Events[1].Line != "wait 2500ms" {
			t.Fatalf("before Close: events %+v", mid.Events)
		}

		labExec(t, l, lab.SourceTyped, "kill web-2")
		l.Publish(lab.Event{Kind: lab.KindLesson, Lesson: "caching", Step: 1, What: lab.LessonStarted})
		w.Frame(Frame{W: 0.5, Data: "frame"})
		labExec(t, l, lab.SourceScript, "wait 1s")
		l.Stop()
		synctest.Wait()                     // the writer's goroutine ends with its lab
		w.Frame(Frame{W: 4, Data: "after"}) // written at once, not queued for it
		if !strings.Contains(buf.String(), `"data":"after"`) {
			t.Error("a frame after the lab stopped was not written")
		}
		if err := w.Close(); err != nil {
			t.Fatal(err)
		}
		lg := mustRead(t, buf.String())
		if os.Getenv("SESSION_DUMP") != "" {
			os.WriteFile(os.Getenv("SESSION_DUMP"), []byte(buf.String()), 0o644)
		}

		hd := lg.Header
		if hd.Kind != KindHeader || hd.Schema != Schema || hd.Seed != 7 || hd.Preset != "shop" || hd.Lesson != "caching" ||
			hd.Mode != "run" || hd.Speed != 1 || hd.MaxRate != lab.DefaultMaxRate || hd.Start == "" || hd.Version == "" {
			t.Errorf("header %+v", hd)
		}
		// A metrics line each lab second, and a final one.
		var ts []float64
		for _, m := range lg.Metrics {
			ts = append(ts, m.T)
			if _, ok := m.Metrics["latency.p99"]; !ok {
				t.Errorf("t=%g: no latency.p99", m.T)
			}
		}
		if len(ts) < 4 || ts[0] != 1 || ts[1] != 2 || ts[2] != 3 || !lg.Metrics[len(ts)-1].Final {
			t.Errorf("metrics at %v (final %v), want 1, 2, 3 … and a final line", ts, lg.Metrics[len(ts)-1].Final)
		}
		// Commands with their sources, the fault, no requests.
		var cmds []string
		faults := 0
		for _, e := range lg.Events {
			switch e.Kind {
			case lab.KindCommand:
				cmds = append(cmds, e.Source+": "+e.Line)
			case lab.KindFault:
				faults++
			case lab.KindRequest:
				t.Fatal("request events logged without Options.Requests")
			}
		}
		want := []string{"script: load 200/s", "script: wait 2500ms", "typed: kill web-2", "script: wait 1s"}
		if strings.Join(cmds, "|") != strings.Join(want, "|") {
			t.Errorf("commands %q, want %q", cmds, want)
		}
		if faults != 1 {
			t.Errorf("%d fault lines, want 1 (kill web-2)", faults)
		}
		if len(lg.Lessons) != 1 || lg.Lessons[0].What != "started" || lg.Lessons[0].Lesson != "caching" || lg.Lessons[0].T != 2.5 {
			t.Errorf("lessons %+v", lg.Lessons)
		}
		if len(lg.Frames) != 2 || lg.Frames[0].Data != "frame" {
			t.Errorf("frames %+v", lg.Frames)
		}
		// Traces: at most 5 a second, each once, spans root first.
		seen := map[string]bool{}
		for _, tr := range lg.Traces {
			if seen[tr.TraceID] {
				t.Errorf("trace %s logged twice", tr.TraceID)
			}
			seen[tr.TraceID] = true
			if len(tr.TraceID) != 32 || len(tr.Spans) < 2 || tr.Spans[0].Parent != "" || len(tr.Spans[0].SpanID) != 16 {
				t.Fatalf("trace %+v", tr)
			}
			root := tr.Spans[0]
			if root.EndNS < root.StartNS || math.Abs(float64(root.EndNS)/1e9-tr.T) > 1e-6 {
				t.Errorf("trace t=%g, root %d..%d ns", tr.T, root.StartNS, root.EndNS)
			}
			for _, s := range tr.Spans[1:] {
				if s.Parent == "" {
					t.Errorf("child span %s has no parent", s.Name)
				}
			}
		}
		if n := len(lg.Traces); n < 10 || n > 5*len(lg.Metrics) {
			t.Errorf("%d traces over %d seconds, want 5 a second", n, len(lg.Metrics))
		}
		if w.TracesSkipped() == 0 {
			t.Error("at 200 traces a second some should be skipped")
		}
		if w.Dropped() != 0 || w.Lines() != uint64(strings.Count(buf.String(), "\n")) {
			t.Errorf("dropped %d, lines %d, file has %d", w.Dropped(), w.Lines(), strings.Count(buf.String(), "\n"))
		}
	})
}

func TestWriterLogsRequestsWhenAsked(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		l := newTestLab(t, "web")
		var buf lockedBuffer
		w := NewWriter(&buf, HeaderFor(l, "run"), Options{Requests: true, MaxTraces: -1})
		w.Attach(l)
		labExec(t, l, lab.SourceScript, "load 100/s", "wait 2s")
		l.Stop()
		if err := w.Close(); err != nil {
			t.Fatal(err)
		}
		lg := mustRead(t, buf.String())
		n := 0
		for _, e := range lg.Events {
			if e.Kind == lab.KindRequest {
				n++
			}
		}
		if n < 150 || len(lg.Traces) != 0 {
			t.Errorf("%d request lines, %d traces; want about 200 and none", n, len(lg.Traces))
		}
	})
}

// fullDisk accepts limit bytes, then fails as a full disk does.
type fullDisk struct {
	mu    sync.Mutex
	limit int
	calls int
}

func (d *fullDisk) Write(p []byte) (int, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.calls++
	if len(p) > d.limit {
		n := d.limit
		d.limit = 0
		return n, syscall.ENOSPC
	}
	d.limit -= len(p)
	return len(p), nil
}

func TestWriteErrorIsReportedOnceAndTheLabRunsOn(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		l := newTestLab(t, "web")
		sub := l.Subscribe(false)
		disk := &fullDisk{limit: 2000}
		var errs []error
		var mu sync.Mutex
		w := NewWriter(disk, HeaderFor(l, "run"), Options{OnError: func(err error) {
			mu.Lock()
			errs = append(errs, err)
			mu.Unlock()
		}})
		if w.Err() != nil {
			t.Fatal("the header fits")
		}
		w.Attach(l)
		labExec(t, l, lab.SourceScript, "load 100/s", "wait 5s", "kill web-2", "wait 1s")
		if err := l.Exec("expect requests.rate > 50", lab.SourceScript); err != nil {
			t.Errorf("the lab should run on: %v", err)
		}
		l.Stop()
		err := w.Close()
		if !errors.Is(err, syscall.ENOSPC) {
			t.Fatalf("Close: %v, want the disk-full error", err)
		}
		mu.Lock()
		if len(errs) != 1 || !errors.Is(errs[0], syscall.ENOSPC) {
			t.Errorf("OnError calls: %v, want one", errs)
		}
		mu.Unlock()
		if w.Dropped() == 0 {
			t.Error("no lines counted as dropped")
		}
		calls := disk.calls
		w.Frame(Frame{Data: "after close"})
		if disk.calls != calls {
			t.Error("a write after the error and Close")
		}
		// The dashboard hears about it on the bus, once.
		failed := 0
		for _, e := range sub.Drain() {
			if e.Component == "session-log" && e.To == "failed" {
				failed++
			}
		}
		if failed != 1 {
			t.Errorf("%d session-log failure events, want 1", failed)
		}
		if s := w.Summary(); !strings.Contains(s, "incomplete") || !strings.Contains(s, "lines lost") {
			t.Errorf("summary %q", s)
		}
	})
}

func TestCreate(t *testing.T) {
	dir := t.TempDir()
	h := Header{Seed: 3, Preset: "web", Start: "2025-03-01T10:00:00Z", Mode: "run"}
	path := filepath.Join(dir, "sub", "s.jsonl")
	w, err := Create(path, h, Options{})
	if err != nil {
		t.Fatal(err)
	}
	w.Lesson(Lesson{T: 1, Lesson: "x", Step: 1, What: "hint", Hint: 1}) // unattached: written at once
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	b, _ := os.ReadFile(path)
	lg := mustRead(t, string(b))
	if lg.Header.Schema != Schema || lg.Header.Kind != KindHeader || len(lg.Lessons) != 1 || lg.Lessons[0].Kind != KindLesson {
		t.Errorf("log %+v", lg)
	}
	if w.Path() != path || w.Summary() != "session log: "+path {
		t.Errorf("path %q, summary %q", w.Path(), w.Summary())
	}

	// Unwritable: a directory that is a file.
	file := filepath.Join(dir, "file")
	os.WriteFile(file, nil, 0o644)
	if _, err := Create(filepath.Join(file, "s.jsonl"), h, Options{OnError: func(error) { t.Error("OnError for a log never made") }}); err == nil {
		t.Error("Create under a regular file should fail")
	}

	// Default location: XDG state, named by start and preset, never
	// overwriting.
	t.Setenv("XDG_STATE_HOME", dir)
	var paths []string
	for range 2 {
		w, err := CreateDefault(h, Options{})
		if err != nil {
			t.Fatal(err)
		}
		w.Close()
		paths = append(paths, w.Path())
	}
	want := filepath.Join(dir, "scalelab", "sessions", "20250301T100000-web.jsonl")
	if paths[0] != want || paths[1] != strings.TrimSuffix(want, ".jsonl")+"-2.jsonl" {
		t.Errorf("default paths %q, want %q and its -2", paths, want)
	}
	t.Setenv("XDG_STATE_HOME", "relative")
	t.Setenv("HOME", "/home/learner")
	if d, _ := Dir(); d != "/home/learner/.local/state/scalelab/sessions" {
		t.Errorf("Dir without an absolute XDG_STATE_HOME: %q", d)
	}
}

func TestWriterWithoutALabClosesAtOnce(t *testing.T) {
	var buf bytes.Buffer
	w := NewWriter(&buf, Header{Preset: "web"}, Options{})
	done := make(chan error)
	go func() { done <- w.Close() }()
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Close of an unattached writer hangs")
	}
	if !strings.HasPrefix(buf.String(), `{"kind":"header","schema":1,`) {
		t.Errorf("header line %q", buf.String())
	}
}

// A header JSON cannot hold (a NaN) fails the log at once and loudly: a
// log without its header is one no reader accepts.
func TestWriterRefusesAHeaderItCannotEncode(t *testing.T) {
	var b bytes.Buffer
	w := NewWriter(&b, Header{Preset: "shop", Speed: 1, MaxRate: math.NaN()}, Options{})
	if err := w.Err(); err == nil || !strings.Contains(err.Error(), "header cannot be encoded") {
		t.Fatalf("Err() = %v", err)
	}
	if b.Len() != 0 {
		t.Errorf("wrote %q", b.String())
	}
}
