package tui

import (
	"errors"
	"fmt"
	"sync"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/muesli/termenv"

	"github.com/scalelab/scalelab/lab"
	"github.com/scalelab/scalelab/lab/lesson"
)

// RunLessons shows the lesson picker for set; enter opens a lesson on a
// new lab built by newLab for it (from the lesson's preset), q leaves it (the lab
// is stopped, progress kept) and q in the picker quits. Progress is read
// from and saved to progressPath as it changes ("" keeps it in memory). A
// progress file that cannot be read is reported in the picker and treated
// as empty. The terminal is restored on every exit, as Run does.
func RunLessons(set *lesson.Set, newLab func(*lesson.Lesson) (*lab.Lab, error), progressPath string, opt Options) error {
	return runLessons(set, nil, newLab, progressPath, opt)
}

// RunLesson opens one lesson directly, as RunLessons does after enter;
// leaving it quits.
func RunLesson(ls *lesson.Lesson, newLab func(*lesson.Lesson) (*lab.Lab, error), progressPath string, opt Options) error {
	return runLessons(&lesson.Set{Lessons: []*lesson.Lesson{ls}}, ls, newLab, progressPath, opt)
}

func runLessons(set *lesson.Set, direct *lesson.Lesson, newLab func(*lesson.Lesson) (*lab.Lab, error), progressPath string, opt Options) (err error) {
	if opt.NoColor {
		lipgloss.SetColorProfile(termenv.Ascii)
	}
	app, env := lessonsFor(set, direct, newLab, progressPath, opt)
	defer func() {
		// Stop whatever is still running (a lab being built when q was
		// pressed included) and write the last progress.
		app.labs.stopAll()
		err = errors.Join(err, env.store.flush())
	}()
	final, err := runProgram(app, "lessons", opt)
	if fa, ok := final.(lessonsApp); ok {
		err = errors.Join(err, fa.err)
	}
	return err
}

// NewLessonsProgram is the lesson picker for set as a Program, for a
// runner that runs it on a terminal of its own (an SSH session; see
// Options.Renderer and ProgramOptions). Finish stops every lab it started
// and saves the progress.
func NewLessonsProgram(set *lesson.Set, newLab func(*lesson.Lesson) (*lab.Lab, error), progressPath string, opt Options) *Program {
	app, env := lessonsFor(set, nil, newLab, progressPath, opt)
	return newProgram(app, opt, func() error {
		app.labs.stopAll()
		return env.store.flush()
	})
}

// lessonsFor builds the lessons app: the learner's progress read from
// progressPath, the styles and the prose renderer for the terminal.
func lessonsFor(set *lesson.Set, direct *lesson.Lesson, newLab func(*lesson.Lesson) (*lab.Lab, error), progressPath string, opt Options) (lessonsApp, *lessonEnv) {
	progress, loadErr := lesson.NewProgress(), error(nil)
	if progressPath != "" {
		progress, loadErr = lesson.LoadProgress(progressPath)
	}
	dark, profile := true, lipgloss.ColorProfile()
	switch {
	case opt.Renderer != nil:
		dark, profile = opt.Renderer.HasDarkBackground(), opt.Renderer.ColorProfile()
	case !opt.NoColor:
		dark = lipgloss.HasDarkBackground() // asks the terminal: before the program owns it
	}
	if opt.NoColor {
		profile = termenv.Ascii
	}
	env := newLessonEnv(&Common{Styles: opt.styles(), Keys: DefaultKeyMap()}, newProgressStore(progressPath, progress), newProseRenderer(profile, dark))
	app := newLessonsApp(env, set, newLab, direct)
	if loadErr != nil {
		app.picker.SetStatus(loadErr.Error(), false)
	}
	return app, env
}

// lessonEnv is what every lesson screen shares, built once per program.
type lessonEnv struct {
	common *Common
	keys   *LessonKeyMap
	store  *progressStore
	prose  *proseRenderer
}

func newLessonEnv(c *Common, store *progressStore, prose *proseRenderer) *lessonEnv {
	return &lessonEnv{common: c, keys: DefaultLessonKeyMap(), store: store, prose: prose}
}

// progressStore owns the learner's progress on the UI goroutine and saves
// a copy of it in a Cmd after each change. Saves carry a version so an
// older one finishing late never overwrites a newer one.
type progressStore struct {
	path    string
	p       *lesson.Progress
	version int
	err     string // the last save's problem, shown until a save succeeds
	writer  *progressWriter
}

// progressSavedMsg is a save's outcome.
type progressSavedMsg struct {
	version int
	err     error
}

func newProgressStore(path string, p *lesson.Progress) *progressStore {
	return &progressStore{path: path, p: p, writer: &progressWriter{}}
}

// changed saves the progress as it is now, in a Cmd (nil without a path).
func (s *progressStore) changed() tea.Cmd {
	if s.path == "" {
		return nil
	}
	s.version++
	v, snapshot, path, w := s.version, s.p.Clone(), s.path, s.writer
	return func() tea.Msg { return progressSavedMsg{v, w.write(path, snapshot, v)} }
}

// saved records a save's outcome.
func (s *progressStore) saved(msg progressSavedMsg) {
	if msg.err != nil {
		s.err = "saving progress: " + msg.err.Error()
	} else if msg.version == s.version {
		s.err = ""
	}
}

// flush writes the latest progress now, unless it is already written.
// Call it after the program ends.
func (s *progressStore) flush() error {
	if s.path == "" || s.version == 0 {
		return nil
	}
	return s.writer.write(s.path, s.p.Clone(), s.version)
}

// progressWriter writes progress files one at a time, newest version wins.
type progressWriter struct {
	mu      sync.Mutex
	written int
}

func (w *progressWriter) write(path string, p *lesson.Progress, version int) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	if version <= w.written {
		return nil
	}
	if err := p.Save(path); err != nil {
		return err
	}
	w.written = version
	return nil
}

// labKeeper knows every lab the lessons started, so all are stopped when
// the program ends, even one whose Cmd was still building it. Each lab may
// carry its dashboard's stop function.
type labKeeper struct {
	mu     sync.Mutex
	labs   map[*lab.Lab]func()
	closed bool
}

// add registers l; false means the program has ended and l must be stopped.
func (k *labKeeper) add(l *lab.Lab) bool {
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.closed {
		return false
	}
	if k.labs == nil {
		k.labs = map[*lab.Lab]func(){}
	}
	k.labs[l] = nil
	return true
}

// attach sets the function that stops l's dashboard.
func (k *labKeeper) attach(l *lab.Lab, stop func()) {
	k.mu.Lock()
	defer k.mu.Unlock()
	if _, ok := k.labs[l]; ok {
		k.labs[l] = stop
	}
}

// detach takes l's dashboard stop function back, to call it now.
func (k *labKeeper) detach(l *lab.Lab) func() {
	k.mu.Lock()
	defer k.mu.Unlock()
	stop := k.labs[l]
	if stop != nil {
		k.labs[l] = nil
	}
	return stop
}

// stop stops l and forgets it.
func (k *labKeeper) stop(l *lab.Lab) {
	l.Stop()
	k.mu.Lock()
	delete(k.labs, l)
	k.mu.Unlock()
}

// stopAll stops every lab still known, and refuses new ones.
func (k *labKeeper) stopAll() {
	k.mu.Lock()
	k.closed = true
	labs := k.labs
	k.labs = nil
	k.mu.Unlock()
	for l, stop := range labs {
		if stop != nil {
			stop()
		}
		l.Stop() // idempotent; waits for a Stop already under way
	}
}

type (
	// labBuiltMsg is a lesson's new lab, or why there is none, and the
	// attempt it is for (nil: a new attempt from the saved progress).
	labBuiltMsg struct {
		lesson  *lesson.Lesson
		attempt *lesson.Attempt
		lab     *lab.Lab
		err     error
	}
	labStoppedMsg struct{}
)

// buildLab builds a lesson's lab off the UI goroutine.
func buildLab(newLab func(*lesson.Lesson) (*lab.Lab, error), labs *labKeeper, ls *lesson.Lesson, a *lesson.Attempt) tea.Cmd {
	return func() tea.Msg {
		l, err := newLab(ls)
		if err != nil {
			return labBuiltMsg{lesson: ls, attempt: a, err: fmt.Errorf("lesson %s: preset %s: %w", ls.ID, ls.Preset, err)}
		}
		if !labs.add(l) {
			l.Stop()
			return nil
		}
		return labBuiltMsg{lesson: ls, attempt: a, lab: l}
	}
}

// replayer rebuilds a plan on l at the replay speed, then puts the clock
// back at the speed it had.
func replayer(l *lab.Lab) func(lesson.Plan) error {
	return func(p lesson.Plan) error {
		speed := l.Clock().Speed()
		_ = l.Exec(fmt.Sprintf("speed %gx", float64(lesson.ReplaySpeed)), lab.SourceReplay)
		err := lesson.Replay(l, p)
		_ = l.Exec(fmt.Sprintf("speed %gx", speed), lab.SourceReplay)
		return err
	}
}

// stopLab stops a closed lesson's lab off the UI goroutine (Stop waits for
// the lab's goroutines).
func stopLab(labs *labKeeper, l *lab.Lab) tea.Cmd {
	return func() tea.Msg {
		labs.stop(l)
		return labStoppedMsg{}
	}
}

// lessonsApp is the root of the lessons program: the picker, or an open
// lesson on its own lab. It routes ctrl+c first, then the lesson's
// lifecycle messages, then everything else to the screen showing.
type lessonsApp struct {
	env    *lessonEnv
	newLab func(*lesson.Lesson) (*lab.Lab, error)
	labs   *labKeeper
	picker Picker

	lv      LessonView
	open    bool     // a lesson is showing
	lab     *lab.Lab // its lab
	opening bool     // a lab is being built
	session int      // counts lessons opened, to tell their messages apart

	set    *lesson.Set
	direct *lesson.Lesson // RunLesson's lesson: opened at start, leaving quits
	err    error          // why the direct lesson could not open
	w, h   int
}

func newLessonsApp(env *lessonEnv, set *lesson.Set, newLab func(*lesson.Lesson) (*lab.Lab, error), direct *lesson.Lesson) lessonsApp {
	return lessonsApp{env: env, newLab: newLab, labs: &labKeeper{}, picker: NewPicker(env, set), set: set, direct: direct}
}

// nextLesson is the lesson after ls in the set's order, or nil.
func (a lessonsApp) nextLesson(ls *lesson.Lesson) *lesson.Lesson {
	for i, l := range a.set.Lessons {
		if l == ls && i+1 < len(a.set.Lessons) {
			return a.set.Lessons[i+1]
		}
	}
	return nil
}

// Init opens the direct lesson, if any.
func (a lessonsApp) Init() tea.Cmd {
	if l := a.direct; l != nil {
		return func() tea.Msg { return openLessonMsg{l} }
	}
	return nil
}

// Update routes a message.
func (a lessonsApp) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		a.w, a.h = msg.Width, msg.Height
		a.picker.SetSize(a.w, a.h)
		if a.open {
			a.lv, _ = a.lv.Update(msg)
		}
		return a, nil
	case tea.KeyMsg:
		if key.Matches(msg, a.env.keys.ForceQuit) {
			return a, tea.Quit
		}
	case openLessonMsg:
		if a.open || a.opening {
			return a, nil
		}
		a.opening = true
		a.picker.SetStatus(fmt.Sprintf("starting a %s lab for %q …", msg.lesson.Preset, msg.lesson.Title), true)
		return a, buildLab(a.newLab, a.labs, msg.lesson, nil)
	case restartLessonMsg:
		if !a.open || msg.session != a.session {
			return a, nil
		}
		// Close this lab and build another, on which the attempt's step
		// is rebuilt and begun again.
		ls := msg.attempt.Lesson()
		a, stop := a.closeLesson()
		a.opening = true
		return a, tea.Batch(stop, buildLab(a.newLab, a.labs, ls, msg.attempt))
	case nextLessonMsg:
		if !a.open || msg.session != a.session || msg.lesson == nil {
			return a, nil
		}
		a, stop := a.closeLesson()
		ls := msg.lesson
		return a, tea.Batch(stop, a.picker.Refresh(), func() tea.Msg { return openLessonMsg{ls} })
	case labBuiltMsg:
		a.opening = false
		if msg.err != nil {
			if a.direct != nil {
				a.err = msg.err
				return a, tea.Quit
			}
			a.picker.SetStatus(msg.err.Error(), false)
			return a, nil
		}
		a.session++
		a.lab, a.open = msg.lab, true
		att := msg.attempt
		if att == nil {
			att = lesson.NewAttempt(msg.lesson, a.env.store.p.Lesson(msg.lesson.ID))
		}
		a.lv = NewLessonView(a.env, lessonOpen{attempt: att, src: msg.lab, replay: replayer(msg.lab), next: a.nextLesson(msg.lesson), session: a.session})
		a.labs.attach(msg.lab, a.lv.Stop)
		a.lv, _ = a.lv.Update(tea.WindowSizeMsg{Width: a.w, Height: a.h})
		a.picker.SetStatus("", true)
		// Bubble Tea redraws only the lines that changed; clearing makes it
		// draw the whole lesson, so a recording that starts with this
		// lesson's log (--record) has every line of it.
		return a, tea.Batch(tea.ClearScreen, a.lv.Init())
	case leaveLessonMsg:
		if !a.open || msg.session != a.session {
			return a, nil
		}
		return a.leave()
	case progressSavedMsg:
		a.env.store.saved(msg)
		return a, nil
	case labStoppedMsg:
		return a, nil
	}
	var cmd tea.Cmd
	if a.open {
		a.lv, cmd = a.lv.Update(msg)
	} else {
		a.picker, cmd = a.picker.Update(msg)
	}
	return a, cmd
}

// leave closes the open lesson: its dashboard stops now, its lab in a Cmd,
// and the picker shows the new progress.
func (a lessonsApp) leave() (tea.Model, tea.Cmd) {
	a, stop := a.closeLesson()
	if a.direct != nil {
		return a, tea.Batch(stop, tea.Quit)
	}
	return a, tea.Batch(stop, a.picker.Refresh())
}

// closeLesson closes the open lesson: its dashboard stops now, its lab in
// the Cmd returned.
func (a lessonsApp) closeLesson() (lessonsApp, tea.Cmd) {
	if stop := a.labs.detach(a.lab); stop != nil {
		stop()
	}
	stop := stopLab(a.labs, a.lab)
	a.open, a.lab, a.lv = false, nil, LessonView{}
	return a, stop
}

// View is the screen showing.
func (a lessonsApp) View() string {
	if a.open {
		return a.lv.View()
	}
	if a.w == 0 {
		return ""
	}
	return a.picker.View()
}
