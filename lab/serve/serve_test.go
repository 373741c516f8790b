package serve

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"io"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	charmlog "github.com/charmbracelet/log"
	"github.com/charmbracelet/x/ansi"
	gossh "golang.org/x/crypto/ssh"

	"github.com/scalelab/scalelab/lab"
	"github.com/scalelab/scalelab/lab/lesson"
	"github.com/scalelab/scalelab/lessons"
)

func TestMain(m *testing.M) {
	charmlog.SetOutput(io.Discard) // wish's "program was killed" for every session ended
	os.Exit(m.Run())
}

// newKey makes an ed25519 key pair: the signer a client logs in with and
// its authorized_keys line.
func newKey(t testing.TB) (gossh.Signer, string) {
	t.Helper()
	pub, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	signer, err := gossh.NewSignerFromKey(priv)
	if err != nil {
		t.Fatal(err)
	}
	spub, err := gossh.NewPublicKey(pub)
	if err != nil {
		t.Fatal(err)
	}
	return signer, string(gossh.MarshalAuthorizedKey(spub))
}

// start runs a server on a loopback port with cfg (its directories and
// lessons filled in) and shuts it down when the test ends.
func start(t testing.TB, cfg Config) (*Server, string) {
	t.Helper()
	dir := t.TempDir()
	cfg.LogDir, cfg.StateDir, cfg.HostKey = filepath.Join(dir, "logs"), filepath.Join(dir, "state"), filepath.Join(dir, "state", "host_key")
	cfg.Lessons = lesson.Load(lesson.Source{FS: lessons.FS, Name: "lessons"})
	cfg.Addr = "127.0.0.1:0"
	srv, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ln) }()
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := srv.Shutdown(ctx); err != nil {
			t.Errorf("shutdown: %v", err)
		}
		if err := <-done; err != nil {
			t.Errorf("serve: %v", err)
		}
	})
	return srv, ln.Addr().String()
}

func writeKeys(t testing.TB, lines ...string) string {
	path := filepath.Join(t.TempDir(), "keys")
	if err := os.WriteFile(path, []byte(strings.Join(lines, "")), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// client is one SSH session with a pty, its screen output collected.
type client struct {
	t    testing.TB
	conn *gossh.Client
	sess *gossh.Session
	in   io.WriteCloser

	mu   sync.Mutex
	out  strings.Builder
	done chan error // the session's exit
}

func dial(addr, user string, auth ...gossh.AuthMethod) (*gossh.Client, error) {
	return gossh.Dial("tcp", addr, &gossh.ClientConfig{
		User: user, Auth: auth, HostKeyCallback: gossh.InsecureIgnoreHostKey(), Timeout: 5 * time.Second,
	})
}

// connect logs in as user and opens a shell on a 100×30 pty.
func connect(t testing.TB, addr, user string, auth ...gossh.AuthMethod) *client {
	t.Helper()
	conn, err := dial(addr, user, auth...)
	if err != nil {
		t.Fatalf("%s: %v", user, err)
	}
	sess, err := conn.NewSession()
	if err != nil {
		t.Fatal(err)
	}
	c := &client{t: t, conn: conn, sess: sess, done: make(chan error, 1)}
	if err := sess.RequestPty("xterm-256color", 30, 100, gossh.TerminalModes{}); err != nil {
		t.Fatal(err)
	}
	if c.in, err = sess.StdinPipe(); err != nil {
		t.Fatal(err)
	}
	out, err := sess.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	go func() {
		buf := make([]byte, 32<<10)
		answered := false
		for {
			n, err := out.Read(buf)
			c.mu.Lock()
			c.out.Write(buf[:n])
			query := !answered && strings.Contains(c.out.String(), "\x1b[c")
			c.mu.Unlock()
			if query {
				// Answer wish's question about the background colour as a
				// terminal does (a dark one), then the device attributes.
				answered = true
				_, _ = io.WriteString(c.in, "\x1b]11;rgb:0000/0000/0000\x1b\\\x1b[?62;22c")
			}
			if err != nil {
				return
			}
		}
	}()
	if err := sess.Shell(); err != nil {
		t.Fatal(err)
	}
	go func() { c.done <- sess.Wait() }()
	t.Cleanup(func() { conn.Close() })
	return c
}

// screen is everything the session printed, without escape sequences.
func (c *client) screen() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return ansi.Strip(c.out.String())
}

// waitFor waits until the session has printed text (or fails after d).
// After the session's exit too: the exit status can overtake the last
// output the client has read.
func (c *client) waitFor(text string, d time.Duration) {
	c.t.Helper()
	deadline := time.Now().Add(d)
	for !strings.Contains(c.screen(), text) {
		if time.Now().After(deadline) {
			c.t.Fatalf("no %q on screen after %v; the screen ends:\n%s", text, d, tail(c.screen(), 2000))
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func (c *client) send(keys string) {
	c.t.Helper()
	if _, err := io.WriteString(c.in, keys); err != nil {
		c.t.Fatal(err)
	}
}

// exit waits for the session to end and returns its exit status.
func (c *client) exit(d time.Duration) int {
	c.t.Helper()
	select {
	case err := <-c.done:
		if ee, ok := err.(*gossh.ExitError); ok {
			return ee.ExitStatus()
		}
		if err != nil {
			return -1
		}
		return 0
	case <-time.After(d):
		c.t.Fatalf("the session did not end in %v; the screen ends:\n%s", d, tail(c.screen(), 1000))
		return -1
	}
}

func tail(s string, n int) string {
	if len(s) > n {
		return s[len(s)-n:]
	}
	return s
}

// openLesson opens the picker's first lesson and waits for its first step.
func (c *client) openLesson() {
	c.t.Helper()
	c.waitFor("lessons", 10*time.Second)
	c.send("\r")
	c.waitFor("Step 1/", 15*time.Second)
}

// waitLabs waits until n attendees have a lab and returns them by user.
func waitLabs(t testing.TB, s *Server, n int) map[string]*lab.Lab {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for {
		labs := map[string]*lab.Lab{}
		s.mu.Lock()
		for a := range s.sessions {
			a.mu.Lock()
			if a.lab != nil {
				labs[a.user] = a.lab
			}
			a.mu.Unlock()
		}
		s.mu.Unlock()
		if len(labs) >= n {
			return labs
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d attendee labs after 15s, want %d", len(labs), n)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// Two attendees at once: each gets the picker and a lab of their own (a
// fault typed in one does not reach the other); the instructor lists
// both and a broadcast reaches both labs, shown as from the instructor.
func TestTwoAttendeesIsolatedAndBroadcast(t *testing.T) {
	alice, aliceKey := newKey(t)
	bob, bobKey := newKey(t)
	teacher, teacherKey := newKey(t)
	srv, addr := start(t, Config{AuthorizedKeys: writeKeys(t, aliceKey, bobKey), InstructorKeys: writeKeys(t, teacherKey)})
	a := connect(t, addr, "alice", gossh.PublicKeys(alice))
	b := connect(t, addr, "bob", gossh.PublicKeys(bob))
	a.openLesson()
	b.openLesson()
	labs := waitLabs(t, srv, 2)
	if labs["alice"] == labs["bob"] || labs["alice"] == nil || labs["bob"] == nil {
		t.Fatalf("attendee labs %v: want two different labs", labs)
	}
	a.send(":kill web-3\r")
	deadline := time.Now().Add(5 * time.Second)
	for {
		av, _ := labs["alice"].Value("backend.health{backend=web-3}")
		bv, _ := labs["bob"].Value("backend.health{backend=web-3}")
		if av != 0 && bv == 0 {
			break // alice's web-3 is down, bob's up
		}
		if time.Now().After(deadline) {
			t.Fatalf("after alice's kill: web-3 health alice %v, bob %v; want down in alice's lab only", av, bv)
		}
		time.Sleep(20 * time.Millisecond)
	}

	teach := connect(t, addr, "teacher", gossh.PublicKeys(teacher))
	teach.waitFor("Instructor · 2 attendee(s)", 10*time.Second)
	teach.waitFor("alice", 5*time.Second)
	teach.waitFor("bob", 5*time.Second)
	subs := map[string]*lab.Subscription{}
	for user, l := range labs {
		subs[user] = l.Subscribe(false)
	}
	teach.send(":kill web-2\r")
	teach.waitFor("sent to 2 attendee lab(s)", 10*time.Second)
	for user, sub := range subs {
		found := false
		for _, e := range sub.Drain() {
			if e.Kind == lab.KindCommand && e.Source == lab.SourceInstructor && e.Line == "kill web-2" && e.Err == "" {
				found = true
			}
		}
		sub.Unsubscribe()
		if !found {
			t.Errorf("%s's lab has no 'instructor: kill web-2'", user)
		}
	}
	if n, err := srv.Broadcast("kil web-2"); err == nil || n != 0 {
		t.Errorf("a bad line was broadcast to %d labs (err %v)", n, err)
	}
	rows := srv.Attendees()
	if len(rows) != 2 || rows[0].User != "alice" || rows[0].Lesson == "" || rows[0].Steps == 0 ||
		!strings.Contains(rows[0].Health, "web 1/3 up") || !strings.Contains(rows[1].Health, "web 2/3 up") {
		t.Errorf("attendees %+v", rows)
	}
}

// Without --open only the keys given get in; with it any key does, and
// keyboard-interactive too (an attendee without a key pair).
func TestAuth(t *testing.T) {
	known, knownKey := newKey(t)
	stranger, _ := newKey(t)
	none := gossh.KeyboardInteractive(func(string, string, []string, []bool) ([]string, error) { return nil, nil })
	_, addr := start(t, Config{AuthorizedKeys: writeKeys(t, "# the class\n\n", knownKey)})
	if _, err := dial(addr, "eve", gossh.PublicKeys(stranger)); err == nil || !strings.Contains(err.Error(), "unable to authenticate") {
		t.Errorf("an unknown key: %v, want it refused", err)
	}
	if _, err := dial(addr, "eve", none); err == nil {
		t.Error("keyboard-interactive got in without --open")
	}
	c, err := dial(addr, "ann", gossh.PublicKeys(known))
	if err != nil {
		t.Fatalf("a known key was refused: %v", err)
	}
	c.Close()

	_, open := start(t, Config{Open: true})
	for _, auth := range []gossh.AuthMethod{gossh.PublicKeys(stranger), none} {
		c, err := dial(open, "guest", auth)
		if err != nil {
			t.Fatalf("--open refused: %v", err)
		}
		c.Close()
	}
	for _, cfg := range []Config{{}, {AuthorizedKeys: writeKeys(t, "not a key\n")}} {
		cfg.Lessons = lesson.Load(lesson.Source{FS: lessons.FS, Name: "lessons"})
		cfg.LogDir, cfg.StateDir = t.TempDir(), t.TempDir()
		if _, err := New(cfg); err == nil {
			t.Errorf("New(%+v) accepted a server no one could log in to, or a bad key file", cfg)
		}
	}
}

// Over --max-sessions a session is refused with a message; the instructor
// still gets in.
func TestMaxSessions(t *testing.T) {
	teacher, teacherKey := newKey(t)
	_, addr := start(t, Config{Open: true, MaxSessions: 1, InstructorKeys: writeKeys(t, teacherKey)})
	first := connect(t, addr, "one", gossh.KeyboardInteractive(func(string, string, []string, []bool) ([]string, error) { return nil, nil }))
	first.waitFor("lessons", 10*time.Second)
	second := connect(t, addr, "two", gossh.KeyboardInteractive(func(string, string, []string, []bool) ([]string, error) { return nil, nil }))
	if code := second.exit(10 * time.Second); code != 1 {
		t.Errorf("the refused session exited %d, want 1", code)
	}
	second.waitFor("the workshop is full: 1 of 1 labs are taken", 2*time.Second)
	teach := connect(t, addr, "teacher", gossh.PublicKeys(teacher))
	teach.waitFor("Instructor · 1 attendee(s)", 10*time.Second)
}

// A session with no key pressed for --idle is closed, with a message.
func TestIdleSessionClosed(t *testing.T) {
	_, addr := start(t, Config{Open: true, Idle: 500 * time.Millisecond})
	c := connect(t, addr, "sleepy", gossh.KeyboardInteractive(func(string, string, []string, []bool) ([]string, error) { return nil, nil }))
	c.waitFor("lessons", 10*time.Second)
	if code := c.exit(10 * time.Second); code != 0 {
		t.Errorf("exit %d", code)
	}
	// The exit status can overtake the last output the client reads.
	c.waitFor("closed after 500ms without a key pressed", 2*time.Second)
}

// A panic in one attendee's lab ends that session only; the other runs
// on, and so does the server.
func TestCrashEndsOneSession(t *testing.T) {
	srv, addr := start(t, Config{Open: true})
	kb := gossh.KeyboardInteractive(func(string, string, []string, []bool) ([]string, error) { return nil, nil })
	a := connect(t, addr, "alice", kb)
	b := connect(t, addr, "bob", kb)
	a.openLesson()
	b.openLesson()
	labs := waitLabs(t, srv, 2)
	labs["alice"].Go(func() { panic("boom") })
	a.exit(10 * time.Second)
	a.waitFor("your lab crashed (boom)", 2*time.Second)
	if n, err := srv.Broadcast("load 100/s"); err != nil || n != 1 {
		t.Errorf("after alice's crash the broadcast reached %d labs (%v), want bob's", n, err)
	}
	b.send(":freeze\r")
	b.waitFor("freeze", 5*time.Second)
}

// Shutdown ends every session with a message and closes their logs.
func TestShutdownClosesSessionsAndLogs(t *testing.T) {
	srv, addr := start(t, Config{Open: true})
	kb := gossh.KeyboardInteractive(func(string, string, []string, []bool) ([]string, error) { return nil, nil })
	c := connect(t, addr, "alice", kb)
	c.openLesson()
	waitLabs(t, srv, 1)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := srv.Shutdown(ctx); err != nil {
		t.Fatal(err)
	}
	c.exit(5 * time.Second)
	c.waitFor("shutting down", 2*time.Second)
	logs, _ := filepath.Glob(filepath.Join(srv.cfg.LogDir, "alice-*.jsonl"))
	if len(logs) != 1 {
		t.Fatalf("logs %v, want alice's one", logs)
	}
	b, _ := os.ReadFile(logs[0])
	if !strings.Contains(string(b), `"user":"alice"`) || !strings.Contains(string(b), `"final":true`) {
		t.Errorf("alice's log has no user in its header or no final line:\n%s", tail(string(b), 300))
	}
	if _, err := dial(addr, "late", kb); err == nil {
		t.Error("a connection was accepted after shutdown")
	}
}

func TestProgressID(t *testing.T) {
	for _, tc := range []struct{ user, key, want string }{
		{"alice", "", "alice"},
		{"alice", "SHA256:abc/def+ghijklmnopq", "alice-abcdefghijkl"},
		{"../../etc", "", ".._.._etc"},
		{"", "", "anonymous"},
	} {
		if got := progressID(tc.user, tc.key); got != tc.want {
			t.Errorf("progressID(%q, %q) = %q, want %q", tc.user, tc.key, got, tc.want)
		}
	}
}
