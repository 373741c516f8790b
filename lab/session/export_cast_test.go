package session

import (
	"bufio"
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// parseCast reads an asciicast v2 file: the header and each event's time,
// code and data, failing the test on anything malformed.
func parseCast(t *testing.T, data []byte) (map[string]any, []float64, []string) {
	t.Helper()
	sc := bufio.NewScanner(bytes.NewReader(data))
	if !sc.Scan() {
		t.Fatal("empty cast")
	}
	var h map[string]any
	if err := json.Unmarshal(sc.Bytes(), &h); err != nil {
		t.Fatalf("header: %v", err)
	}
	var times []float64
	var out []string
	for n := 2; sc.Scan(); n++ {
		var ev []any
		if err := json.Unmarshal(sc.Bytes(), &ev); err != nil || len(ev) != 3 {
			t.Fatalf("line %d: want [time, code, data], got %s (%v)", n, sc.Text(), err)
		}
		tm, ok1 := ev[0].(float64)
		code, ok2 := ev[1].(string)
		s, ok3 := ev[2].(string)
		if !ok1 || !ok2 || !ok3 || code != "o" {
			t.Fatalf("line %d: want [number, \"o\", string], got %s", n, sc.Text())
		}
		times = append(times, tm)
		out = append(out, s)
	}
	return h, times, out
}

func TestCastFormat(t *testing.T) {
	l := testLog()
	// Frames out of order and a negative time are put right.
	l.Frames = append(l.Frames, Frame{W: 0.1, Data: "late"}, Frame{W: -1, Data: "early"})
	var b bytes.Buffer
	if err := WriteCast(&b, l); err != nil {
		t.Fatal(err)
	}
	h, times, out := parseCast(t, b.Bytes())
	if h["version"] != 2.0 || h["width"] != 100.0 || h["height"] != 30.0 || h["timestamp"] != 1740823200.0 {
		t.Errorf("header = %v", h)
	}
	if len(times) != len(l.Frames) {
		t.Fatalf("%d events, want %d", len(times), len(l.Frames))
	}
	for i := 1; i < len(times); i++ {
		if times[i] < times[i-1] {
			t.Errorf("event %d at %v is before event %d at %v", i+1, times[i], i, times[i-1])
		}
	}
	if times[0] != 0 || out[0] != "early" || out[1] != "\x1b[2J\x1b[Hscalelab" || out[2] != "late" {
		t.Errorf("events out of order: %q at %v", out, times)
	}
	if out[3] != "\x1b[2;1Hp99 12ms — ok" {
		t.Errorf("frame data changed: %q", out[3])
	}
}

func TestCastDefaultSize(t *testing.T) {
	l := &Log{Header: Header{Start: "not a time"}, Frames: []Frame{{W: 1, Data: "x"}}}
	var b bytes.Buffer
	if err := WriteCast(&b, l); err != nil {
		t.Fatal(err)
	}
	h, _, _ := parseCast(t, b.Bytes())
	if h["width"] != 80.0 || h["height"] != 24.0 {
		t.Errorf("header = %v, want 80×24", h)
	}
	if _, ok := h["timestamp"]; ok {
		t.Errorf("header has a timestamp without a start time: %v", h)
	}
}

// TestCastAsciinema plays the export with the asciinema tool, when it is
// installed.
func TestCastAsciinema(t *testing.T) {
	bin, err := exec.LookPath("asciinema")
	if err != nil {
		t.Skip("asciinema is not installed")
	}
	var b bytes.Buffer
	if err := WriteCast(&b, testLog()); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "session.cast")
	if err := os.WriteFile(path, b.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	// asciinema 2.x's cat reads /dev/tty, which a test has none of; give it
	// a pseudo-terminal with util-linux's script when that is there.
	cmd := exec.Command(bin, "cat", path)
	if sc, err := exec.LookPath("script"); err == nil {
		cmd = exec.Command(sc, "-q", "-e", "-c", bin+" cat "+path, "/dev/null")
	}
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("asciinema cat: %v\n%s", err, out)
	}
	if !strings.Contains(string(out), "scalelab") || !strings.Contains(string(out), "p99 12ms — ok") {
		t.Errorf("asciinema cat output lacks the frames: %q", out)
	}
}
