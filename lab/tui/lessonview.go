package tui

import (
	"fmt"
	"slices"
	"time"

	"github.com/charmbracelet/bubbles/help"
	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/bubbles/viewport"
	tea "github.com/charmbracelet/bubbletea"

	"github.com/scalelab/scalelab/lab"
	"github.com/scalelab/scalelab/lab/lesson"
)

// LessonView is an open lesson: the step's prose, goal and hints in a
// pane beside (or above) the live dashboard, driven by a lesson.Attempt.
// This file carries out what the attempt asks — it runs its lines, feeds
// it snapshots, the learner's commands and keys, publishes its events and
// saves the learner's progress; lessonpane.go draws it.
type LessonView struct {
	env     *lessonEnv
	a       *lesson.Attempt
	prior   lesson.LessonProgress // the progress the lesson was opened with
	src     Source
	replay  func(lesson.Plan) error // rebuilds the lab to where a step began; nil: nothing to replay
	next    *lesson.Lesson          // the lesson after this one, if any
	session int

	dash     Dashboard
	bar      CommandBar
	help     help.Model
	quiz     QuizDialog
	quizStep int // the step the quiz dialog asks about

	runs      map[int]*batchRun // batches being run, by the attempt's batch id
	nextLine  int
	replaying bool   // the lab is being rebuilt; nothing else runs
	confirm   string // "restart" or "show" while the key waits to be pressed again
	status    string // a problem to show in the footer
	showHelp  bool
	initCmd   tea.Cmd

	// layout, computed on resize and when the lower part changes height
	w, h           int
	wide           bool
	paneW, paneH   int
	dashW, dashH   int
	innerW, innerH int
	lower          string // status, goal, hints, quiz; rendered on change
	vp             viewport.Model
	proseStep      int    // the step (or -1 for the summary) prose was rendered for
	prose          string // the step's rendered prose
	notes          string // hints and the quiz's outcome, shown under the prose
}

// batchRun is one batch of the attempt's lines, run one line at a time,
// each in its own Cmd, so a wait blocks its Cmd and never the UI. Several
// may run at once: a batch abandoned by a skip still runs to its end, as
// it did when the attempt journaled it.
type batchRun struct {
	id      int
	lines   []lesson.Line
	next    int // index of the line running now
	line    int // the running line's id, matched by its stepCmdMsg
	running string
}

type (
	// stepCmdMsg is one of a batch's lines finishing.
	stepCmdMsg struct {
		session, batch, line int
		err                  error
		at                   time.Duration
	}
	// replayedMsg is the end of rebuilding the lab.
	replayedMsg struct {
		session int
		err     error
		at      time.Duration
	}
	// leaveLessonMsg asks the root to close the lesson.
	leaveLessonMsg struct{ session int }
	// restartLessonMsg asks the root to rebuild the lesson's lab for the
	// attempt's current step.
	restartLessonMsg struct {
		session int
		attempt *lesson.Attempt
	}
	// nextLessonMsg asks the root to open the next lesson.
	nextLessonMsg struct {
		session int
		lesson  *lesson.Lesson
	}
)

// lessonOpen is what a lesson view is opened with.
type lessonOpen struct {
	attempt *lesson.Attempt
	src     Source
	replay  func(lesson.Plan) error
	next    *lesson.Lesson
	session int
}

// NewLessonView opens an attempt on a lab. When the attempt resumes past
// its first step (or restarts one), the lab is first rebuilt to where the
// step began, replaying what was done before it; then the step begins.
func NewLessonView(env *lessonEnv, o lessonOpen) LessonView {
	m := LessonView{
		env: env, a: o.attempt, prior: env.store.p.Lesson(o.attempt.Lesson().ID), src: o.src, replay: o.replay,
		next: o.next, session: o.session,
		dash: NewDashboard(o.src, env.common), bar: NewCommandBar(env.common), help: help.New(),
		runs: map[int]*batchRun{}, vp: viewport.New(0, 0), proseStep: -2,
	}
	m.help.ShowAll = true
	m.bar.SetTopology(m.dash.LabView().Topology)
	m.focusStep()
	if plan := m.a.Plan(); len(plan.Entries) > 0 && m.replay != nil {
		m.replaying = true
		m.initCmd = rebuild(m.replay, plan, o.src, m.session)
	} else {
		m.initCmd = m.apply(m.a.Begin(o.src.Since()))
	}
	return m
}

// rebuild replays plan on the lab off the UI goroutine.
func rebuild(replay func(lesson.Plan) error, plan lesson.Plan, src Source, session int) tea.Cmd {
	return func() tea.Msg {
		err := replay(plan)
		return replayedMsg{session: session, err: err, at: src.Since()}
	}
}

// Init starts the dashboard and the first lines.
func (m LessonView) Init() tea.Cmd { return tea.Batch(m.dash.Init(), m.initCmd) }

// Stop ends the dashboard's event reader. The lab is the caller's to stop.
func (m LessonView) Stop() { m.dash.Stop() }

// apply carries out what the attempt asked: its events go on the lab's
// bus (the session log and the events panel read them there), its lines
// start running, and progress is saved when anything was recorded.
func (m *LessonView) apply(eff lesson.Effects) tea.Cmd {
	var cmds []tea.Cmd
	for _, e := range eff.Events {
		m.src.Publish(e)
	}
	if b := eff.Run; b != nil {
		r := &batchRun{id: b.ID, lines: b.Lines}
		m.runs[b.ID] = r
		cmds = append(cmds, m.runLine(r))
	}
	if len(eff.Events) > 0 {
		m.env.store.p.Set(m.a.Lesson().ID, m.a.Progress(m.prior))
		cmds = append(cmds, m.env.store.changed())
	}
	m.afterChange()
	return tea.Batch(cmds...)
}

// runLine starts r's next line.
func (m *LessonView) runLine(r *batchRun) tea.Cmd {
	m.nextLine++
	r.line = m.nextLine
	ln := r.lines[r.next]
	r.running = ln.Cmd.Line
	src, session, batch, id := m.src, m.session, r.id, r.line
	return func() tea.Msg {
		err := src.Exec(ln.Cmd.Line, lab.SourceLesson)
		if err != nil {
			err = fmt.Errorf("line %d: %s: %w", ln.N, ln.Cmd.Line, err)
		}
		return stepCmdMsg{session: session, batch: batch, line: id, err: err, at: src.Since()}
	}
}

// lineDone advances the batch a line belonged to, and tells the attempt
// when the batch has finished.
func (m *LessonView) lineDone(msg stepCmdMsg) tea.Cmd {
	r, ok := m.runs[msg.batch]
	if !ok || r.line != msg.line {
		return nil
	}
	r.next++
	if msg.err == nil && r.next < len(r.lines) {
		return m.runLine(r)
	}
	delete(m.runs, r.id)
	return m.apply(m.a.Ran(r.id, msg.err, msg.at))
}

// focusStep puts the step's panel in focus (the one it names, or the one
// that draws most of its checks), zoomed when the dashboard is small.
func (m *LessonView) focusStep() {
	st := m.a.Current()
	id := st.Panel
	if id == "" {
		var metrics []string
		for _, e := range st.Expects {
			metrics = append(metrics, e.Expect.Metric)
		}
		id, _ = panelFor(metrics)
	}
	if id != "" {
		m.dash.Focus(id)
	}
	m.dash.Zoom(!m.wide)
}

// afterChange brings the quiz, prose, focus and pane in line with the
// attempt after any input.
func (m *LessonView) afterChange() {
	if st := m.a.Step(); st != m.quizStep || m.quiz.quiz != m.a.Current().Quiz {
		m.quizStep = st
		m.quiz = NewQuizDialog(m.env.common, m.env.keys, m.a.Current().Quiz)
		m.quiz.SetWidth(m.innerW)
		m.focusStep()
	}
	if c := m.a.QuizAnswer(); c > 0 && m.quiz.Choice() == 0 {
		m.quiz.Lock(c)
	}
	if m.a.Phase() == lesson.PhaseReached {
		m.quiz.Reveal()
	}
	m.setProse()
	m.refresh()
}

// Update routes a message: keys (lesson keys first, then the dashboard),
// the attempt's lines, snapshots, and the dashboard's own messages.
func (m LessonView) Update(msg tea.Msg) (LessonView, tea.Cmd) {
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		m.w, m.h = msg.Width, msg.Height
		m.layout()
		return m, nil
	case viewMsg:
		if msg.dash != m.dash.id {
			return m, nil
		}
		var cmd tea.Cmd
		if !m.replaying {
			cmd = m.apply(m.a.Observe(msg.view.Snapshot))
		}
		dcmd := m.dash.Update(msg)
		m.bar.SetTopology(m.dash.LabView().Topology)
		m.refresh()
		return m, tea.Batch(cmd, dcmd)
	case execMsg:
		if msg.dash == m.dash.id && msg.err == nil {
			m.a.Acted(msg.line, msg.source, msg.at)
		}
		m.bar, _ = m.bar.Update(msg)
		cmd := m.dash.Update(msg)
		m.refresh()
		return m, cmd
	case runLineMsg:
		return m, m.dash.Run(msg.line, lab.SourceTyped)
	case stepCmdMsg:
		if msg.session != m.session {
			return m, nil
		}
		return m, m.lineDone(msg)
	case replayedMsg:
		if msg.session != m.session || !m.replaying {
			return m, nil
		}
		m.replaying = false
		if msg.err != nil {
			m.status = "rebuilding the lab: " + msg.err.Error()
		}
		return m, m.apply(m.a.Begin(msg.at))
	case tea.KeyMsg:
		if msg.Type == tea.KeyRunes && len(msg.Runes) > 1 && !msg.Paste && !m.bar.Active() && !m.showHelp {
			return typeRunes(m, msg.Runes, LessonView.barOpen, LessonView.handleKey)
		}
		return m.handleKey(msg)
	}
	return m, passOn(&m.dash, &m.bar, msg)
}

func (m LessonView) barOpen() bool { return m.bar.Active() }

func (m LessonView) handleKey(k tea.KeyMsg) (LessonView, tea.Cmd) {
	keys, dk := m.env.keys, m.env.common.Keys
	if m.bar.Active() {
		var cmd tea.Cmd
		m.bar, cmd = m.bar.Update(k)
		return m, cmd
	}
	if m.showHelp {
		m.showHelp = false // any key closes help
		return m, nil
	}
	confirm := m.confirm
	m.confirm = ""
	at := m.src.Since()
	var cmd tea.Cmd
	switch {
	case owns(k, keys.Leave):
		session := m.session
		return m, func() tea.Msg { return leaveLessonMsg{session} }
	case key.Matches(k, dk.Help):
		m.showHelp = true
		return m, nil
	case m.replaying:
		return m, nil // the lab is being rebuilt: nothing else may run on it
	case key.Matches(k, dk.Command):
		return m, m.bar.Open()
	case m.a.Phase() == lesson.PhaseQuiz && key.Matches(k, keys.QuizUp, keys.QuizDown, keys.QuizPick, keys.QuizLock):
		m.quiz, _ = m.quiz.Update(k)
		if !m.quiz.Asking() {
			cmd = m.apply(m.a.Answer(m.quiz.Choice(), at))
		}
	case m.a.Phase() == lesson.PhaseDone && key.Matches(k, keys.NextLesson) && m.next != nil:
		session, next := m.session, m.next
		return m, func() tea.Msg { return nextLessonMsg{session, next} }
	case owns(k, keys.NextStep):
		cmd = m.apply(m.a.Next(at))
	case owns(k, keys.SkipStep):
		cmd = m.apply(m.a.Skip(at))
	case owns(k, keys.Hint):
		cmd = m.apply(m.a.Hint(at))
	case owns(k, keys.Show):
		if confirm != "show" {
			m.confirm = "show"
			break
		}
		eff, err := m.a.Show(at)
		if err != nil {
			m.status = err.Error()
		}
		cmd = m.apply(eff)
	case owns(k, keys.Restart):
		if confirm != "restart" {
			m.confirm = "restart"
			break
		}
		_, eff := m.a.Restart(at)
		for _, e := range eff.Events {
			m.src.Publish(e)
		}
		m.env.store.p.Set(m.a.Lesson().ID, m.a.Progress(m.prior))
		session, a := m.session, m.a
		return m, tea.Batch(m.env.store.changed(), func() tea.Msg { return restartLessonMsg{session, a} })
	case key.Matches(k, keys.ProseUp):
		m.vp.ViewUp()
	case key.Matches(k, keys.ProseDown):
		m.vp.ViewDown()
	default:
		return m, m.dash.Update(k)
	}
	m.refresh()
	return m, cmd
}

// owns reports whether k is one of b's keys, enabled or not: a lesson key
// that does nothing right now must still not fall through to the
// dashboard (h with no hint left must not hang a server).
func owns(k tea.KeyMsg, b key.Binding) bool { return slices.Contains(b.Keys(), k.String()) }

// enableKeys enables the bindings that do something now, so help shows
// only those.
func (m *LessonView) enableKeys() {
	k := m.env.keys
	ph := m.a.Phase()
	busy := m.replaying
	k.NextStep.SetEnabled(!busy && ph == lesson.PhaseReached)
	k.SkipStep.SetEnabled(!busy && ph != lesson.PhaseDone)
	k.Hint.SetEnabled(!busy && ph != lesson.PhaseDone && m.a.Hints() < len(m.a.Current().Hints))
	k.Show.SetEnabled(!busy && ph == lesson.PhaseWatch && m.a.Current().Task() && !m.a.Showing())
	k.Restart.SetEnabled(!busy && ph != lesson.PhaseDone && m.replay != nil)
	k.NextLesson.SetEnabled(ph == lesson.PhaseDone && m.next != nil)
	asking := !busy && ph == lesson.PhaseQuiz
	for _, b := range []*key.Binding{&k.QuizUp, &k.QuizDown, &k.QuizPick, &k.QuizLock} {
		b.SetEnabled(asking)
	}
	k.ProseUp.SetEnabled(m.vp.Height > 0 && !m.vp.AtTop())
	k.ProseDown.SetEnabled(m.vp.Height > 0 && !m.vp.AtBottom())
	if ph == lesson.PhaseReached && m.a.Step() == len(m.a.Lesson().Steps)-1 {
		k.NextStep.SetHelp("n", "finish")
	} else {
		k.NextStep.SetHelp("n", "next step")
	}
}

// keyMap is the help of a lesson: its own keys first, then the
// dashboard's and the focused panel's that no lesson key takes over.
func (m LessonView) keyMap() lessonHelp { return lessonHelp{m.env.keys, m.env.common.Keys, &m.dash} }

// lessonHelp is a help.KeyMap over the lesson's keys and the dashboard's.
type lessonHelp struct {
	lk   *LessonKeyMap
	dk   *KeyMap
	dash *Dashboard
}

func (h lessonHelp) own() []key.Binding {
	k := h.lk
	return []key.Binding{k.QuizUp, k.QuizDown, k.QuizPick, k.QuizLock, k.NextLesson, k.NextStep, k.Hint, k.Show, k.Restart, k.SkipStep, k.ProseUp, k.ProseDown, k.Leave}
}

// ShortHelp is the footer's line.
func (h lessonHelp) ShortHelp() []key.Binding {
	k := h.lk
	return []key.Binding{k.QuizPick, k.QuizLock, k.NextLesson, k.NextStep, k.Hint, k.Show, k.Restart, k.SkipStep, h.dk.Command, h.dk.Help, k.ProseDown, k.Leave}
}

// FullHelp is the help screen, in columns: the lesson's keys, then the
// dashboard's without those a lesson key shadows.
func (h lessonHelp) FullHelp() [][]key.Binding {
	own := append(h.own(), h.lk.ForceQuit)
	k := h.lk
	taken := map[string]bool{}
	for _, b := range own {
		always := slices.ContainsFunc([]key.Binding{k.NextStep, k.SkipStep, k.Hint, k.Show, k.Restart, k.Leave, k.ForceQuit}, func(a key.Binding) bool {
			return slices.Equal(a.Keys(), b.Keys())
		})
		if always || b.Enabled() {
			for _, key := range b.Keys() {
				taken[key] = true
			}
		}
	}
	cols := [][]key.Binding{own}
	for _, col := range h.dash.FullHelp() {
		cols = append(cols, slices.DeleteFunc(slices.Clone(col), func(b key.Binding) bool {
			return slices.ContainsFunc(b.Keys(), func(k string) bool { return taken[k] })
		}))
	}
	return cols
}
