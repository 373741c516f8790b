package tui

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/charmbracelet/bubbles/help"
	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/bubbles/viewport"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/glamour"
	glamouransi "github.com/charmbracelet/glamour/ansi"
	"github.com/charmbracelet/glamour/styles"
	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/ansi"
	"github.com/muesli/termenv"

	"github.com/scalelab/scalelab/lab"
	"github.com/scalelab/scalelab/lab/lesson"
)

// stepState is where the current step is. Transitions:
//
//	quiz ──enter locks a choice──▶ running ──last command done──▶ checking ──all checks hold at once──▶ passed ──n──▶ next step
//	                                  └──a command failed──▶ failed
//	any state ──N──▶ next step (the step's remaining commands still run, waits dropped)
//
// A step with no quiz, or whose quiz was answered in an earlier session,
// starts in running; after the last step, n (or N) shows the summary.
type stepState int

const (
	stateQuiz stepState = iota
	stateRunning
	stateChecking
	statePassed
	stateFailed
	stateComplete
)

func (s stepState) String() string {
	return [...]string{"quiz", "running", "checking", "passed", "failed", "complete"}[s]
}

// outcome is how a step ended, for the summary.
type outcome int

const (
	outcomeNotReached outcome = iota
	outcomePassed
	outcomeSkipped
	outcomeEarlier // passed in an earlier session; replayed, not re-checked
)

// stepRecord is what the summary says about a step.
type stepRecord struct {
	outcome outcome
	after   time.Duration  // lab time from its commands starting to its pass (or skip)
	checks  []lesson.Check // at that moment
	quiz    int            // the choice locked in, 0 for none
	hints   int
}

// queuedLine is a step's command waiting to run. Commands run one at a
// time, each in its own Cmd, so a `wait` blocks that Cmd, never the UI.
type queuedLine struct {
	step   int
	line   lesson.Line
	replay bool // applied for its effect only: a passed or skipped step
}

type (
	// stepCmdMsg is a step command's outcome.
	stepCmdMsg struct {
		session, id int
		err         error
		at          time.Duration // lab time after it ran, when the source tells
	}
	// leaveLessonMsg asks the root to close the lesson.
	leaveLessonMsg struct{ session int }
)

// LessonView is an open lesson: the step's prose (rendered once per step
// and width), its checklist with live values, hints, quiz and a summary at
// the end, beside the live dashboard with the panel the step is about in
// focus. It reads each step's checks from the snapshots the dashboard's
// own tick fetches: there is no second polling loop.
type LessonView struct {
	env     *lessonEnv
	lesson  *lesson.Lesson
	src     Source
	session int

	dash Dashboard
	bar  CommandBar
	help help.Model

	step    int
	state   stepState
	quiz    QuizDialog
	hints   int // revealed for the current step
	snap    lab.Snapshot
	checks  []lesson.Check
	started time.Duration // lab time the step's commands started
	settled time.Duration // lab time its last command finished
	cmdErr  string
	status  string // replay problems
	records []stepRecord

	queue    []queuedLine
	current  queuedLine // running now, when inflight != 0
	inflight int
	nextID   int
	initCmd  tea.Cmd

	showHelp bool

	// layout, computed on resize and when the lower part changes height
	w, h           int
	wide           bool
	paneW, paneH   int
	dashW, dashH   int
	innerW, innerH int
	mapH           int
	lower          string // status, checklist, hints, quiz; rendered on change
	vp             viewport.Model
}

// NewLessonView opens ls on src (a lab built from the lesson's preset). It
// resumes at the first step the progress has not seen pass: the commands
// of the steps before it are replayed for their effect (waits dropped,
// checks not waited for), then that step starts. A lesson whose steps all
// passed starts over.
func NewLessonView(env *lessonEnv, ls *lesson.Lesson, src Source, session int) LessonView {
	m := LessonView{
		env: env, lesson: ls, src: src, session: session,
		dash: NewDashboard(src, env.common), bar: NewCommandBar(env.common), help: help.New(),
		records: make([]stepRecord, len(ls.Steps)),
		vp:      viewport.New(0, 0),
	}
	m.help.ShowAll = true
	m.snap = m.dash.LabView().Snapshot
	m.bar.SetTopology(m.dash.LabView().Topology)
	lp := env.store.p.Lesson(ls.ID)
	start := lp.Resume(len(ls.Steps))
	for i := range start {
		m.records[i] = stepRecord{outcome: outcomeEarlier, quiz: lp.Quiz[i], hints: lp.Hints[i]}
		m.enqueue(i, true)
	}
	m.initCmd = m.startStep(start)
	return m
}

// Init starts the dashboard and the first command.
func (m LessonView) Init() tea.Cmd {
	return tea.Batch(m.dash.Init(), m.initCmd)
}

// Stop ends the dashboard's event reader. The lab is the caller's to stop.
func (m LessonView) Stop() { m.dash.Stop() }

// labClock is what *lab.Lab offers to date a command's end.
type labClock interface{ Since() time.Duration }

// publisher is what *lab.Lab offers to put lesson progress on its bus,
// where the session log (and the events panel) read it.
type publisher interface{ Publish(lab.Event) }

// note publishes a lesson progress event about the current step. It only
// appends to the bus's queues: no I/O happens here.
func (m *LessonView) note(what string, e lab.Event) {
	if p, ok := m.src.(publisher); ok {
		e.Kind, e.Lesson, e.Step, e.What = lab.KindLesson, m.lesson.ID, m.step+1, what
		p.Publish(e)
	}
}

// execLine runs one step command off the UI goroutine.
func execLine(src Source, session, id int, line string) tea.Cmd {
	return func() tea.Msg {
		err := src.Exec(line, lab.SourceLesson)
		msg := stepCmdMsg{session: session, id: id, err: err}
		if c, ok := src.(labClock); ok {
			msg.at = c.Since()
		}
		return msg
	}
}

// enqueue queues step's commands; a replay drops its waits.
func (m *LessonView) enqueue(step int, replay bool) {
	for _, ln := range m.lesson.Steps[step].Commands {
		if _, wait := ln.Cmd.Wait(); wait && replay {
			continue
		}
		m.queue = append(m.queue, queuedLine{step: step, line: ln, replay: replay})
	}
}

// dispatch starts the next queued command when none is running.
func (m *LessonView) dispatch() tea.Cmd {
	if m.inflight != 0 || len(m.queue) == 0 {
		return nil
	}
	m.current, m.queue = m.queue[0], m.queue[1:]
	m.nextID++
	m.inflight = m.nextID
	return execLine(m.src, m.session, m.inflight, m.current.line.Cmd.Line)
}

// pending reports whether any of the current step's own commands are
// queued or running.
func (m *LessonView) pending() bool {
	if m.inflight != 0 && m.current.step == m.step && !m.current.replay {
		return true
	}
	return slices.ContainsFunc(m.queue, func(q queuedLine) bool { return q.step == m.step && !q.replay })
}

// settle moves a running step to checking once its commands are done.
func (m *LessonView) settle(at time.Duration) {
	if m.state == stateRunning && !m.pending() {
		m.state = stateChecking
		m.settled = max(at, m.snap.T)
	}
}

func (m *LessonView) cur() *lesson.Step { return &m.lesson.Steps[m.step] }

// startStep makes step i current: its prose, its panel, its hints so far,
// and its quiz, or its commands when there is no quiz to ask.
func (m *LessonView) startStep(i int) tea.Cmd {
	st := &m.lesson.Steps[i]
	lp := m.env.store.p.Lesson(m.lesson.ID)
	m.step, m.cmdErr, m.checks = i, "", nil
	m.note(lab.LessonStarted, lab.Event{})
	m.hints = min(lp.Hints[i], len(st.Hints))
	m.records[i] = stepRecord{hints: m.hints}
	m.quiz = NewQuizDialog(m.env.common, m.env.keys, st.Quiz)
	m.quiz.SetWidth(m.innerW)
	if st.Quiz != nil {
		m.quiz.Lock(lp.Quiz[i])
	}
	if id, ok := stepPanel(st); ok {
		m.focusPanel(id)
	}
	m.setProse()
	var cmd tea.Cmd
	if m.quiz.Asking() {
		m.state = stateQuiz
		cmd = m.dispatch() // replays may be queued
	} else {
		m.records[i].quiz = m.quiz.Choice()
		cmd = m.beginCommands()
	}
	m.refresh()
	return cmd
}

// beginCommands queues the current step's commands and starts them.
func (m *LessonView) beginCommands() tea.Cmd {
	m.state = stateRunning
	m.started = m.snap.T
	m.checks = m.cur().Checks(m.snap)
	m.enqueue(m.step, false)
	cmd := m.dispatch()
	m.settle(0)
	return cmd
}

// observe takes the snapshot the dashboard just fetched: the checks are
// read from it, and the pass latches when all hold at once.
func (m *LessonView) observe(v lab.View) tea.Cmd {
	m.snap = v.Snapshot
	switch m.state {
	case stateRunning, stateChecking, stateFailed:
		m.checks = m.cur().Checks(v.Snapshot)
	default:
		return nil
	}
	if m.state != stateChecking || v.T < m.settled || !allHold(m.checks) {
		return nil
	}
	m.state = statePassed
	m.note(lab.LessonPassed, lab.Event{})
	m.records[m.step].outcome = outcomePassed
	m.records[m.step].after = v.T - m.started
	m.records[m.step].checks = slices.Clone(m.checks)
	m.quiz.Reveal()
	m.env.store.p.Pass(m.lesson.ID, m.step)
	return m.env.store.changed()
}

func allHold(cs []lesson.Check) bool {
	for _, c := range cs {
		if !c.Holds {
			return false
		}
	}
	return true
}

// next moves on from the current step: to the next, or to the summary.
func (m *LessonView) next() tea.Cmd {
	if m.step+1 < len(m.lesson.Steps) {
		return m.startStep(m.step + 1)
	}
	m.state = stateComplete
	m.note(lab.LessonDone, lab.Event{})
	m.env.store.p.Finish(m.lesson.ID)
	m.setSummary()
	m.refresh()
	return m.env.store.changed()
}

// skip leaves the current step unpassed and moves on. Its commands still
// apply (waits dropped), so later steps find the lab they expect.
func (m *LessonView) skip() tea.Cmd {
	rec := &m.records[m.step]
	if m.state != statePassed {
		m.note(lab.LessonSkipped, lab.Event{})
		rec.outcome = outcomeSkipped
		rec.checks = slices.Clone(m.checks)
		if m.state != stateQuiz {
			rec.after = m.snap.T - m.started
		}
	}
	if m.state == stateQuiz {
		m.enqueue(m.step, true)
	}
	var kept []queuedLine
	for _, q := range m.queue {
		if q.step == m.step {
			if _, wait := q.line.Cmd.Wait(); wait {
				continue
			}
			q.replay = true
		}
		kept = append(kept, q)
	}
	m.queue = kept
	if m.inflight != 0 && m.current.step == m.step {
		if _, wait := m.current.line.Cmd.Wait(); wait {
			m.inflight = 0 // let it sleep; its result will be ignored
		}
	}
	return tea.Batch(m.next(), m.dispatch())
}

// Update routes a message: keys (lesson keys first, then the dashboard),
// step command results, and the dashboard's own messages.
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
		cmd := m.observe(msg.view)
		m.refresh()
		dcmd := m.dash.Update(msg)
		m.bar.SetTopology(m.dash.LabView().Topology)
		return m, tea.Batch(cmd, dcmd)
	case runLineMsg:
		return m, m.dash.Run(msg.line, lab.SourceTyped)
	case stepCmdMsg:
		if msg.session != m.session || msg.id != m.inflight || msg.id == 0 {
			return m, nil // a skipped wait, or another lesson's
		}
		q := m.current
		m.inflight = 0
		if msg.err != nil {
			err := fmt.Sprintf("line %d: %s: %v", q.line.N, q.line.Cmd.Line, msg.err)
			if q.step == m.step && !q.replay && m.state == stateRunning {
				m.state, m.cmdErr = stateFailed, err
				m.queue = slices.DeleteFunc(m.queue, func(x queuedLine) bool { return x.step == m.step && !x.replay })
			} else {
				m.status = fmt.Sprintf("step %d: %s", q.step+1, err)
			}
		}
		cmd := m.dispatch()
		m.settle(msg.at)
		m.refresh()
		return m, cmd
	case tea.KeyMsg:
		if msg.Type == tea.KeyRunes && len(msg.Runes) > 1 && !msg.Paste && !m.bar.Active() && !m.showHelp {
			return typeRunes(m, msg.Runes, LessonView.barOpen, LessonView.handleKey)
		}
		return m.handleKey(msg)
	}
	cmd := m.dash.Update(msg)
	if m.bar.Active() {
		var bcmd tea.Cmd
		m.bar, bcmd = m.bar.Update(msg) // the cursor blinks
		cmd = tea.Batch(cmd, bcmd)
	}
	return m, cmd
}

func (m LessonView) barOpen() bool { return m.bar.Active() }

func (m LessonView) handleKey(k tea.KeyMsg) (LessonView, tea.Cmd) {
	keys := m.env.keys
	if m.bar.Active() {
		var cmd tea.Cmd
		m.bar, cmd = m.bar.Update(k)
		return m, cmd
	}
	if m.showHelp {
		m.showHelp = false // any key closes help
		return m, nil
	}
	var cmd tea.Cmd
	switch {
	case key.Matches(k, keys.Leave):
		session := m.session
		return m, func() tea.Msg { return leaveLessonMsg{session} }
	case key.Matches(k, keys.FullHelp):
		m.showHelp = true
		return m, nil
	case m.quiz.Asking() && (key.Matches(k, keys.QuizUp, keys.QuizDown, keys.QuizPick, keys.QuizLock)):
		m.quiz, _ = m.quiz.Update(k)
		if !m.quiz.Asking() {
			right := m.quiz.Right()
			m.note(lab.LessonQuiz, lab.Event{Choice: m.quiz.Choice(), Correct: &right})
			m.records[m.step].quiz = m.quiz.Choice()
			m.env.store.p.Answer(m.lesson.ID, m.step, m.quiz.Choice())
			cmd = tea.Batch(m.beginCommands(), m.env.store.changed())
		}
	case key.Matches(k, keys.NextStep):
		cmd = m.next()
	case key.Matches(k, keys.SkipStep):
		cmd = m.skip()
	case key.Matches(k, keys.Hint):
		m.hints++
		m.note(lab.LessonHint, lab.Event{Hint: m.hints})
		m.records[m.step].hints = m.hints
		m.env.store.p.ShowHints(m.lesson.ID, m.step, m.hints)
		cmd = m.env.store.changed()
	case key.Matches(k, m.env.common.Keys.Help):
		return m, nil // no more hints: ? stays the hint key (the dashboard's help is on H)
	case key.Matches(k, m.env.common.Keys.Command):
		return m, m.bar.Open()
	case key.Matches(k, keys.ProseUp):
		m.vp.HalfPageUp()
		return m, nil
	case key.Matches(k, keys.ProseDown):
		m.vp.HalfPageDown()
		return m, nil
	default:
		return m, m.dash.Update(k)
	}
	m.refresh()
	return m, cmd
}

// enableKeys enables the bindings that do something now, so help shows
// only those.
func (m *LessonView) enableKeys() {
	k := m.env.keys
	done := m.state == stateComplete
	k.NextStep.SetEnabled(m.state == statePassed)
	k.SkipStep.SetEnabled(!done)
	k.Hint.SetEnabled(!done && m.hints < len(m.cur().Hints))
	asking := m.quiz.Asking() && !done
	for _, b := range []*key.Binding{&k.QuizUp, &k.QuizDown, &k.QuizPick, &k.QuizLock} {
		b.SetEnabled(asking)
	}
	k.ProseUp.SetEnabled(m.vp.Height > 0)
	k.ProseDown.SetEnabled(m.vp.Height > 0)
	if m.state == statePassed && m.step == len(m.lesson.Steps)-1 {
		k.NextStep.SetHelp("n", "finish")
	} else {
		k.NextStep.SetHelp("n", "next step")
	}
}

// focusPanel puts the step's panel in focus; at small sizes, zoomed.
func (m *LessonView) focusPanel(id string) {
	m.dash.Focus(id)
	m.dash.Zoom(!m.wide)
}

// stepPanel is the panel a step is about: the one that draws most of its
// checks' metrics.
func stepPanel(st *lesson.Step) (string, bool) {
	var metrics []string
	for _, e := range st.Expects {
		metrics = append(metrics, e.Expect.Metric)
	}
	return panelFor(metrics)
}

// layout sizes the lesson pane and the dashboard. Wide terminals (the
// dashboard still gets MinWidth in 60% of the width) put the pane left
// (40%) and the whole dashboard right; smaller ones stack the pane over the
// dashboard's header and grid, the step's panel zoomed, without the map.
func (m *LessonView) layout() {
	if m.w < MinWidth || m.h < MinHeight {
		return
	}
	bodyH := m.h - 2 // footer
	m.wide = m.w-m.w*2/5 >= MinWidth
	if m.wide {
		m.paneW, m.paneH = m.w*2/5, bodyH
		m.dashW, m.dashH = m.w-m.paneW, bodyH
	} else {
		m.paneW, m.dashW = m.w, m.w
		m.dashH = max(bodyH*2/5, 9)
		m.paneH = bodyH - m.dashH
	}
	m.dash.ShowMap(m.wide)
	m.dash.Zoom(!m.wide)
	m.dash.SetSize(m.dashW, m.dashH)
	m.bar.SetWidth(m.w)
	m.help.Width = m.w
	fw, fh := m.env.common.Styles.Panel.GetFrameSize()
	m.innerW, m.innerH = max(m.paneW-fw, 1), max(m.paneH-fh-1, 0)
	m.vp.Width = m.innerW
	m.quiz.SetWidth(m.innerW)
	if m.state == stateComplete {
		m.setSummary()
	} else {
		m.setProse()
	}
	m.refresh()
}

// setProse puts the current step's prose in the viewport: Markdown
// rendered with glamour at the pane's width, once per step and width.
func (m *LessonView) setProse() {
	if m.innerW == 0 {
		return
	}
	st := m.cur()
	md := "## " + st.Title + "\n\n" + st.Prose
	if m.step == 0 {
		md = "# " + m.lesson.Title + "\n\n" + m.lesson.Intro + "\n\n" + md
	}
	m.vp.SetContent(m.env.prose.render(proseKey{m.lesson.ID, m.step, m.innerW}, md))
	m.vp.GotoTop()
}

// refresh re-renders the pane's lower part (status, checklist, hints,
// quiz) after a change, resizes the prose above it when its height
// changed, and updates which keys are enabled.
func (m *LessonView) refresh() {
	m.lower = m.renderLower()
	lowerH, gap := 0, 0
	if m.lower != "" {
		lowerH, gap = lipgloss.Height(m.lower), 1
	}
	// The prose takes what it needs of the room the lower part leaves,
	// so the checklist sits right under it.
	m.vp.Height = min(max(m.innerH-lowerH-gap, 0), m.vp.TotalLineCount())
	m.enableKeys()
}

// renderLower is the pane's part under the prose.
func (m *LessonView) renderLower() string {
	if m.state == stateComplete || m.innerW == 0 {
		return ""
	}
	if m.state == stateQuiz {
		return m.quiz.View()
	}
	s := m.env.common.Styles
	st := m.cur()
	w := m.innerW
	var lines []string
	last := m.step == len(m.lesson.Steps)-1
	switch m.state {
	case stateRunning:
		what := "running"
		if m.inflight != 0 && !m.current.replay && m.current.step == m.step {
			what = "running: " + m.current.line.Cmd.Line
		}
		lines = append(lines, s.Warn.Render("⟳ "+what))
	case stateChecking:
		waited := m.snap.T - m.settled
		if waited > st.Deadline() {
			lines = append(lines, s.Warn.Render(fmt.Sprintf("… not yet after %s", st.Deadline()))+s.Dim.Render(" · ? hint · N skip"))
		} else {
			lines = append(lines, s.Accent.Render("◌ watching the checks")+s.Dim.Render(fmt.Sprintf(" · %s of %s", roundDur(max(waited, 0)), st.Deadline())))
		}
	case statePassed:
		next := "n next step"
		if last {
			next = "n finish"
		}
		lines = append(lines, s.OK.Render("✔ passed after "+roundDur(m.records[m.step].after))+s.Dim.Render(" · "+next))
	case stateFailed:
		lines = append(lines, wrapIndent(s.Err.Render("✖ "+m.cmdErr)+s.Dim.Render(" · N skip"), w, 2))
	}
	checks := m.checks
	if m.state == statePassed {
		checks = m.records[m.step].checks
	}
	for i, c := range checks {
		lines = append(lines, checkLine(s, st.Expects[i].Expect, c))
	}
	if len(st.Expects) == 0 {
		lines = append(lines, s.Dim.Render("(no checks: this step passes once its commands ran)"))
	}
	for i := 0; i < m.hints && i < len(st.Hints); i++ {
		lines = append(lines, wrapIndent(s.Accent.Render(fmt.Sprintf("Hint %d/%d: ", i+1, len(st.Hints)))+st.Hints[i], w, 2))
	}
	if q := m.quiz.View(); q != "" {
		lines = append(lines, q)
	}
	return strings.Join(lines, "\n")
}

// checkLine is one check: holds or not, the condition, the value now.
func checkLine(s *Styles, e *lab.Expect, c lesson.Check) string {
	mark := s.Bad.Render("✖")
	if c.Holds {
		mark = s.OK.Render("✔")
	}
	return fmt.Sprintf("%s %s %s %s  %s", mark, e.Metric, e.Op, e.Text, s.Dim.Render("now ")+checkValue(e.Metric, c))
}

// checkValue is a check's metric value now, in its unit.
func checkValue(metric string, c lesson.Check) string {
	if !c.Found {
		return "not in this lab"
	}
	return lab.FormatMetric(metric, c.Value)
}

func roundDur(d time.Duration) string { return d.Round(100 * time.Millisecond).String() }

// wrapIndent wraps possibly styled text to w columns, indenting the lines
// after the first by indent.
func wrapIndent(text string, w, indent int) string {
	if w <= indent+4 {
		return text
	}
	first := ansi.Wrap(text, w, "")
	lines := strings.Split(first, "\n")
	if len(lines) == 1 || indent == 0 {
		return first
	}
	rest := ansi.Wrap(strings.Join(lines[1:], " "), w-indent, "")
	pad := strings.Repeat(" ", indent)
	return lines[0] + "\n" + pad + strings.ReplaceAll(rest, "\n", "\n"+pad)
}

// setSummary puts the completion summary in the viewport.
func (m *LessonView) setSummary() {
	if m.innerW == 0 {
		return
	}
	m.vp.SetContent(m.summary())
	m.vp.GotoTop()
}

// summary is what was observed, step by step: how long each took to pass,
// the final values of its checks, the quiz, the hints used.
func (m *LessonView) summary() string {
	s := m.env.common.Styles
	w := m.innerW
	passed, skipped, right, asked, hints := 0, 0, 0, 0, 0
	var body []string
	for i, st := range m.lesson.Steps {
		r := m.records[i]
		var what string
		switch r.outcome {
		case outcomePassed:
			passed++
			what = s.OK.Render("✔ passed after " + roundDur(r.after))
		case outcomeEarlier:
			passed++
			what = s.OK.Render("✔ passed in an earlier session")
		case outcomeSkipped:
			skipped++
			what = s.Warn.Render("↷ skipped")
		default:
			what = s.Dim.Render("not reached")
		}
		extra := []string{what}
		if st.Quiz != nil && r.quiz > 0 && r.quiz <= len(st.Quiz.Choices) {
			asked++
			if r.quiz == st.Quiz.Answer {
				right++
				extra = append(extra, s.OK.Render("quiz ✔ right"))
			} else {
				extra = append(extra, s.Bad.Render("quiz ✖ wrong")+fmt.Sprintf(" (you: %d, answer: %d)", r.quiz, st.Quiz.Answer))
			}
		}
		if r.hints > 0 {
			hints += r.hints
			extra = append(extra, fmt.Sprintf("%d hint%s", r.hints, plural(r.hints)))
		}
		body = append(body, wrapIndent(s.Bold.Render(fmt.Sprintf("%d. %s", i+1, st.Title))+" — "+strings.Join(extra, s.Dim.Render(" · ")), w, 3))
		for j, c := range r.checks {
			body = append(body, "   "+checkLine(s, st.Expects[j].Expect, c))
		}
	}
	head := s.OK.Render("✔ Lesson complete: ") + s.Bold.Render(m.lesson.Title)
	tally := fmt.Sprintf("%d of %d steps passed", passed, len(m.lesson.Steps))
	if skipped > 0 {
		tally += fmt.Sprintf(" · %d skipped", skipped)
	}
	if asked > 0 {
		tally += fmt.Sprintf(" · quiz %d/%d right", right, asked)
	}
	tally += fmt.Sprintf(" · %d hint%s used", hints, plural(hints))
	out := []string{wrapIndent(head, w, 0), wrapIndent(tally, w, 0), ""}
	out = append(out, body...)
	out = append(out, "", s.Dim.Render("q back to the lessons"))
	return strings.Join(out, "\n")
}

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}

// View draws the lesson: exactly the terminal's size.
func (m LessonView) View() string {
	if m.w == 0 {
		return ""
	}
	s := m.env.common.Styles
	if m.w < MinWidth || m.h < MinHeight {
		msg := fmt.Sprintf("terminal too small: %d×%d\nscalelab needs at least %d×%d", m.w, m.h, MinWidth, MinHeight)
		return lipgloss.Place(m.w, m.h, lipgloss.Center, lipgloss.Center, s.Warn.Render(msg))
	}
	var body string
	if m.showHelp {
		body = frame(s, "Help · any key closes", false, m.w, m.h-footerLines, m.help.View(m.keyMap()))
	} else {
		pane := frame(s, m.paneTitle(), false, m.paneW, m.paneH, m.paneBody())
		if m.wide {
			body = lipgloss.JoinHorizontal(lipgloss.Top, pane, m.dash.View())
		} else {
			body = pane + "\n" + m.dash.View()
		}
	}
	return body + "\n" + m.footer()
}

func (m LessonView) paneTitle() string {
	if m.state == stateComplete {
		return "Lesson complete · " + m.lesson.Title
	}
	title := fmt.Sprintf("Step %d/%d · %s", m.step+1, len(m.lesson.Steps), m.lesson.Title)
	if m.vp.Height > 0 && !m.vp.AtBottom() {
		title += " · pgdn more"
	}
	return title
}

func (m LessonView) paneBody() string {
	switch {
	case m.vp.Height == 0 || m.innerW == 0:
		return m.lower
	case m.lower == "":
		return m.vp.View()
	}
	return m.vp.View() + "\n\n" + m.lower
}

// footer is the command bar, or a status line and the short help.
func (m LessonView) footer() string {
	s := m.env.common.Styles
	status, ok := m.dash.Status()
	switch {
	case m.env.store.err != "":
		status, ok = m.env.store.err, false
	case m.status != "":
		status, ok = m.status, false
	}
	return footer(s, &m.bar, status, ok, "press : for a command, H for all keys", m.help.ShortHelpView(m.keyMap().ShortHelp()), m.w)
}

func (m LessonView) keyMap() lessonHelp { return lessonHelp{m.env.keys, m.env.common.Keys, &m.dash} }

// lessonHelp is the help in a lesson: the lesson's keys, then the
// dashboard's and the focused panel's, without the dashboard's `?` (a hint
// here) and `q` (leave here).
type lessonHelp struct {
	lk   *LessonKeyMap
	dk   *KeyMap
	dash *Dashboard
}

// ShortHelp is the footer's line.
func (h lessonHelp) ShortHelp() []key.Binding {
	k := h.lk
	return []key.Binding{k.QuizUp, k.QuizPick, k.QuizLock, k.NextStep, k.Hint, k.SkipStep, k.FullHelp, k.Leave, h.dk.Command, h.dk.Next, k.ProseDown}
}

// FullHelp is the help screen, in columns.
func (h lessonHelp) FullHelp() [][]key.Binding {
	k := h.lk
	cols := [][]key.Binding{{k.NextStep, k.SkipStep, k.Hint, k.ProseUp, k.ProseDown, k.QuizUp, k.QuizDown, k.QuizPick, k.QuizLock, k.FullHelp, k.Leave, k.ForceQuit}}
	for _, col := range h.dash.FullHelp() {
		cols = append(cols, slices.DeleteFunc(slices.Clone(col), func(b key.Binding) bool {
			return slices.Contains(b.Keys(), "?") || slices.Contains(b.Keys(), "q")
		}))
	}
	return cols
}

// proseKey names one rendering of a step's prose.
type proseKey struct {
	lesson string
	step   int
	width  int
}

// proseRenderer renders step Markdown with glamour and keeps what it
// rendered, so each step is rendered once per width.
type proseRenderer struct {
	style   glamouransi.StyleConfig
	profile termenv.Profile
	cache   map[proseKey]string
}

// newProseRenderer picks glamour's dark or light style without its
// margins (the pane has its own); noColor keeps the style's emphasis and
// drops its colours.
func newProseRenderer(noColor, dark bool) *proseRenderer {
	style := styles.DarkStyleConfig
	if !dark {
		style = styles.LightStyleConfig
	}
	zero := uint(0)
	style.Document.Margin = &zero
	style.Document.BlockPrefix, style.Document.BlockSuffix = "", ""
	profile := lipgloss.ColorProfile()
	if noColor {
		profile = termenv.Ascii
	}
	return &proseRenderer{style: style, profile: profile, cache: map[proseKey]string{}}
}

// render renders md at k.width, or returns what it rendered before. A
// rendering error falls back to the Markdown as written.
func (r *proseRenderer) render(k proseKey, md string) string {
	if out, ok := r.cache[k]; ok {
		return out
	}
	out := md
	tr, err := glamour.NewTermRenderer(glamour.WithStyles(r.style), glamour.WithWordWrap(k.width), glamour.WithColorProfile(r.profile))
	if err == nil {
		if rendered, err := tr.Render(md); err == nil {
			out = trimBlankLines(rendered)
		}
	}
	r.cache[k] = out
	return out
}

// trimBlankLines drops blank lines at both ends.
func trimBlankLines(s string) string {
	lines := strings.Split(s, "\n")
	blank := func(l string) bool { return strings.TrimSpace(ansi.Strip(l)) == "" }
	for len(lines) > 0 && blank(lines[0]) {
		lines = lines[1:]
	}
	for len(lines) > 0 && blank(lines[len(lines)-1]) {
		lines = lines[:len(lines)-1]
	}
	return strings.Join(lines, "\n")
}
