package serve

import (
	"fmt"
	"io"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/ssh"
	"github.com/charmbracelet/wish"
	bm "github.com/charmbracelet/wish/bubbletea"
	gossh "golang.org/x/crypto/ssh"

	"github.com/scalelab/scalelab/components/backend"
	"github.com/scalelab/scalelab/components/crash"
	"github.com/scalelab/scalelab/lab"
	"github.com/scalelab/scalelab/lab/lesson"
	"github.com/scalelab/scalelab/lab/session"
	"github.com/scalelab/scalelab/lab/tui"
)

// attendee is one SSH session: an attendee's (their lesson labs, one at a
// time) or the instructor's.
type attendee struct {
	s          *Server
	sess       ssh.Session
	user, key  string // key: the fingerprint, "" without one
	id         string // names the progress file and logs
	instructor bool
	scope      *crash.Scope
	lastInput  atomic.Int64 // unix ns

	mu     sync.Mutex
	prog   *tui.Program
	reason string // why the session was ended from outside, told on the way out
	lab    *lab.Lab
	lesson *lesson.Lesson
	step   int
}

type ctxKey struct{}

// admit is the outermost middleware: it refuses a session over the cap
// with a message, keeps the session in the list while it lasts, watches
// it for idleness, and when its program has ended saves what it leaves
// and tells the attendee why it ended.
func (s *Server) admit(next ssh.Handler) ssh.Handler {
	return func(sess ssh.Session) {
		a := &attendee{s: s, sess: sess, user: sess.User(), scope: crash.NewScope()}
		if k := sess.PublicKey(); k != nil {
			a.key = gossh.FingerprintSHA256(k)
			a.instructor = has(s.instructors, k)
		}
		a.id = progressID(a.user, a.key)
		a.lastInput.Store(time.Now().UnixNano())
		if msg := s.join(a); msg != "" {
			wish.Println(sess, "scalelab: "+msg)
			s.logf("refused %s: %s", a.name(), msg)
			_ = sess.Exit(1)
			return
		}
		s.logf("%s connected (%s)", a.name(), a.role())
		defer s.leave(a)
		stop := make(chan struct{})
		defer close(stop)
		if s.cfg.Idle > 0 && !a.instructor {
			go a.watchIdle(s.cfg.Idle, stop)
		}
		sess.Context().SetValue(ctxKey{}, a)
		next(sess)
		a.mu.Lock()
		p, reason := a.prog, a.reason
		a.mu.Unlock()
		if p != nil {
			if err := p.Finish(); err != nil {
				s.logf("%s: %v", a.name(), err)
			}
		}
		if reason != "" {
			wish.Println(sess, "\r\nscalelab: "+reason)
		}
		s.logf("%s left%s", a.name(), map[bool]string{true: ": " + reason}[reason != ""])
		_ = sess.Exit(0)
	}
}

// join adds a to the sessions, or says why it cannot join.
func (s *Server) join(a *attendee) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closing {
		return "the workshop server is shutting down"
	}
	n := 0
	for b := range s.sessions {
		if !b.instructor {
			n++
		}
	}
	if !a.instructor && n >= s.cfg.MaxSessions {
		return fmt.Sprintf("the workshop is full: %d of %d labs are taken. Ask the instructor, or try again when someone leaves.", n, s.cfg.MaxSessions)
	}
	s.sessions[a] = struct{}{}
	s.handlers.Add(1)
	return ""
}

func (s *Server) leave(a *attendee) {
	s.mu.Lock()
	delete(s.sessions, a)
	s.mu.Unlock()
	s.handlers.Done()
}

func (a *attendee) name() string {
	if a.key != "" {
		return a.user + " (" + a.key + ")"
	}
	return a.user
}

func (a *attendee) role() string {
	if a.instructor {
		return "instructor"
	}
	return "attendee"
}

var unsafeName = regexp.MustCompile(`[^A-Za-z0-9_.-]+`)

// progressID names an attendee's progress and logs: the user name, and
// the key's fingerprint when there is one (so two people who both log in
// as "student" with their own keys keep their own progress).
func progressID(user, key string) string {
	id := unsafeName.ReplaceAllString(user, "_")
	if len(id) > 32 {
		id = id[:32]
	}
	if id == "" {
		id = "anonymous"
	}
	if key != "" {
		fp := unsafeName.ReplaceAllString(strings.TrimPrefix(key, "SHA256:"), "")
		id += "-" + fp[:min(len(fp), 12)]
	}
	return id
}

// end closes the session from outside (idle, shutdown, a crash): its
// program is killed and the attendee told why.
func (a *attendee) end(reason string) {
	a.mu.Lock()
	if a.reason == "" {
		a.reason = reason
	}
	p := a.prog
	a.mu.Unlock()
	if p != nil {
		p.Kill()
	} else {
		_ = a.sess.Close()
	}
}

func (a *attendee) watchIdle(idle time.Duration, stop <-chan struct{}) {
	t := time.NewTicker(min(max(idle/20, 50*time.Millisecond), time.Second))
	defer t.Stop()
	for {
		select {
		case <-stop:
			return
		case <-t.C:
			if time.Since(time.Unix(0, a.lastInput.Load())) >= idle {
				a.end(fmt.Sprintf("closed after %v without a key pressed; your progress is saved, ssh in again to go on", idle))
				return
			}
		}
	}
}

// program is the session's screen: the lesson picker on labs of the
// attendee's own, or the instructor view.
func (s *Server) program(sess ssh.Session) *tea.Program {
	a, ok := sess.Context().Value(ctxKey{}).(*attendee)
	if !ok {
		return nil
	}
	in := &activity{r: sess, last: &a.lastInput}
	opt := tui.Options{
		Renderer: bm.MakeRenderer(sess),
		// The server's signals are the server's: a program that took
		// SIGTERM for its own would wait for a screen no one reads.
		ProgramOptions: append(bm.MakeOptions(sess), tea.WithInput(in), tea.WithoutSignalHandler()),
		Crash:          a.scope,
	}
	var p *tui.Program
	if a.instructor {
		p = tui.NewInstructorProgram(s, opt)
	} else {
		progress := filepath.Join(s.cfg.StateDir, "progress", a.id+".json")
		p = tui.NewLessonsProgram(s.cfg.Lessons, a.newLab, progress, opt)
	}
	// A panic in one of this attendee's labs ends this session only (the
	// scope is the session's; the process and the others run on).
	a.scope.Handle(func(v any, stack []byte) {
		s.logf("%s: a lab goroutine panicked: %v\n%s", a.name(), v, stack)
		a.end(fmt.Sprintf("your lab crashed (%v); it was stopped, and no one else's was touched. ssh in again for a new one", v))
	})
	a.mu.Lock()
	a.prog = p
	a.mu.Unlock()
	return p.Program
}

// activity is the session's input, noting when a key was last pressed.
type activity struct {
	r    io.Reader
	last *atomic.Int64
}

func (r *activity) Read(p []byte) (int, error) {
	n, err := r.r.Read(p)
	if n > 0 {
		r.last.Store(time.Now().UnixNano())
	}
	return n, err
}

// newLab builds the attendee's lab for a lesson: its own clock and
// crash scope, the per-lab load cap, a session log in LogDir, and the
// attendee's place in the lesson followed for the instructor's list.
func (a *attendee) newLab(ls *lesson.Lesson) (*lab.Lab, error) {
	cfg, err := a.s.labConfig(ls.Preset)
	if err != nil {
		return nil, err
	}
	cfg.Crash = a.scope
	l, err := lab.New(cfg)
	if err != nil {
		return nil, err
	}
	h := session.HeaderFor(l, "ssh")
	h.Lesson, h.User = ls.ID, a.name()
	if pty, _, ok := a.sess.Pty(); ok {
		h.Cols, h.Rows = pty.Window.Width, pty.Window.Height
	}
	name := fmt.Sprintf("%s-%s-%s.jsonl", a.id, time.Now().Format("20060102T150405.000"), ls.ID)
	w, err := session.Create(filepath.Join(a.s.cfg.LogDir, name), h, session.Options{})
	if err != nil {
		a.s.logf("%s: %v; the lab runs without a log", a.name(), err)
	} else {
		w.Attach(l)
	}
	a.mu.Lock()
	a.lab, a.lesson, a.step = l, ls, 0
	a.mu.Unlock()
	sub := l.Subscribe(false)
	l.Go(func() { a.follow(l, sub, w) })
	return l, nil
}

// follow keeps the attendee's step as the lesson reports it, until l
// stops; then it closes l's log.
func (a *attendee) follow(l *lab.Lab, sub *lab.Subscription, w *session.Writer) {
	defer sub.Unsubscribe()
	for {
		select {
		case <-sub.Ready():
			for _, e := range sub.Drain() {
				if e.Kind == lab.KindLesson && e.Step > 0 {
					a.mu.Lock()
					if a.lab == l {
						a.step = e.Step
					}
					a.mu.Unlock()
				}
			}
		case <-l.Done():
			a.mu.Lock()
			if a.lab == l {
				a.lab, a.lesson, a.step = nil, nil, 0
			}
			a.mu.Unlock()
			if w != nil {
				if err := w.Close(); err != nil {
					a.s.logf("%s: session log: %v", a.name(), err)
				}
			}
			return
		}
	}
}

// Attendees lists the attendee sessions, by user: the instructor view's
// rows.
func (s *Server) Attendees() []tui.Attendee {
	s.mu.Lock()
	var list []*attendee
	for a := range s.sessions {
		if !a.instructor {
			list = append(list, a)
		}
	}
	s.mu.Unlock()
	out := make([]tui.Attendee, 0, len(list))
	for _, a := range list {
		a.mu.Lock()
		row := tui.Attendee{User: a.user, Key: a.key, Step: a.step, Idle: time.Since(time.Unix(0, a.lastInput.Load()))}
		l := a.lab
		if a.lesson != nil {
			row.Lesson, row.Steps = a.lesson.ID, len(a.lesson.Steps)
		}
		a.mu.Unlock()
		if l != nil {
			row.Health = health(l.Snapshot())
		}
		out = append(out, row)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].User+out[i].Key < out[j].User+out[j].Key })
	return out
}

// health is a lab's state in a few words: web servers up, errors, load.
func health(s lab.Snapshot) string {
	up, webs := 0, 0
	for _, v := range s.Servers {
		if v.Role == lab.RoleWeb {
			webs++
			if v.Health == backend.Up {
				up++
			}
		}
	}
	text := fmt.Sprintf("web %d/%d up · %.1f%% errors · %.0f/s", up, webs, 100*s.Requests.ErrorRatio, s.Load.Rate)
	if s.Frozen {
		text += " · ❄ frozen"
	}
	return text
}

// Broadcast runs line in every attendee lab open now, as source
// "instructor" (a blocking line, wait or expect … within, runs on in each
// lab without holding the others up). It returns how many labs it reached.
func (s *Server) Broadcast(line string) (int, error) {
	c, err := lab.Parse(line)
	if err != nil {
		return 0, err
	}
	if c == nil {
		return 0, fmt.Errorf("nothing to send: %q is blank or a comment", line)
	}
	s.mu.Lock()
	var labs []*lab.Lab
	for a := range s.sessions {
		a.mu.Lock()
		if a.lab != nil && !a.instructor {
			labs = append(labs, a.lab)
		}
		a.mu.Unlock()
	}
	s.mu.Unlock()
	var wg sync.WaitGroup
	for _, l := range labs {
		if c.Blocking() {
			l.Go(func() { _ = l.Exec(line, lab.SourceInstructor) })
			continue
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			_ = l.Exec(line, lab.SourceInstructor) // a lab that refuses it shows why in its events
		}()
	}
	wg.Wait()
	s.logf("instructor broadcast %q to %d lab(s)", line, len(labs))
	return len(labs), nil
}
