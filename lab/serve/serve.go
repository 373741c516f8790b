// Package serve gives every attendee of a workshop a lab of their own over
// SSH (charmbracelet/wish): `ssh -p 2222 host` opens the lesson picker in
// the attendee's terminal on an isolated lab — its own clock, seed,
// progress (kept by SSH key, or user name) and session log — and an
// instructor, connecting with an instructor key, gets a list of the
// sessions and can broadcast a command line to every attendee's lab.
//
// Safe by default: public-key authentication against the keys given
// (anyone only with Open), a host key generated once and kept, a cap on
// sessions with a clear message when full, a load cap per lab, idle
// sessions closed, a panic in one lab ending only its own session, and a
// graceful Shutdown that closes every session and its logs.
package serve

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/charmbracelet/ssh"
	"github.com/charmbracelet/wish"
	"github.com/charmbracelet/wish/activeterm"
	bm "github.com/charmbracelet/wish/bubbletea"
	"github.com/muesli/termenv"
	gossh "golang.org/x/crypto/ssh"

	"github.com/scalelab/scalelab/lab"
	"github.com/scalelab/scalelab/lab/lesson"
)

// Config is how a workshop server runs. Zero values: MaxSessions
// DefaultMaxSessions, Idle never, MaxRate DefaultMaxRate.
type Config struct {
	Addr           string        // host:port to listen on ("127.0.0.1:2222")
	HostKey        string        // the host key's file; generated (ed25519) if missing
	AuthorizedKeys string        // attendees' public keys, authorized_keys format; "" none
	InstructorKeys string        // keys that get the instructor view; "" no instructor
	Open           bool          // any key, or none (keyboard-interactive), is an attendee
	MaxSessions    int           // attendee sessions at once
	Idle           time.Duration // a session with no key pressed this long is closed; 0 never
	LogDir         string        // each lesson lab's session log goes here
	StateDir       string        // attendees' progress: StateDir/progress/ID.json
	Lessons        *lesson.Set
	Seed           uint64  // each lab's seed (0: 1): attendees see the same load
	Speed          float64 // each lab's clock speed (0: 1)
	MaxRate        float64 // each lab's load cap
	Log            io.Writer
}

// Defaults.
const (
	DefaultMaxSessions = 30
	// DefaultMaxRate is an attendee lab's load cap: the lessons need a
	// few hundred requests a second; a room on one machine shares it.
	DefaultMaxRate = 2000
)

// Server is a running workshop server.
type Server struct {
	cfg         Config
	srv         *ssh.Server
	attendees   []gossh.PublicKey
	instructors []gossh.PublicKey

	mu       sync.Mutex
	sessions map[*attendee]struct{}
	closing  bool
	handlers sync.WaitGroup
}

// New checks cfg and builds the server; Serve starts it. Without Open
// there must be keys to let someone in.
func New(cfg Config) (*Server, error) {
	if cfg.MaxSessions == 0 {
		cfg.MaxSessions = DefaultMaxSessions
	}
	if cfg.MaxRate == 0 {
		cfg.MaxRate = DefaultMaxRate
	}
	if cfg.Log == nil {
		cfg.Log = io.Discard
	}
	switch {
	case cfg.MaxSessions < 1:
		return nil, fmt.Errorf("max sessions %d: want at least 1", cfg.MaxSessions)
	case cfg.Idle < 0:
		return nil, fmt.Errorf("idle %v: want a positive duration, or 0 for never", cfg.Idle)
	case cfg.Lessons == nil || len(cfg.Lessons.Lessons) == 0:
		return nil, errors.New("no lessons to serve")
	case cfg.LogDir == "" || cfg.StateDir == "":
		return nil, errors.New("a log directory and a state directory are needed")
	case !cfg.Open && cfg.AuthorizedKeys == "" && cfg.InstructorKeys == "":
		return nil, errors.New("no one could log in: give the attendees' keys (--authorized-keys FILE), or accept anyone with --open (a classroom on a closed network)")
	}
	s := &Server{cfg: cfg, sessions: map[*attendee]struct{}{}}
	var err error
	if s.attendees, err = readKeys(cfg.AuthorizedKeys); err != nil {
		return nil, err
	}
	if s.instructors, err = readKeys(cfg.InstructorKeys); err != nil {
		return nil, err
	}
	for _, dir := range []string{cfg.LogDir, filepath.Join(cfg.StateDir, "progress"), filepath.Dir(cfg.HostKey)} {
		if err := os.MkdirAll(dir, 0o700); err != nil {
			return nil, err
		}
	}
	opts := []ssh.Option{
		wish.WithAddress(cfg.Addr),
		wish.WithHostKeyPath(cfg.HostKey),
		wish.WithPublicKeyAuth(s.publicKey),
		wish.WithMiddleware(bm.MiddlewareWithProgramHandler(s.program, termenv.ANSI256), activeterm.Middleware(), s.admit),
	}
	if cfg.Open {
		// A classroom: attendees without a key pair get in too, known by
		// their user name.
		opts = append(opts, wish.WithKeyboardInteractiveAuth(func(ssh.Context, gossh.KeyboardInteractiveChallenge) bool { return true }))
	}
	if s.srv, err = wish.NewServer(opts...); err != nil {
		return nil, fmt.Errorf("ssh server: %w", err)
	}
	return s, nil
}

// readKeys reads an authorized_keys file: one key a line, blank lines and
// # comments skipped. A line that is not a key is an error naming it.
func readKeys(path string) ([]gossh.PublicKey, error) {
	if path == "" {
		return nil, nil
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var keys []gossh.PublicKey
	for i, line := range strings.Split(string(b), "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		k, _, _, _, err := gossh.ParseAuthorizedKey([]byte(line))
		if err != nil {
			return nil, fmt.Errorf("%s:%d: not a public key (a line of an authorized_keys file, like 'ssh-ed25519 AAAA… name'): %w", path, i+1, err)
		}
		keys = append(keys, k)
	}
	return keys, nil
}

func has(keys []gossh.PublicKey, k ssh.PublicKey) bool {
	for _, x := range keys {
		if ssh.KeysEqual(x, k) {
			return true
		}
	}
	return false
}

// publicKey accepts an instructor's key, an attendee's, or with Open any.
func (s *Server) publicKey(_ ssh.Context, k ssh.PublicKey) bool {
	return s.cfg.Open || has(s.instructors, k) || has(s.attendees, k)
}

// Serve accepts connections on ln until Shutdown.
func (s *Server) Serve(ln net.Listener) error {
	err := s.srv.Serve(ln)
	if errors.Is(err, ssh.ErrServerClosed) {
		return nil
	}
	return err
}

// ListenAndServe listens on the configured address and serves.
func (s *Server) ListenAndServe() error {
	ln, err := net.Listen("tcp", s.cfg.Addr)
	if err != nil {
		return err
	}
	s.logf("listening on %s (%s)", ln.Addr(), s.authText())
	return s.Serve(ln)
}

func (s *Server) authText() string {
	switch {
	case s.cfg.Open:
		return "open: anyone who can reach it gets a lab"
	default:
		return fmt.Sprintf("%d attendee key(s), %d instructor key(s)", len(s.attendees), len(s.instructors))
	}
}

// Shutdown closes every session, telling each attendee why, waits for
// their logs and progress to be written (or for ctx), and stops the
// server.
func (s *Server) Shutdown(ctx context.Context) error {
	s.mu.Lock()
	s.closing = true
	var list []*attendee
	for a := range s.sessions {
		list = append(list, a)
	}
	s.mu.Unlock()
	for _, a := range list {
		a.end("the workshop server is shutting down; your progress is saved")
	}
	done := make(chan struct{})
	go func() { s.handlers.Wait(); close(done) }()
	select {
	case <-done:
	case <-ctx.Done():
	}
	err := s.srv.Shutdown(ctx)
	if errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled) {
		err = s.srv.Close()
	}
	s.logf("shut down")
	return err
}

func (s *Server) logf(format string, v ...any) {
	fmt.Fprintf(s.cfg.Log, "%s scalelab serve: %s\n", time.Now().Format("15:04:05"), fmt.Sprintf(format, v...))
}

// labConfig is an attendee lab's configuration for a preset.
func (s *Server) labConfig(preset string) (lab.Config, error) {
	p, err := lab.LoadPreset(preset)
	if err != nil {
		return lab.Config{}, err
	}
	return lab.Config{Preset: p, Seed: s.cfg.Seed, Speed: s.cfg.Speed, MaxRate: s.cfg.MaxRate}, nil
}
