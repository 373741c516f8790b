package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

// TestRecordInTmux records real sessions with --record in a real terminal
// (tmux at 100×30), exports each log as a cast and plays it back with
// asciinema: the recording must hold what was on screen, sized as the
// terminal was. The dashboard is also resized while it records, and must
// redraw at the new size as it does without --record.
func TestRecordInTmux(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end test; skipped in -short mode")
	}
	for _, tool := range []string{"tmux", "asciinema"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("%s is not on PATH", tool)
		}
	}
	bin := buildScalelab(t)

	t.Run("sandbox", func(t *testing.T) {
		played := recordInTmux(t, bin, "sandbox --seed 3", func(p *tmuxPane) {
			p.waitFor("the dashboard", 10*time.Second, contains("Routing", "web-1", "web-2", "web-3"))
			p.tmux("resize-window", "-t", p.session, "-x", "120", "-y", "36")
			p.waitFor("the dashboard redrawn 120 columns wide", 5*time.Second, widest(120))
		})
		for _, want := range []string{"Routing", "Latency", "Breaker", "web-1", "web-3"} {
			if !strings.Contains(played, want) {
				t.Errorf("asciinema cat shows no %q:\n%s", want, played)
			}
		}
	})

	t.Run("lesson", func(t *testing.T) {
		played := recordInTmux(t, bin, "--lesson load-balancing", func(p *tmuxPane) {
			p.waitFor("the lesson", 10*time.Second, contains("Step 1/", "Round-robin vs least-connections", "Routing"))
		})
		for _, want := range []string{"Step 1/", "Round-robin vs least-connections", "web-1"} {
			if !strings.Contains(played, want) {
				t.Errorf("asciinema cat shows no %q:\n%s", want, played)
			}
		}
	})
}

// recordInTmux runs `scalelab ARGS --record --log F` in tmux at 100×30,
// calls drive with the pane once it runs, quits with q, checks the log was
// named on exit, exports it as a cast sized 100×30, and returns what
// `asciinema cat` prints for it.
func recordInTmux(t *testing.T, bin, args string, drive func(*tmuxPane)) string {
	t.Helper()
	dir := t.TempDir()
	logPath := filepath.Join(dir, "rec.jsonl")
	stderr := filepath.Join(dir, "stderr")
	env := fmt.Sprintf("XDG_STATE_HOME=%s XDG_CONFIG_HOME=%s ", dir, dir) // progress and lessons stay in dir
	p := startTmux(t, 100, 30, env+bin+" "+args+" --record --log "+logPath+" 2>"+stderr)
	drive(p)
	p.keys("q")
	if status := p.waitExit(10 * time.Second); status != "status 0" {
		t.Fatalf("scalelab ended with %s after q, want status 0", status)
	}
	if b, _ := os.ReadFile(stderr); string(b) != "scalelab: session log: "+logPath+"\n" {
		t.Errorf("on exit, stderr %q; want the log's path", b)
	}

	cast := filepath.Join(dir, "rec.cast")
	if out, err := exec.Command(bin, "export", logPath, "--format", "cast", "-o", cast).CombinedOutput(); err != nil {
		t.Fatalf("scalelab export: %v\n%s", err, out)
	}
	f, err := os.Open(cast)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var h struct{ Width, Height int }
	if line, err := bufio.NewReader(f).ReadBytes('\n'); err != nil || json.Unmarshal(line, &h) != nil {
		t.Fatalf("cast header %q: %v", line, err)
	}
	if h.Width != 100 || h.Height != 30 {
		t.Errorf("cast is %d×%d, want the terminal's 100×30", h.Width, h.Height)
	}

	// asciinema 2.x's cat opens /dev/tty: play it in a pane of the same
	// tmux server, its output to a file.
	played := filepath.Join(dir, "played")
	c := &tmuxPane{t: t, socket: p.socket, session: p.session + "-cat"}
	c.tmux("new-session", "-d", "-s", c.session, "-x", "100", "-y", "30",
		"ASCIINEMA_CONFIG_HOME="+dir+" asciinema cat "+cast+" >"+played)
	if status := c.waitExit(10 * time.Second); status != "status 0" {
		t.Fatalf("asciinema cat ended with %s; screen:\n%s", status, c.screen())
	}
	b, err := os.ReadFile(played)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// widest is a waitFor condition: the screen's widest line is n columns
// (each character of the dashboard is one column wide).
func widest(n int) func(string) error {
	return func(s string) error {
		w := 0
		for _, line := range strings.Split(s, "\n") {
			w = max(w, utf8.RuneCountInString(strings.TrimRight(line, " ")))
		}
		if w != n {
			return fmt.Errorf("the widest line is %d columns, want %d", w, n)
		}
		return nil
	}
}
