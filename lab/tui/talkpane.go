package tui

import (
	"fmt"
	"strings"
)

// The step pane under a talk's dashboard: the step running, or the next
// one, with its commands (the running line marked ▶) and the speaker's
// notes dimmed; in the presenter layout a shorter pane with the commands
// on one line.

// talkPaneLines is the pane's height, frame included: room for a few
// commands and notes; the presenter layout keeps it to its title and
// one line.
const (
	talkPaneLines          = 8
	talkPanePresenterLines = 4
)

func (m *TalkView) paneHeight() int {
	if m.presenter {
		return talkPanePresenterLines
	}
	return talkPaneLines
}

// pane draws the step pane, exactly m.w × paneHeight.
func (m *TalkView) pane() string {
	s := m.common.Styles
	t := m.stepper.Talk()
	total := len(t.Steps)
	st, ok := m.stepper.Next()
	title := fmt.Sprintf("Talk · %s", t.Title)
	var body []string
	switch {
	case m.running != nil:
		st = *m.running
		title += fmt.Sprintf(" · running step %d/%d", st.N, total)
	case m.rebuilding:
		title += fmt.Sprintf(" · rebuilding to step %d/%d", st.N, total)
	case ok:
		title += fmt.Sprintf(" · next: step %d/%d (n runs it)", st.N, total)
	default:
		title += fmt.Sprintf(" · all %d steps done (p goes back)", total)
		body = append(body, s.Dim.Render("the talk is over: the lab runs on, and every key and command still works"))
	}
	if ok || m.running != nil {
		text := st.Text()
		if m.presenter {
			line := strings.Join(text, "  ·  ")
			if m.running != nil {
				line = "▶ " + line
			}
			body = append(body, line)
		} else {
			for i, l := range text {
				mark := "  "
				if m.running != nil && i == m.line {
					mark = s.Accent.Render("▶ ")
				} else if m.running != nil && i < m.line {
					mark = s.OK.Render("✔ ")
				}
				body = append(body, mark+l)
			}
		}
		if !m.presenter {
			for _, n := range st.Notes {
				if n != "" {
					body = append(body, s.Dim.Render("# "+n))
				}
			}
		}
	}
	return frame(s, title, false, m.w, m.paneHeight(), strings.Join(body, "\n"))
}

// hint is the footer's line when there is no status: what n does now.
func (m *TalkView) hint() string {
	if st, ok := m.stepper.Next(); ok && m.running == nil && !m.rebuilding {
		return fmt.Sprintf("n runs step %d: %s · F freezes time · ? help", st.N, strings.Join(st.Text(), "; "))
	}
	return "p goes back a step · F freezes time · ? help"
}
