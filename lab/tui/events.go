package tui

import (
	"fmt"
	"strings"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"

	"github.com/scalelab/scalelab/lab"
)

// eventsKeep is how many events the log holds.
const eventsKeep = 500

// eventsKeys are the events panel's own keys.
type eventsKeys struct {
	Up, Down key.Binding
}

func newEventsKeys() eventsKeys {
	return eventsKeys{
		Up:   key.NewBinding(key.WithKeys("up"), key.WithHelp("↑", "older events")),
		Down: key.NewBinding(key.WithKeys("down"), key.WithHelp("↓", "newer events")),
	}
}

// EventsPanel is the lab's log: commands, faults, state changes and expect
// results, newest at the bottom, one per line (wrapped when long). Scrolled back, it stays put
// as new events arrive and says how many are below.
type EventsPanel struct {
	panelBase
	keys   eventsKeys
	lines  []string // one rendered line per event, oldest first, at most eventsKeep
	offset int      // events below the view; 0 follows the newest
	body   string   // rendered when events, size or scroll change
}

// NewEventsPanel builds the panel.
func NewEventsPanel(c *Common) *EventsPanel {
	p := &EventsPanel{panelBase: panelBase{common: c, title: "Events"}, keys: newEventsKeys()}
	p.rebuild()
	return p
}

// SetSize sets the panel's outer size, keeping the scroll in range.
func (p *EventsPanel) SetSize(w, h int) {
	p.panelBase.SetSize(w, h)
	p.clamp()
	p.rebuild()
}

// SetView is a no-op: the log is fed by AddEvents.
func (p *EventsPanel) SetView(lab.View) {}

// AddEvents appends a batch of events, oldest first. Request events are
// ignored. While scrolled back the view keeps showing the same events.
func (p *EventsPanel) AddEvents(evs []lab.Event) {
	added := 0
	for _, e := range evs {
		if e.Kind == lab.KindRequest {
			continue
		}
		p.lines = append(p.lines, p.renderEvent(e))
		added++
	}
	if added == 0 {
		return
	}
	if n := len(p.lines); n > eventsKeep {
		p.lines = p.lines[:copy(p.lines, p.lines[n-eventsKeep:])]
	}
	if p.offset > 0 {
		p.offset += added
	}
	p.clamp()
	p.rebuild()
}

// Update handles keys sent to the focused panel: Up and Down move one
// event back or forward through the log.
func (p *EventsPanel) Update(msg tea.Msg) (Panel, tea.Cmd) {
	k, ok := msg.(tea.KeyMsg)
	if !ok || !p.focused {
		return p, nil
	}
	switch {
	case key.Matches(k, p.keys.Up):
		p.offset++
	case key.Matches(k, p.keys.Down):
		p.offset--
	default:
		return p, nil
	}
	p.clamp()
	p.rebuild()
	return p, nil
}

// ShortHelp is the panel's own keys, for the root's help.
func (p *EventsPanel) ShortHelp() []key.Binding { return []key.Binding{p.keys.Up, p.keys.Down} }

// FullHelp is the panel's own keys, for the root's help.
func (p *EventsPanel) FullHelp() [][]key.Binding { return [][]key.Binding{p.ShortHelp()} }

// View renders the panel at exactly its size.
func (p *EventsPanel) View() string {
	title := p.title
	if p.offset > 0 {
		title += " · scrolled"
	}
	return p.framed(title, p.body)
}

// rows is how many event lines fit, given whether the "newer" hint shows.
func (p *EventsPanel) rows(scrolled bool) int {
	_, fh := p.common.Styles.Panel.GetFrameSize()
	r := max(p.h-fh-1, 0)
	if scrolled {
		r--
	}
	return max(r, 1)
}

// clamp keeps the offset between following the newest and showing the
// oldest event on the top row.
func (p *EventsPanel) clamp() {
	p.offset = min(p.offset, max(len(p.lines)-p.rows(true), 0))
	p.offset = max(p.offset, 0)
}

func (p *EventsPanel) rebuild() {
	s := p.common.Styles
	if len(p.lines) == 0 {
		p.body = s.Dim.Render("no events yet\ncommands, faults and\nstate changes show here")
		return
	}
	// The newest events that fit, each wrapped under its time so the end
	// of a line (a state's new value, an error) is never cut off.
	rows := p.rows(p.offset > 0)
	iw, _ := p.inner()
	var shown []string
	for i := len(p.lines) - p.offset - 1; i >= 0 && len(shown) < rows; i-- {
		shown = append(hangWrap(p.lines[i], iw, eventIndent), shown...)
	}
	body := strings.Join(shown[max(len(shown)-rows, 0):], "\n")
	if p.offset > 0 {
		body += "\n" + s.Dim.Render(fmt.Sprintf("↓ %d newer", p.offset))
	}
	p.body = body
}

// eventIndent is the width of an event's time, "t=  12.3s  ", under
// which a long event continues.
const eventIndent = 11

// renderEvent renders one event as one line:
// "t=  12.3s  command  key: kill web-2".
func (p *EventsPanel) renderEvent(e lab.Event) string {
	s := p.common.Styles
	head := fmt.Sprintf("t=%6.1fs  %-7s  ", e.T, e.Kind)
	switch e.Kind {
	case lab.KindCommand:
		text := e.Line
		if e.Source != "" {
			text = e.Source + ": " + text
		}
		if e.Err != "" {
			return s.Bad.Render(head + text + " ✖ " + e.Err)
		}
		return head + text
	case lab.KindFault:
		return head + e.Component + ": " + e.Detail
	case lab.KindState:
		text := e.Component
		if e.From != "" || e.To != "" {
			text += " " + e.From + " → " + p.stateWord(e.To)
			if e.Detail != "" {
				text += " (" + e.Detail + ")"
			}
		} else if e.Detail != "" {
			text += ": " + e.Detail
		}
		return head + text
	case lab.KindExpect:
		if e.Err != "" {
			return s.Bad.Render(head + "✖ " + e.Err)
		}
		text := s.OK.Render("✔") + " " + e.Line
		if e.Value != nil {
			text += " (" + lab.FormatExpectValue(e.Line, *e.Value) + ")"
		}
		return head + text
	case lab.KindLesson:
		return head + lessonText(e)
	}
	text := e.Line
	if e.Detail != "" {
		text += " " + e.Detail
	}
	if e.Err != "" {
		return s.Bad.Render(head + text + " ✖ " + e.Err)
	}
	return head + text
}

// lessonText is a lesson progress event in words: "step 2 passed",
// "step 1 quiz: choice 2 (right)", "step 3 hint 1", "lesson done".
func lessonText(e lab.Event) string {
	switch e.What {
	case lab.LessonDone:
		return "lesson done"
	case lab.LessonQuiz:
		text := fmt.Sprintf("step %d quiz: choice %d", e.Step, e.Choice)
		if e.Correct != nil && *e.Correct {
			return text + " (right)"
		} else if e.Correct != nil {
			return text + " (wrong)"
		}
		return text
	case lab.LessonHint:
		return fmt.Sprintf("step %d hint %d", e.Step, e.Hint)
	}
	return fmt.Sprintf("step %d %s", e.Step, e.What)
}

// stateWord colours a component state by what it means: ok, degraded or bad.
func (p *EventsPanel) stateWord(st string) string {
	s := p.common.Styles
	switch st {
	case "up", "healthy", "closed":
		return s.OK.Render(st)
	case "slow", "half-open":
		return s.Warn.Render(st)
	case "failing", "hung", "down", "ejected", "open":
		return s.Bad.Render(st)
	}
	return st
}
