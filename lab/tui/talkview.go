package tui

import (
	"errors"
	"fmt"

	"github.com/charmbracelet/bubbles/help"
	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"

	"github.com/scalelab/scalelab/lab"
	"github.com/scalelab/scalelab/lab/talk"
)

// TalkView presents a talk to a room: the dashboard on the talk's lab,
// the next step's commands and speaker notes in a pane under it, and keys
// to run the next step (n), go back one (p: a new lab, rebuilt to where
// that step began, replaces the old) and run the last step again (R: back,
// then next). The header says which step is next or running. Commands
// typed or bound to keys between steps are journaled with the steps, so
// going back keeps them. talkpane.go draws the pane.
type TalkView struct {
	common  *Common
	keys    *TalkKeyMap
	stepper *talk.Stepper
	newLab  func() (*lab.Lab, error)
	labs    *labKeeper

	lab      *lab.Lab
	session  int // counts labs, so a closed lab's messages are dropped
	dash     Dashboard
	bar      CommandBar
	help     help.Model
	showHelp bool

	running    *talk.Step // the step whose lines are running, if any
	line       int        // index of its line running now
	failed     error      // the first failure of the step running
	rebuilding bool       // a new lab is being built and brought to a step
	rerun      bool       // run the next step once rebuilt (R)
	status     string
	statusOK   bool

	w, h      int
	presenter bool
	panels    []string
}

// TalkKeyMap is the presenter's keys beside the dashboard's.
type TalkKeyMap struct {
	Next, Back, Rerun key.Binding
}

// DefaultTalkKeyMap is the presenter's bindings.
func DefaultTalkKeyMap() *TalkKeyMap {
	return &TalkKeyMap{
		Next:  key.NewBinding(key.WithKeys("n"), key.WithHelp("n", "run the next step")),
		Back:  key.NewBinding(key.WithKeys("p"), key.WithHelp("p", "back a step (rebuilds the lab)")),
		Rerun: key.NewBinding(key.WithKeys("R"), key.WithHelp("R", "run the last step again")),
	}
}

type (
	// talkLineMsg is one line of a step finishing.
	talkLineMsg struct {
		session, step, line int
		err                 error
	}
	// talkLabMsg is a new lab for the talk, to be brought to rb.
	talkLabMsg struct {
		session int
		lab     *lab.Lab
		err     error
		rb      talk.Rebuild
	}
	// talkRebuiltMsg is the end of bringing a new lab to a step.
	talkRebuiltMsg struct {
		session int
		err     error
	}
)

// RunTalk presents t on a lab built by newLab (called again for each
// rebuild) until the presenter quits. The terminal is restored on every
// exit, as Run does.
func RunTalk(t *talk.Talk, newLab func() (*lab.Lab, error), opt Options) error {
	l, err := newLab()
	if err != nil {
		return err
	}
	m := NewTalkView(t, l, newLab, &Common{Styles: opt.styles(), Keys: DefaultKeyMap()})
	m.presenter, m.panels = opt.Presenter, opt.Panels
	m.dash.SetPresenter(opt.Presenter, opt.Panels)
	if opt.Started != nil {
		opt.Started()
	}
	final, err := runProgram(m, "presenter", opt)
	if fm, ok := final.(TalkView); ok {
		fm.dash.Stop()
		fm.labs.stopAll()
	} else {
		m.labs.stopAll()
	}
	return err
}

// NewTalkView presents t on l; newLab builds the labs going back needs.
func NewTalkView(t *talk.Talk, l *lab.Lab, newLab func() (*lab.Lab, error), c *Common) TalkView {
	m := TalkView{
		common: c, keys: DefaultTalkKeyMap(), stepper: talk.NewStepper(t, l.Clock().Speed()), newLab: newLab,
		labs: &labKeeper{}, bar: NewCommandBar(c), help: help.New(),
	}
	m.help.ShowAll = true
	m.labs.add(l)
	m.open(l)
	return m
}

// open shows l: a new dashboard on it, the old one stopped.
func (m *TalkView) open(l *lab.Lab) {
	if m.lab != nil {
		m.dash.Stop()
	}
	m.session++
	m.lab = l
	m.dash = NewDashboard(l, m.common)
	m.dash.SetPresenter(m.presenter, m.panels)
	m.bar.SetTopology(m.dash.LabView().Topology)
	m.labs.attach(l, m.dash.Stop)
	m.resize()
}

// Stepper is the talk's state.
func (m TalkView) Stepper() *talk.Stepper { return m.stepper }

// Init starts the dashboard.
func (m TalkView) Init() tea.Cmd { return m.dash.Init() }

// Update routes a message: the talk's own, then keys (the bar's while it
// is open, then the talk's, then the dashboard's), then the dashboard's.
func (m TalkView) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		m.w, m.h = msg.Width, msg.Height
		m.resize()
		return m, nil
	case talkLineMsg:
		if msg.session != m.session || m.running == nil || msg.step != m.running.N {
			return m, nil
		}
		return m, m.lineDone(msg)
	case talkLabMsg:
		if msg.session != m.session {
			if msg.lab != nil {
				return m, stopLab(m.labs, msg.lab)
			}
			return m, nil
		}
		if msg.err != nil {
			m.rebuilding, m.rerun = false, false
			m.status, m.statusOK = "rebuilding the lab: "+msg.err.Error(), false
			return m, nil
		}
		old := m.lab
		m.open(msg.lab)
		l, rb, session := msg.lab, msg.rb, m.session
		return m, tea.Batch(stopLab(m.labs, old), m.dash.Init(), func() tea.Msg {
			return talkRebuiltMsg{session, talk.Apply(l, rb)}
		})
	case talkRebuiltMsg:
		if msg.session != m.session {
			return m, nil
		}
		m.rebuilding = false
		m.status, m.statusOK = fmt.Sprintf("back before step %d: the lab is as it was then", m.stepper.Done()+1), msg.err == nil
		if msg.err != nil {
			m.status = "rebuilding the lab: " + msg.err.Error()
		}
		if m.rerun {
			m.rerun = false
			return m.next()
		}
		m.refresh()
		return m, nil
	case execMsg:
		if msg.dash == m.dash.id && msg.err == nil && !m.rebuilding {
			m.stepper.Typed(msg.line, msg.source, msg.at)
		}
		m.bar, _ = m.bar.Update(msg)
		return m, m.dash.Update(msg)
	case runLineMsg:
		return m, m.dash.Run(msg.line, lab.SourceTyped)
	case tea.KeyMsg:
		if msg.Type == tea.KeyRunes && len(msg.Runes) > 1 && !msg.Paste && !m.bar.Active() {
			return typeRunes(m, msg.Runes, TalkView.barOpen, TalkView.handleKey)
		}
		return m.handleKey(msg)
	}
	cmd := passOn(&m.dash, &m.bar, msg)
	m.refresh()
	return m, cmd
}

func (m TalkView) barOpen() bool { return m.bar.Active() }

func (m TalkView) handleKey(k tea.KeyMsg) (TalkView, tea.Cmd) {
	keys := m.common.Keys
	if cmd, ok := screenKey(&m.bar, &m.showHelp, keys, k); ok {
		return m, cmd
	}
	switch {
	case key.Matches(k, keys.Present):
		m.presenter = !m.presenter
		m.dash.SetPresenter(m.presenter, nil)
		m.resize()
		return m, nil
	case key.Matches(k, m.keys.Next):
		return m.next()
	case key.Matches(k, m.keys.Back):
		return m.back(false)
	case key.Matches(k, m.keys.Rerun):
		return m.back(true)
	}
	return m, m.dash.Update(k)
}

// next runs the next step, one line at a time in Cmds (a wait blocks its
// Cmd, never the screen).
func (m TalkView) next() (TalkView, tea.Cmd) {
	switch {
	case m.rebuilding:
		m.status, m.statusOK = "the lab is being rebuilt; a moment", false
		return m, nil
	case m.running != nil:
		m.status, m.statusOK = fmt.Sprintf("step %d is still running (p goes back before it)", m.running.N), false
		return m, nil
	}
	st, ok := m.stepper.Next()
	if !ok {
		m.status, m.statusOK = "that was the last step (p goes back)", false
		return m, nil
	}
	st, _ = m.stepper.Start(st.N, m.lab.Since())
	m.running, m.line, m.failed = &st, 0, nil
	m.status = ""
	m.refresh()
	return m, m.runLine()
}

// runLine runs the running step's current line.
func (m *TalkView) runLine() tea.Cmd {
	l, st, i, session := m.lab, *m.running, m.line, m.session
	sl := st.Lines[i]
	return func() tea.Msg {
		return talkLineMsg{session: session, step: st.N, line: i, err: l.Run(sl.Cmd, lab.SourceScript)}
	}
}

// lineDone goes on to the step's next line, or ends the step.
func (m *TalkView) lineDone(msg talkLineMsg) tea.Cmd {
	st := m.running
	if msg.err != nil && m.failed == nil {
		m.failed = fmt.Errorf("%s: %s: %w", st.Lines[msg.line].Pos(), st.Lines[msg.line].Cmd.Line, msg.err)
	}
	if m.line+1 < len(st.Lines) {
		m.line++
		m.refresh()
		return m.runLine()
	}
	m.running = nil
	m.status, m.statusOK = fmt.Sprintf("step %d done", st.N), m.failed == nil
	if m.failed != nil {
		m.status = fmt.Sprintf("step %d: %v", st.N, m.failed)
	}
	m.refresh()
	return nil
}

// back undoes the last step run: a new lab is built and brought to where
// that step began (then, with rerun, the step runs again).
func (m TalkView) back(rerun bool) (TalkView, tea.Cmd) {
	if m.rebuilding {
		return m, nil
	}
	rb, ok := m.stepper.Back()
	if !ok {
		m.status, m.statusOK = "no step has run yet: n runs the first", false
		return m, nil
	}
	m.running, m.rebuilding, m.rerun = nil, true, rerun
	m.session++ // the old lab's lines and views are dropped from now on
	m.status, m.statusOK = fmt.Sprintf("↻ rebuilding the lab to where step %d began…", m.stepper.Done()+1), true
	m.refresh()
	newLab, labs, session := m.newLab, m.labs, m.session
	return m, func() tea.Msg {
		l, err := newLab()
		if err == nil && !labs.add(l) {
			l.Stop()
			err = errors.New("the program is ending")
		}
		return talkLabMsg{session: session, lab: l, err: err, rb: rb}
	}
}

// refresh sets the header's badge from the talk's state.
func (m *TalkView) refresh() {
	total := len(m.stepper.Talk().Steps)
	switch st, ok := m.stepper.Next(); {
	case m.running != nil:
		m.dash.SetBadge(fmt.Sprintf("▶ step %d/%d", m.running.N, total))
	case m.rebuilding:
		m.dash.SetBadge(fmt.Sprintf("↻ step %d/%d", m.stepper.Done()+1, total))
	case ok:
		m.dash.SetBadge(fmt.Sprintf("step %d/%d next", st.N, total))
	default:
		m.dash.SetBadge(fmt.Sprintf("✔ %d/%d steps", total, total))
	}
}

// resize lays out the dashboard over the screen less the step pane and
// the footer (the presenter layout has no footer).
func (m *TalkView) resize() {
	m.refresh()
	foot := footerLines
	if m.presenter {
		foot = 0
	}
	m.dash.SetSize(m.w, max(m.h-foot-m.paneHeight(), 0))
	m.bar.SetWidth(m.w)
	m.help.Width = m.w
}

// View draws the dashboard, the step pane and the footer: exactly the
// terminal's size.
func (m TalkView) View() string {
	if m.w == 0 {
		return ""
	}
	if small := tooSmall(m.common.Styles, m.w, m.h); small != "" {
		return small
	}
	if m.showHelp {
		body := frame(m.common.Styles, "Help · any key closes", false, m.w, m.h-footerLines, m.help.View(m))
		return body + "\n" + footer(&m.bar, "", "", m.w)
	}
	body := m.dash.View() + "\n" + m.pane()
	if m.presenter && !m.bar.Active() {
		return body
	}
	if m.presenter {
		body = fit(body, m.w, m.h-footerLines)
	}
	k := m.common.Keys
	short := []key.Binding{m.keys.Next, m.keys.Back, k.Freeze, k.Command, k.Present, k.Help, k.Quit}
	return body + "\n" + footer(&m.bar, statusLine(m.common.Styles, m.status, m.statusOK, m.hint()), m.help.ShortHelpView(short), m.w)
}

// ShortHelp is the presenter's keys.
func (m TalkView) ShortHelp() []key.Binding {
	return []key.Binding{m.keys.Next, m.keys.Back, m.keys.Rerun}
}

// FullHelp is every key that works: the presenter's, then the dashboard's.
func (m TalkView) FullHelp() [][]key.Binding {
	k := m.common.Keys
	return append([][]key.Binding{{m.keys.Next, m.keys.Back, m.keys.Rerun, k.Present}}, m.dash.FullHelp()...)
}
