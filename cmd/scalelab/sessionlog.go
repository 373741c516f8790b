package main

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/spf13/cobra"
	"golang.org/x/term"

	"github.com/scalelab/scalelab/lab"
	"github.com/scalelab/scalelab/lab/session"
)

// logFlags choose where a session's log goes.
type logFlags struct {
	file   string
	off    bool
	record bool // also log the dashboard's frames
}

func (f *logFlags) add(cmd *cobra.Command) {
	cmd.Flags().StringVar(&f.file, "log", "", "write the session log (JSON Lines) to `FILE` instead of a new file under $XDG_STATE_HOME/scalelab/sessions")
	cmd.Flags().BoolVar(&f.off, "no-log", false, "write no session log")
}

// addRecord adds --record, for commands that draw on the terminal; which
// frames completes "also log every frame".
func (f *logFlags) addRecord(cmd *cobra.Command, which string) {
	cmd.Flags().BoolVar(&f.record, "record", false, "also log every frame "+which+" (scalelab export --format cast turns them into a recording)")
}

func (f *logFlags) check() error {
	if f.off && f.file != "" {
		return usageError("--log and --no-log: choose one")
	}
	if f.off && f.record {
		return usageError("--record writes frames to the session log, and --no-log turns it off")
	}
	return nil
}

// sessionLogs writes one log per lab of a program run and closes them at
// the end. Problems are reported once: a headless run prints them on
// errOut as they happen; a dashboard shows them in its events panel (the
// terminal belongs to it) and they are printed with the log paths after it
// returns.
type sessionLogs struct {
	flags    *logFlags
	mode     string // header mode: tui, run, replay
	tui      bool
	requests bool // log every request too
	errOut   io.Writer

	rec *recorder // with --record on a dashboard, from output

	mu      sync.Mutex
	writers []*session.Writer
	failed  []string // logs that could not be created, for a dashboard's exit
	closed  bool
}

// start logs l's session, the header edited by edit (nil for none), and
// returns the log. A log that cannot be created leaves l running without
// one (nil).
func (s *sessionLogs) start(l *lab.Lab, edit func(*session.Header)) *session.Writer {
	if s.flags.off {
		return nil
	}
	h := session.HeaderFor(l, s.mode)
	if s.tui {
		h.Cols, h.Rows, _ = term.GetSize(int(os.Stdout.Fd()))
	}
	if edit != nil {
		edit(&h)
	}
	opt := session.Options{Requests: s.requests}
	if !s.tui {
		opt.OnError = func(err error) { fmt.Fprintf(s.errOut, "scalelab: session log: %v; the lab runs on without it\n", err) }
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed { // a lab built as the program ended: it is stopped at once
		return nil
	}
	var w *session.Writer
	var err error
	if s.flags.file != "" {
		w, err = session.Create(numbered(s.flags.file, len(s.writers)+len(s.failed)), h, opt)
	} else {
		w, err = session.CreateDefault(h, opt)
	}
	if err != nil {
		if s.tui {
			s.failed = append(s.failed, err.Error())
			l.Publish(lab.Event{Kind: lab.KindState, Component: "session-log", To: "failed", Detail: err.Error()})
		} else {
			fmt.Fprintf(s.errOut, "scalelab: %v; the lab runs on without a log\n", err)
		}
		return nil
	}
	w.Attach(l)
	s.writers = append(s.writers, w)
	if s.rec != nil {
		s.rec.follow(w, l)
	}
	return w
}

// output is out for the program drawing the dashboard; with --record, a
// tee on it (session.NewFrameTee, which keeps out's terminal visible to
// Bubble Tea) that hands each frame to the log of the lab on screen.
// Call it before the first start.
func (s *sessionLogs) output(out io.Writer) io.Writer {
	if !s.flags.record || s.flags.off || !s.tui {
		return out
	}
	s.rec = &recorder{start: time.Now()}
	return session.NewFrameTee(out, s.rec.frame)
}

// recorder sends the frames a program draws to the log of the lab on
// screen: the last one started, until it stops. A dashboard has one lab for
// the whole run; the lessons open one lab per lesson, each with a log of
// its own, and the picker between them has none (its frames are dropped).
// Each log's frame times count from the moment it starts.
type recorder struct {
	start time.Time // when the tee started counting

	mu   sync.Mutex
	w    *session.Writer // nil: nothing records
	done <-chan struct{} // closed when w's lab stops
	base float64         // w's start, in tee seconds
}

// follow sends the frames from now on to w, whose lab is l.
func (r *recorder) follow(w *session.Writer, l *lab.Lab) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.w, r.done, r.base = w, l.Done(), time.Since(r.start).Seconds()
}

// frame is the tee's emit function.
func (r *recorder) frame(f session.Frame) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.w == nil {
		return
	}
	select {
	case <-r.done: // its lab has stopped: the screen shows something else
		r.w = nil
		return
	default:
	}
	f.W = max(f.W-r.base, 0)
	r.w.Frame(f)
}

// numbered is path for the first log of a run and path-2.jsonl, path-3.jsonl
// … (the number before the extension) for the ones after.
func numbered(path string, i int) string {
	if i == 0 {
		return path
	}
	ext := filepath.Ext(path)
	return fmt.Sprintf("%s-%d%s", strings.TrimSuffix(path, ext), i+1, ext)
}

// close closes every log (stop their labs first) and says where each is.
func (s *sessionLogs) close() {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, msg := range s.failed {
		fmt.Fprintf(s.errOut, "scalelab: %s; that lab ran without a log\n", msg)
	}
	for _, w := range s.writers {
		err := w.Close()
		if err != nil && !s.tui {
			continue // reported when it happened
		}
		fmt.Fprintln(s.errOut, "scalelab: "+w.Summary())
	}
	s.writers, s.failed, s.closed = nil, nil, true
}
