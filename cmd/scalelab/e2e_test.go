package main

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/scalelab/scalelab/lab"
	"github.com/scalelab/scalelab/lab/session"
)

// buildScalelab builds the command into a temporary directory.
func buildScalelab(t *testing.T) string {
	t.Helper()
	goBin, err := exec.LookPath("go")
	if err != nil {
		t.Skip("go is not on PATH")
	}
	bin := filepath.Join(t.TempDir(), "scalelab")
	out, err := exec.Command(goBin, "build", "-o", bin, "./").CombinedOutput()
	if err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// tmuxPane is one detached tmux session on a server of its own, listening
// on a socket in a temporary directory, so the test never touches the
// user's tmux server.
type tmuxPane struct {
	t       *testing.T
	socket  string
	session string
}

func startTmux(t *testing.T, w, h int, command string) *tmuxPane {
	t.Helper()
	dir := t.TempDir()
	conf := filepath.Join(dir, "tmux.conf")
	// remain-on-exit keeps the pane after the program ends, so the test can
	// read its exit status; -f keeps the user's ~/.tmux.conf out.
	if err := os.WriteFile(conf, []byte("set -g remain-on-exit on\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	p := &tmuxPane{t: t, socket: filepath.Join(dir, "tmux.sock"), session: fmt.Sprintf("scalelab-e2e-%d", os.Getpid())}
	t.Cleanup(func() { _ = exec.Command("tmux", "-S", p.socket, "kill-server").Run() })
	p.tmux("-f", conf, "new-session", "-d", "-s", p.session, "-x", strconv.Itoa(w), "-y", strconv.Itoa(h), command)
	return p
}

// tmux runs a tmux command on the test's server.
func (p *tmuxPane) tmux(args ...string) string {
	p.t.Helper()
	out, err := exec.Command("tmux", append([]string{"-S", p.socket}, args...)...).CombinedOutput()
	if err != nil {
		p.t.Fatalf("tmux %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return string(out)
}

func (p *tmuxPane) screen() string { return p.tmux("capture-pane", "-p", "-t", p.session) }

// keys sends text literally, as if typed.
func (p *tmuxPane) keys(text string) { p.tmux("send-keys", "-t", p.session, "-l", text) }

// key sends one named key (Enter, Escape).
func (p *tmuxPane) key(name string) { p.tmux("send-keys", "-t", p.session, name) }

// waitFor polls the screen until ok accepts it, and fails with the last
// screen and why after timeout.
func (p *tmuxPane) waitFor(what string, timeout time.Duration, ok func(screen string) error) string {
	p.t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		s := p.screen()
		err := ok(s)
		if err == nil {
			return s
		}
		if time.Now().After(deadline) {
			p.t.Fatalf("waiting for %s: %v after %s; screen:\n%s", what, err, timeout, s)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// contains is a waitFor condition: the screen shows every string.
func contains(subs ...string) func(string) error {
	return func(s string) error {
		for _, sub := range subs {
			if !strings.Contains(s, sub) {
				return fmt.Errorf("no %q on screen", sub)
			}
		}
		return nil
	}
}

// footer is the screen's last two non-empty lines.
func footer(screen string) [2]string {
	lines := strings.Split(strings.TrimRight(screen, "\n"), "\n")
	if len(lines) < 2 {
		return [2]string{}
	}
	return [2]string{lines[len(lines)-2], lines[len(lines)-1]}
}

// promptOpen is a waitFor condition: the command bar is open.
func promptOpen(s string) error {
	if f := footer(s); !strings.HasPrefix(f[0], ":") || !strings.Contains(f[1], "esc closes") {
		return fmt.Errorf("no ':' prompt in the footer %q", f)
	}
	return nil
}

var (
	// A routing panel row: "│ web-2  ██████    132  45.0ms ● up     │",
	// or with "ejected" (or "out") in place of the bar.
	routingRow = regexp.MustCompile(`[│┃] (web-\d+)\s+(\S+)\s+(\d+)\s+[\d.]+m?s (\S) (\w+)`)
	// A map node: "web-2 ✖ down     0/s", or "⊘ out" when ejected but up.
	mapNode = regexp.MustCompile(`(web-\d+) (\S) (\w+)\s+(\d+)/s`)
)

// routed reads each web server's routed rate (req/s) from the routing panel.
func routed(screen string) map[string]int {
	out := map[string]int{}
	for _, m := range routingRow.FindAllStringSubmatch(screen, -1) {
		n, _ := strconv.Atoi(m[3])
		out[m[1]] = n
	}
	return out
}

// node reads a web server's state word from the map, and from the routing
// panel whether the balancer ejected it.
func node(screen, name string) (state string, ejected bool) {
	for _, m := range routingRow.FindAllStringSubmatch(screen, -1) {
		if m[1] == name {
			ejected = m[2] == "ejected" || m[2] == "out"
		}
	}
	for _, m := range mapNode.FindAllStringSubmatch(screen, -1) {
		if m[1] == name {
			return m[3], ejected
		}
	}
	return "", ejected
}

// TestSandboxInTmux drives the real dashboard in a real terminal: type a
// command, kill a server with keys, and watch the balancer move traffic.
func TestSandboxInTmux(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end test; skipped in -short mode")
	}
	if _, err := exec.LookPath("tmux"); err != nil {
		t.Skip("tmux is not on PATH")
	}
	bin := buildScalelab(t)
	state := t.TempDir()
	stderr := filepath.Join(state, "stderr")
	p := startTmux(t, 160, 48, "XDG_STATE_HOME="+state+" "+bin+" sandbox --seed 3 2>"+stderr)
	p.waitFor("the dashboard", 10*time.Second, contains("Routing", "web-1", "web-2", "web-3"))

	// A typed command: ':' opens the prompt, then the line and Enter.
	p.keys(":")
	p.waitFor("the command prompt", 5*time.Second, promptOpen)
	p.keys("load 400/s")
	p.key("Enter")
	var before map[string]int
	p.waitFor("traffic on every web server", 15*time.Second, func(s string) error {
		if !strings.Contains(s, "✔ load 400/s") {
			return errors.New(`no "✔ load 400/s" in the footer`)
		}
		r := routed(s)
		if len(r) != 3 || r["web-2"] == 0 || r["web-1"]+r["web-2"]+r["web-3"] < 300 {
			return fmt.Errorf("routed rates %v, want all three servers sharing about 400/s", r)
		}
		before = r
		return nil
	})

	// Keys: select web-2 and kill it.
	p.keys("2")
	p.waitFor("web-2 selected", 5*time.Second, contains("selected: web-2"))
	p.keys("k")
	p.waitFor("web-2 down, ejected, and its traffic moved", 20*time.Second, func(s string) error {
		if state, ejected := node(s, "web-2"); state != "down" || !ejected {
			return fmt.Errorf("map shows web-2 %q, ejected %v; want down and ejected", state, ejected)
		}
		r := routed(s)
		for _, n := range []string{"web-1", "web-3"} {
			if float64(r[n]) < 1.2*float64(before[n]) {
				return fmt.Errorf("%s routes %d/s, was %d/s: want at least 20%% more", n, r[n], before[n])
			}
		}
		if r["web-2"] != 0 {
			return fmt.Errorf("web-2 still routed %d/s", r["web-2"])
		}
		return nil
	})
	if !strings.Contains(p.screen(), "kill web-2") {
		t.Errorf("the kill does not show in the footer or the events")
	}

	// The prompt opens and Escape closes it without running anything.
	p.keys(":")
	p.waitFor("the command prompt", 5*time.Second, promptOpen)
	p.key("Escape")
	p.waitFor("the prompt to close", 5*time.Second, func(s string) error {
		if promptOpen(s) == nil {
			return errors.New("the prompt is still open")
		}
		return nil
	})

	p.keys("q")
	status := p.waitExit(5 * time.Second)
	if status != "status 0" {
		t.Errorf("scalelab ended with %s after q, want status 0", status)
	}

	// The session was logged, and the path said on exit.
	logs, _ := filepath.Glob(filepath.Join(state, "scalelab", "sessions", "*-shop.jsonl"))
	if len(logs) != 1 {
		t.Fatalf("session logs %q, want one", logs)
	}
	// (On standard error, redirected: tmux may clear a pane as it reaps it.)
	if b, _ := os.ReadFile(stderr); string(b) != "scalelab: session log: "+logs[0]+"\n" {
		t.Errorf("on exit, stderr %q; want the log's path", b)
	}
	f, err := os.Open(logs[0])
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	lg, err := session.Read(f)
	if err != nil {
		t.Fatal(err)
	}
	var cmds []string
	for _, e := range lg.Events {
		if e.Kind == lab.KindCommand {
			cmds = append(cmds, e.Source+": "+e.Line)
		}
	}
	if got := strings.Join(cmds, "|"); !strings.Contains(got, "typed: load 400/s|key: kill web-2") {
		t.Errorf("logged commands %q", cmds)
	}
	if lg.Header.Mode != "tui" || lg.Header.Cols != 160 || lg.Header.Rows != 48 || len(lg.Metrics) < 2 {
		t.Errorf("header %+v, %d metrics lines", lg.Header, len(lg.Metrics))
	}
}

// waitExit polls until the pane's program has ended and returns how it
// ended: "status N", "signal N", or "session gone". tmux marks a pane dead
// when its terminal closes, and fills in the status when it reaps the
// process; on a busy machine tmux 3.3 has been seen to leave the process a
// zombie for seconds, so a dead pane's zombie is read from /proc instead.
func (p *tmuxPane) waitExit(timeout time.Duration) string {
	p.t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		out, err := exec.Command("tmux", "-S", p.socket, "display-message", "-p", "-t", p.session,
			"#{pane_dead}|#{pane_dead_status}|#{pane_dead_signal}|#{pane_pid}").CombinedOutput()
		if err != nil {
			return "session gone" // the program ended and took the session with it
		}
		f := strings.Split(strings.TrimSpace(string(out)), "|")
		if len(f) == 4 && f[0] == "1" {
			switch {
			case f[1] != "":
				return "status " + f[1]
			case f[2] != "":
				return "signal " + f[2]
			}
			if how, ok := zombieExit(f[3]); ok {
				return how
			}
		}
		if time.Now().After(deadline) {
			ps, _ := exec.Command("ps", "-o", "pid,ppid,stat,etime,args", "--pid", f[len(f)-1], "--ppid", f[len(f)-1]).CombinedOutput()
			p.t.Fatalf("program still running %s after q (pane: %q); processes:\n%s\nscreen:\n%s", timeout, out, ps, p.screen())
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// zombieExit reads how process pid ended if it has exited but not been
// reaped (Linux: state Z and the wait status in /proc/PID/stat field 52).
func zombieExit(pid string) (string, bool) {
	b, err := os.ReadFile("/proc/" + pid + "/stat")
	if err != nil {
		return "", false
	}
	// Fields after "pid (comm)" start at field 3, the state.
	f := strings.Fields(string(b[bytes.LastIndexByte(b, ')')+1:]))
	if len(f) < 50 || f[0] != "Z" {
		return "", false
	}
	ws, err := strconv.Atoi(f[52-3])
	if err != nil {
		return "", false
	}
	if sig := ws & 0x7f; sig != 0 {
		return fmt.Sprintf("signal %d", sig), true
	}
	return fmt.Sprintf("status %d", ws>>8&0xff), true
}

// TestDashboardNeedsTerminal runs scalelab with standard output to a pipe:
// it must refuse with exit code 2 and point at the headless command.
func TestDashboardNeedsTerminal(t *testing.T) {
	bin := buildScalelab(t)
	for _, args := range [][]string{nil, {"sandbox"}} {
		t.Run(strings.Join(append([]string{"scalelab"}, args...), " "), func(t *testing.T) {
			cmd := exec.Command(bin, args...)
			var stdout, stderr bytes.Buffer
			cmd.Stdout, cmd.Stderr = &stdout, &stderr
			err := cmd.Run()
			var ee *exec.ExitError
			if !errors.As(err, &ee) || ee.ExitCode() != 2 {
				t.Fatalf("exit: %v, want exit status 2; stderr:\n%s", err, stderr.String())
			}
			msg := stderr.String()
			if !strings.Contains(msg, "needs a terminal") || !strings.Contains(msg, "scalelab run") {
				t.Errorf("stderr %q does not say it needs a terminal and mention `scalelab run`", msg)
			}
			if stdout.Len() != 0 {
				t.Errorf("wrote to stdout: %q", stdout.String())
			}
		})
	}
}
