package tui

import (
	"fmt"
	"strings"

	"github.com/charmbracelet/bubbles/help"
	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"

	"github.com/scalelab/scalelab/lab"
)

// Minimum terminal size; below it the screens say so instead of drawing.
const (
	MinWidth  = 80
	MinHeight = 24
)

// footerLines is the height of the footer under every screen: the command
// bar, or a status line and the short help.
const footerLines = 2

// Model is the sandbox: the dashboard over the whole terminal but the
// footer, the command bar, and the help screen. It routes keys to the bar
// while it is open, then to its own keys (quit, help, the bar), then to
// the dashboard.
type Model struct {
	common   *Common
	dash     Dashboard
	bar      CommandBar
	help     help.Model
	showHelp bool
	w, h     int
}

// New builds the sandbox over src. Call Stop when the program ends.
func New(src Source, c *Common) Model {
	m := Model{common: c, dash: NewDashboard(src, c), bar: NewCommandBar(c), help: help.New()}
	m.help.ShowAll = true
	m.bar.SetTopology(m.dash.LabView().Topology)
	return m
}

// Stop ends the dashboard's event reader.
func (m Model) Stop() { m.dash.Stop() }

// Init starts the dashboard.
func (m Model) Init() tea.Cmd { return m.dash.Init() }

// Update routes a message.
func (m Model) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		m.w, m.h = msg.Width, msg.Height
		m.resize()
		return m, nil
	case runLineMsg:
		return m, m.dash.Run(msg.line, lab.SourceTyped)
	case tea.KeyMsg:
		if msg.Type == tea.KeyRunes && len(msg.Runes) > 1 && !msg.Paste && !m.bar.Active() {
			return typeRunes(m, msg.Runes, Model.barOpen, Model.handleKey)
		}
		return m.handleKey(msg)
	}
	return m, passOn(&m.dash, &m.bar, msg)
}

// passOn hands a message that is not a key to the dashboard (its ticks,
// views, events and command outcomes), and to the command bar while it is
// open (its cursor blinks); the bar's completions follow the topology.
func passOn(dash *Dashboard, bar *CommandBar, msg tea.Msg) tea.Cmd {
	cmd := dash.Update(msg)
	bar.SetTopology(dash.LabView().Topology)
	if bar.Active() {
		var bcmd tea.Cmd
		*bar, bcmd = bar.Update(msg)
		cmd = tea.Batch(cmd, bcmd)
	}
	return cmd
}

func (m Model) barOpen() bool { return m.bar.Active() }

// screenKey is what a dashboard screen (the sandbox, a talk) does with a
// key before its own: the open command bar takes it, open help closes on
// any key (ctrl+c quits), and quit, help and the command bar key do what
// they say. ok false: the key is the screen's to handle.
func screenKey(bar *CommandBar, showHelp *bool, keys *KeyMap, k tea.KeyMsg) (cmd tea.Cmd, ok bool) {
	if bar.Active() {
		*bar, cmd = bar.Update(k)
		return cmd, true
	}
	if *showHelp {
		if k.String() == "ctrl+c" {
			return tea.Quit, true
		}
		*showHelp = false // any key closes help
		return nil, true
	}
	switch {
	case key.Matches(k, keys.Quit):
		return tea.Quit, true
	case key.Matches(k, keys.Help):
		*showHelp = true
		return nil, true
	case key.Matches(k, keys.Command):
		return bar.Open(), true
	}
	return nil, false
}

// resize gives the dashboard the screen less the footer (all of it in the
// presenter layout, which has none: the command bar draws over its last
// lines while open).
func (m *Model) resize() {
	h := m.h - footerLines
	if m.dash.Presenter() {
		h = m.h
	}
	m.dash.SetSize(m.w, max(h, 0))
	m.bar.SetWidth(m.w)
	m.help.Width = m.w
}

// SetPresenter turns the presenter layout on or off, showing panels (nil:
// the ones chosen before).
func (m *Model) SetPresenter(on bool, panels []string) {
	m.dash.SetPresenter(on, panels)
	m.resize()
}

func (m Model) handleKey(k tea.KeyMsg) (Model, tea.Cmd) {
	keys := m.common.Keys
	if cmd, ok := screenKey(&m.bar, &m.showHelp, keys, k); ok {
		return m, cmd
	}
	switch {
	case key.Matches(k, keys.Present):
		m.SetPresenter(!m.dash.Presenter(), nil)
		return m, nil
	}
	return m, m.dash.Update(k)
}

// View draws the sandbox: exactly the terminal's size.
func (m Model) View() string {
	if m.w == 0 {
		return ""
	}
	if small := tooSmall(m.common.Styles, m.w, m.h); small != "" {
		return small
	}
	k := m.common.Keys
	var body string
	switch {
	case m.showHelp:
		body = frame(m.common.Styles, "Help · any key closes", false, m.w, m.h-footerLines, m.help.View(m))
	case m.dash.Presenter() && !m.bar.Active():
		return m.dash.View()
	case m.dash.Presenter():
		body = fit(m.dash.View(), m.w, m.h-footerLines)
	default:
		body = m.dash.View()
	}
	status, ok := m.dash.Status()
	short := append(append([]key.Binding{k.Command}, m.dash.ShortHelp()...), k.Help, k.Quit)
	hint := "press : for a command, ? for help"
	if v := m.dash.LabView(); v.LoadSpec.Rate == 0 && !v.Paused {
		hint = "no load yet: press + for some, or type :load 500/s · ? for help"
	}
	return body + "\n" + footer(&m.bar, statusLine(m.common.Styles, status, ok, hint), m.help.ShortHelpView(short), m.w)
}

// ShortHelp is the sandbox's keys, for help.
func (m Model) ShortHelp() []key.Binding { return m.dash.ShortHelp() }

// FullHelp is every key that works now: the sandbox's, the dashboard's and
// the focused panel's.
func (m Model) FullHelp() [][]key.Binding {
	return append([][]key.Binding{{m.common.Keys.Present}}, m.dash.FullHelp()...)
}

// tooSmall is the message shown instead of a screen below the minimum
// size, or "" when the terminal is big enough.
func tooSmall(s *Styles, w, h int) string {
	if w >= MinWidth && h >= MinHeight {
		return ""
	}
	msg := fmt.Sprintf("terminal too small: %d×%d\nscalelab needs at least %d×%d", w, h, MinWidth, MinHeight)
	return lipgloss.Place(w, h, lipgloss.Center, lipgloss.Center, s.Warn.Render(msg))
}

// footer is the two lines under a screen: the command bar while it is
// open, else a status line (see statusLine) and the short help.
func footer(bar *CommandBar, status, short string, w int) string {
	if bar.Active() {
		first, second, _ := strings.Cut(bar.View(), "\n")
		return padLine(first, w) + "\n" + padLine(second, w)
	}
	return padLine(status, w) + "\n" + padLine(short, w)
}

// statusLine is the last command's outcome (✔ line, or ✖ line: error), or
// hint when there is none.
func statusLine(s *Styles, status string, ok bool, hint string) string {
	switch {
	case status != "" && ok:
		return s.OK.Render("✔ ") + status
	case status != "":
		return s.Err.Render("✖ " + status)
	}
	return s.Dim.Render(hint)
}

// typeRunes handles keys that arrived in one read (fast typing, tmux
// send-keys) one at a time, as if typed slowly, until the command bar
// opens; the rest of them is then typed into the bar in one piece. So
// ":load 300/s" opens the bar and types into it instead of being one
// unknown key.
func typeRunes[M any](m M, runes []rune, barOpen func(M) bool, handle func(M, tea.KeyMsg) (M, tea.Cmd)) (M, tea.Cmd) {
	var cmds []tea.Cmd
	for i, r := range runes {
		var cmd tea.Cmd
		if barOpen(m) {
			m, cmd = handle(m, tea.KeyMsg{Type: tea.KeyRunes, Runes: runes[i:]})
			return m, tea.Batch(append(cmds, cmd)...)
		}
		m, cmd = handle(m, tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune{r}})
		cmds = append(cmds, cmd)
	}
	return m, tea.Batch(cmds...)
}
