package tui

import (
	"fmt"
	"strings"
	"time"

	"github.com/charmbracelet/bubbles/help"
	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"

	"github.com/scalelab/scalelab/lab"
)

// Attendee is one attendee's session as the instructor sees it.
type Attendee struct {
	User   string        // the SSH user name
	Key    string        // the key's fingerprint (SHA256:…), "" when none was used
	Lesson string        // the lesson open, "" in the picker
	Step   int           // its step, 1-based; 0 before the first starts
	Steps  int           // its steps
	Health string        // the lab's health in a few words, "" without a lab
	Idle   time.Duration // since the attendee last pressed a key
}

// Classroom is what the instructor view lists and acts on: the attendees'
// sessions, and a command line sent to every attendee's lab.
type Classroom interface {
	Attendees() []Attendee
	// Broadcast runs line on every attendee lab open now, as source
	// "instructor", and says how many it reached; an attendee in the
	// lesson picker has no lab to reach. A line that does not parse is an
	// error and reaches none.
	Broadcast(line string) (reached int, err error)
}

// InstructorView lists the attendees' sessions (refreshed each second)
// and broadcasts a command line to every attendee's lab from its command
// bar: "kill web-2" typed here shows in each attendee's events as
// "instructor: kill web-2".
type InstructorView struct {
	common   *Common
	class    Classroom
	bar      CommandBar
	help     help.Model
	list     []Attendee
	status   string
	statusOK bool
	w, h     int
}

type (
	instructorTickMsg struct{}
	attendeesMsg      []Attendee
)

// NewInstructorProgram is the instructor view of class as a Program (see
// NewLessonsProgram).
func NewInstructorProgram(class Classroom, opt Options) *Program {
	return newProgram(NewInstructorView(class, &Common{Styles: opt.styles(), Keys: DefaultKeyMap()}), opt, func() error { return nil })
}

// NewInstructorView shows class.
func NewInstructorView(class Classroom, c *Common) InstructorView {
	m := InstructorView{common: c, class: class, bar: NewCommandBar(c), help: help.New()}
	m.bar.SetTopology(lab.Topology{Webs: []string{"web-1", "web-2", "web-3"}, DBs: []string{"db-1", "db-2"}, Cache: true, Queue: true, Payments: true})
	return m
}

// Init reads the attendees.
func (m InstructorView) Init() tea.Cmd { return m.fetch() }

func (m InstructorView) fetch() tea.Cmd {
	class := m.class
	return func() tea.Msg { return attendeesMsg(class.Attendees()) }
}

// Update handles the list, the bar and the keys.
func (m InstructorView) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		m.w, m.h = msg.Width, msg.Height
		m.bar.SetWidth(m.w)
		m.help.Width = m.w
		return m, nil
	case attendeesMsg:
		m.list = msg
		return m, tea.Tick(time.Second, func(time.Time) tea.Msg { return instructorTickMsg{} })
	case instructorTickMsg:
		return m, m.fetch()
	case runLineMsg:
		class, line := m.class, msg.line
		return m, func() tea.Msg {
			n, err := class.Broadcast(line)
			return execMsg{line: line, source: lab.SourceTyped, at: time.Duration(n), err: err}
		}
	case execMsg:
		m.bar, _ = m.bar.Update(msg)
		m.status, m.statusOK = fmt.Sprintf("%s: sent to %d attendee lab(s)", msg.line, int(msg.at)), msg.err == nil
		if msg.err != nil {
			m.status = msg.line + ": " + msg.err.Error()
		}
		return m, nil
	case tea.KeyMsg:
		if msg.Type == tea.KeyRunes && len(msg.Runes) > 1 && !msg.Paste && !m.bar.Active() {
			return typeRunes(m, msg.Runes, InstructorView.barOpen, InstructorView.handleKey)
		}
		return m.handleKey(msg)
	}
	if m.bar.Active() {
		var cmd tea.Cmd
		m.bar, cmd = m.bar.Update(msg)
		return m, cmd
	}
	return m, nil
}

func (m InstructorView) barOpen() bool { return m.bar.Active() }

func (m InstructorView) handleKey(k tea.KeyMsg) (InstructorView, tea.Cmd) {
	keys := m.common.Keys
	if m.bar.Active() {
		var cmd tea.Cmd
		m.bar, cmd = m.bar.Update(k)
		return m, cmd
	}
	switch {
	case key.Matches(k, keys.Quit):
		return m, tea.Quit
	case key.Matches(k, keys.Command):
		return m, m.bar.Open()
	}
	return m, nil
}

// View lists the attendees, then the footer: exactly the terminal's size.
func (m InstructorView) View() string {
	if m.w == 0 {
		return ""
	}
	if small := tooSmall(m.common.Styles, m.w, m.h); small != "" {
		return small
	}
	s := m.common.Styles
	title := fmt.Sprintf("Instructor · %d attendee(s) · : sends a command to every attendee's lab", len(m.list))
	rows := []string{s.Bold.Render(fmt.Sprintf("%-16s %-14s %-22s %-6s %-8s %s", "user", "key", "lesson", "step", "idle", "lab"))}
	for _, a := range m.list {
		lessonName, step, health := a.Lesson, "", a.Health
		if lessonName == "" {
			lessonName = s.Dim.Render("(picker)")
		}
		if a.Step > 0 {
			step = fmt.Sprintf("%d/%d", a.Step, a.Steps)
		}
		if health == "" {
			health = s.Dim.Render("no lab")
		}
		keyText := strings.TrimPrefix(a.Key, "SHA256:")
		if len(keyText) > 12 {
			keyText = keyText[:12] + "…"
		}
		rows = append(rows, fmt.Sprintf("%-16s %-14s %-22s %-6s %-8s %s", clip(a.User, 16), keyText, clip(lessonName, 22), step, a.Idle.Round(time.Second), health))
	}
	if len(m.list) == 0 {
		rows = append(rows, s.Dim.Render("no attendee yet: they connect with ssh -p PORT HOST"))
	}
	body := frame(s, title, true, m.w, m.h-footerLines, strings.Join(rows, "\n"))
	k := m.common.Keys
	return body + "\n" + footer(&m.bar, statusLine(s, m.status, m.statusOK, "press : and a command (kill web-2) to run it in every attendee's lab"), m.help.ShortHelpView([]key.Binding{k.Command, k.Quit}), m.w)
}

// clip cuts s to n cells with an ellipsis.
func clip(s string, n int) string {
	if len([]rune(s)) <= n {
		return s
	}
	return string([]rune(s)[:n-1]) + "…"
}
