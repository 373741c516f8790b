package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/scalelab/scalelab/lab"
	"github.com/scalelab/scalelab/lab/session"
)

// writeTestLog writes a small session log by hand, one JSON line per
// record as the schema describes, and returns its path.
func writeTestLog(t *testing.T, frames bool) string {
	t.Helper()
	lines := []any{
		session.Header{Kind: session.KindHeader, Schema: session.Schema, Version: "test", Seed: 7, Preset: "shop", Speed: 1,
			Cols: 90, Rows: 28, Start: "2025-03-01T10:00:00Z", Mode: "tui"},
		lab.Event{T: 0.2, Kind: lab.KindCommand, Source: "bar", Line: "load 100/s"},
		session.Metrics{Kind: session.KindMetrics, T: 1, Metrics: map[string]float64{"latency.p99": 12, "cache.hit_ratio": 0.5, "trace.sample": 0.1}},
		session.Trace{Kind: session.KindTrace, T: 1.5, TraceID: "0af7651916cd43dd8448eb211c80319c", Spans: []session.Span{
			{SpanID: "b7ad6b7169203331", Name: "GET /item", StartNS: 1_000_000_000, EndNS: 1_004_000_000},
		}},
		lab.Event{T: 2, Kind: lab.KindFault, Component: "web-2", Detail: "kill"},
		session.Metrics{Kind: session.KindMetrics, T: 2, Metrics: map[string]float64{"latency.p99": 30, "cache.hit_ratio": 0.6, "trace.sample": 0.1}},
	}
	if frames {
		lines = append(lines, session.Frame{Kind: session.KindFrame, W: 0.1, Data: "\x1b[Hscalelab"})
	}
	var b bytes.Buffer
	for _, v := range lines {
		line, err := json.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		b.Write(append(line, '\n'))
	}
	path := filepath.Join(t.TempDir(), "session.jsonl")
	if err := os.WriteFile(path, b.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// runExport runs `scalelab export args...` and returns its output and the
// exit code it would give (0 on success).
func runExport(t *testing.T, args ...string) (string, int, error) {
	t.Helper()
	cmd := newExportCmd()
	var out, errOut bytes.Buffer
	cmd.SetArgs(args)
	cmd.SetOut(&out)
	cmd.SetErr(&errOut)
	cmd.SilenceUsage, cmd.SilenceErrors = true, true
	err := cmd.Execute()
	code := 0
	if err != nil {
		code = 2
		var ee *exitError
		if errors.As(err, &ee) {
			code = ee.code
		}
	}
	return out.String(), code, err
}

func TestExportCommand(t *testing.T) {
	log := writeTestLog(t, true)
	out, code, err := runExport(t, log)
	if code != 0 || !strings.Contains(out, "# scalelab session report") || !strings.Contains(out, "`load 100/s`") {
		t.Errorf("md: exit %d, %v\n%s", code, err, out)
	}

	dst := filepath.Join(t.TempDir(), "traces.json")
	if out, code, err := runExport(t, log, "--format", "otlp", "-o", dst); code != 0 || out != "" {
		t.Fatalf("otlp: exit %d, %v, stdout %q", code, err, out)
	}
	var doc struct {
		ResourceSpans []struct {
			ScopeSpans []struct{ Spans []struct{ Name string } }
		}
	}
	data, err := os.ReadFile(dst)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(data, &doc); err != nil || doc.ResourceSpans[0].ScopeSpans[0].Spans[0].Name != "GET /item" {
		t.Errorf("otlp file: %v\n%s", err, data)
	}

	out, code, err = runExport(t, log, "-f", "cast")
	if code != 0 || !strings.HasPrefix(out, `{"version":2,"width":90,"height":28,`) {
		t.Errorf("cast: exit %d, %v\n%s", code, err, out)
	}
}

func TestExportCommandErrors(t *testing.T) {
	noFrames := writeTestLog(t, false)
	dst := filepath.Join(t.TempDir(), "out.cast")
	for _, tc := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{noFrames, "--format", "html"}, 2, `--format "html": accepted formats are md, otlp, cast`},
		{[]string{noFrames, "--format", "cast", "-o", dst}, 1, "record the session with --record"},
		{[]string{filepath.Join(t.TempDir(), "missing.jsonl")}, 1, "no such file"},
		{[]string{}, 2, "accepts 1 arg"},
	} {
		out, code, err := runExport(t, tc.args...)
		if code != tc.code || err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("export %q: exit %d, error %v; want exit %d and %q", tc.args, code, err, tc.code, tc.want)
		}
		if out != "" {
			t.Errorf("export %q wrote %q", tc.args, out)
		}
	}
	if _, err := os.Stat(dst); !os.IsNotExist(err) {
		t.Errorf("a failed export created %s", dst)
	}
}

// -o writes a new file whole: an existing one is kept unless --force, a
// symbolic link is replaced rather than written through, and no temporary
// file is left behind.
func TestExportOutputFile(t *testing.T) {
	log := writeTestLog(t, false)
	dir := t.TempDir()
	dst := filepath.Join(dir, "report.md")
	os.WriteFile(dst, []byte("mine"), 0o644)
	if _, code, err := runExport(t, log, "-o", dst); code != 1 || err == nil || !strings.Contains(err.Error(), "exists; pass --force") {
		t.Fatalf("existing file: exit %d, %v", code, err)
	}
	if b, _ := os.ReadFile(dst); string(b) != "mine" {
		t.Fatalf("the existing file was changed: %q", b)
	}
	if _, code, err := runExport(t, log, "-o", dst, "--force"); code != 0 {
		t.Fatalf("--force: exit %d, %v", code, err)
	}
	if b, _ := os.ReadFile(dst); !strings.HasPrefix(string(b), "# scalelab session report") {
		t.Fatalf("--force did not replace the file: %q", b)
	}
	target := filepath.Join(dir, "target.txt")
	os.WriteFile(target, []byte("keep me"), 0o644)
	link := filepath.Join(dir, "link.md")
	if err := os.Symlink(target, link); err != nil {
		t.Skip("no symbolic links here")
	}
	if _, code, err := runExport(t, log, "-o", link, "--force"); code != 0 {
		t.Fatalf("link: exit %d, %v", code, err)
	}
	if b, _ := os.ReadFile(target); string(b) != "keep me" {
		t.Errorf("the export was written through the link: %q", b)
	}
	if fi, _ := os.Lstat(link); fi.Mode()&os.ModeSymlink != 0 {
		t.Errorf("the link is still a link")
	}
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		if strings.HasSuffix(e.Name(), ".tmp") {
			t.Errorf("temporary file left: %s", e.Name())
		}
	}
}

// A failed write to standard output is a failure (exit 1), not bad flags.
func TestExportToFullDevice(t *testing.T) {
	full, err := os.OpenFile("/dev/full", os.O_WRONLY, 0)
	if err != nil {
		t.Skip("no /dev/full")
	}
	defer full.Close()
	cmd := newExportCmd()
	cmd.SetArgs([]string{writeTestLog(t, false)})
	cmd.SetOut(full)
	cmd.SilenceUsage, cmd.SilenceErrors = true, true
	err = cmd.Execute()
	var ee *exitError
	if !errors.As(err, &ee) || ee.code != 1 || !strings.Contains(err.Error(), "no space left") {
		t.Errorf("export > /dev/full: %v", err)
	}
}
