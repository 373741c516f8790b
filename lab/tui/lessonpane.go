package tui

import (
	"fmt"
	"strings"
	"time"

	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/ansi"

	"github.com/scalelab/scalelab/lab"
	"github.com/scalelab/scalelab/lab/lesson"
)

// This file draws a lesson: the pane (prose, then the step's state, goal,
// hints and quiz), the dashboard beside or under it, and the footer.

// layout sizes the lesson pane and the dashboard. Wide terminals (the
// dashboard still gets MinWidth in 60% of the width) put the pane left
// (40%) and the whole dashboard right; smaller ones stack the pane over the
// dashboard's header and the step's panel, zoomed, without the map.
func (m *LessonView) layout() {
	if m.w < MinWidth || m.h < MinHeight {
		return
	}
	bodyH := m.h - footerLines
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
	m.proseStep = -2 // re-render at the new width
	m.setProse()
	m.refresh()
}

// setProse renders the current step's prose (or, when the lesson is done,
// the summary): Markdown rendered with glamour at the pane's width, once
// per step and width.
func (m *LessonView) setProse() {
	if m.innerW == 0 {
		return
	}
	if m.a.Phase() == lesson.PhaseDone {
		if m.proseStep != -1 {
			m.proseStep, m.prose, m.notes = -1, m.summary(), ""
			m.vp.SetContent(m.prose)
			m.vp.GotoTop()
		}
		return
	}
	if m.proseStep == m.a.Step() {
		return
	}
	m.proseStep = m.a.Step()
	st := m.a.Current()
	md := "## " + st.Title + "\n\n" + st.Prose
	if m.a.Step() == 0 {
		ls := m.a.Lesson()
		md = "# " + ls.Title + "\n\n" + ls.Intro + "\n\n" + md
	}
	m.prose, m.notes = m.env.prose.render(proseKey{m.a.Lesson().ID, m.a.Step(), m.innerW}, md), ""
	m.vp.SetContent(m.prose)
	m.vp.GotoTop()
}

// refresh re-renders the pane after a change: the lower part (what the
// step is doing and its goal) stays in view under the prose; hints and the
// quiz's outcome follow the prose in the scrolling text, which scrolls to
// them when they change. Then it updates which keys are enabled.
func (m *LessonView) refresh() {
	m.lower = m.renderLower()
	scroll := false
	if m.a.Phase() != lesson.PhaseDone && m.innerW > 0 {
		if notes := m.renderNotes(); notes != m.notes {
			m.notes = notes
			text := m.prose
			if notes != "" {
				text += "\n\n" + notes
			}
			m.vp.SetContent(text)
			scroll = notes != ""
		}
	}
	lowerH, gap := 0, 0
	if m.lower != "" {
		lowerH, gap = lipgloss.Height(m.lower), 1
	}
	// The text takes what it needs of the room the lower part leaves, so
	// the goal sits right under it.
	m.vp.Height = min(max(m.innerH-lowerH-gap, 0), m.vp.TotalLineCount())
	if scroll {
		m.vp.GotoBottom()
	}
	m.enableKeys()
}

// renderNotes is what follows the prose once the quiz is answered: the
// hints revealed and the prediction (then the answer and why).
func (m *LessonView) renderNotes() string {
	if m.a.Phase() == lesson.PhaseQuiz {
		return ""
	}
	s := m.env.common.Styles
	st := m.a.Current()
	var lines []string
	for i := 0; i < m.a.Hints() && i < len(st.Hints); i++ {
		lines = append(lines, wrapIndent(s.Accent.Render(fmt.Sprintf("Hint %d/%d: ", i+1, len(st.Hints)))+st.Hints[i], m.innerW, 2))
	}
	if q := m.quiz.View(); q != "" {
		lines = append(lines, q)
	}
	return strings.Join(lines, "\n")
}

// renderLower is the pane's part under the prose: what the step is doing,
// its goal (after the quiz), hints, and the quiz.
func (m *LessonView) renderLower() string {
	ph := m.a.Phase()
	if ph == lesson.PhaseDone || m.innerW == 0 {
		return ""
	}
	if m.replaying {
		s := m.env.common.Styles
		return wrapIndent(s.Warn.Render(fmt.Sprintf("↻ rebuilding the lab to where step %d began: replaying the steps before it at ×%g", m.a.Step()+1, float64(lesson.ReplaySpeed)))+
			s.Dim.Render(fmt.Sprintf(" · lab %s of %s", roundDur(m.dash.LabView().T), roundDur(m.a.Plan().Until))), m.innerW, 2)
	}
	if ph == lesson.PhaseQuiz {
		return m.quiz.View()
	}
	s := m.env.common.Styles
	st := m.a.Current()
	w := m.innerW
	lines := []string{m.stateLine()}
	roomy := m.innerH >= 14                       // small panes keep the goal and drop what the events panel also says
	if len(st.Setup) > 0 && !st.Task() && roomy { // a task's situation is told in its prose, not given away
		lines = append(lines, wrapIndent(s.Dim.Render("setup: "+joinLines(st.Setup)), w, 2))
	}
	if m.a.Showing() {
		lines = append(lines, wrapIndent(s.Accent.Render("solution: ")+joinLines(st.Solution), w, 2))
	}
	checks := m.a.Checks()
	if ph == lesson.PhaseReached {
		checks = m.a.Record().Steps[m.a.Step()].Checks
	}
	if len(st.Expects) > 0 && roomy {
		lines = append(lines, s.Bold.Render("Goal"))
	}
	for i, e := range st.Expects {
		c := lesson.Check{Line: e.Expect.Line}
		if i < len(checks) {
			c = checks[i]
		}
		lines = append(lines, wrapIndent(checkLine(s, e.Expect, c), w, 4))
	}
	if len(st.Expects) == 0 {
		lines = append(lines, s.Dim.Render("(no checks: this step passes once its setup ran)"))
	}
	return strings.Join(lines, "\n")
}

// stateLine says where the step is and what the learner can do.
func (m *LessonView) stateLine() string {
	s := m.env.common.Styles
	st := m.a.Current()
	last := m.a.Step() == len(m.a.Lesson().Steps)-1
	switch m.a.Phase() {
	case lesson.PhaseSetup:
		what := "setting up"
		for _, r := range m.runs {
			what = "setting up: " + r.running
		}
		return s.Warn.Render("⟳ " + what)
	case lesson.PhaseFailed:
		return wrapIndent(s.Err.Render("✖ "+m.a.Failure())+s.Dim.Render(" · r restart · N skip"), m.innerW, 2)
	case lesson.PhaseReached:
		took := m.snapT() - m.a.Settled()
		if r := m.a.Record().Steps[m.a.Step()]; r.HasEnded {
			took = r.Ended - r.Began
		}
		next := "n next step"
		if last {
			next = "n finish"
		}
		if m.a.Showing() {
			return s.Warn.Render("✔ reached with the solution shown") + s.Dim.Render(" · "+next)
		}
		return s.OK.Render("✔ passed after "+roundDur(took)) + s.Dim.Render(" · "+next)
	}
	// Watching.
	waited := max(m.snapT()-m.a.Settled(), 0)
	switch {
	case st.Task() && m.a.Showing():
		return s.Warn.Render("⟳ showing the solution") + s.Dim.Render(" · watching the goal")
	case st.Task() && m.a.Holding() && !m.a.Acting():
		return s.Accent.Render("▶ your turn") + s.Dim.Render(" · the goal holds already: make the change it asks for")
	case st.Task():
		return wrapIndent(s.Accent.Render("▶ your turn: reach the goal")+s.Dim.Render(" · : command · h hint · S show me"), m.innerW, 2)
	case waited > st.Deadline():
		return s.Warn.Render(fmt.Sprintf("… not yet after %s", st.Deadline())) + s.Dim.Render(" · h hint · r restart · N skip")
	}
	return s.Accent.Render("◌ watching the checks") + s.Dim.Render(fmt.Sprintf(" · %s of %s", roundDur(waited), st.Deadline()))
}

// snapT is the lab time of the last view.
func (m *LessonView) snapT() time.Duration { return m.dash.LabView().T }

func joinLines(ls []lesson.Line) string {
	parts := make([]string, len(ls))
	for i, l := range ls {
		parts[i] = l.Cmd.Line
	}
	return strings.Join(parts, " · ")
}

// checkLine is one check: holds or not, the condition, the value now.
func checkLine(s *Styles, e *lab.Expect, c lesson.Check) string {
	mark := s.Bad.Render("✖")
	if c.Holds {
		mark = s.OK.Render("✔")
	}
	cond := e.Metric + " " + e.Op + " " + e.Text
	return fmt.Sprintf("%s %s  %s", mark, cond, s.Dim.Render("now ")+checkValue(e.Metric, c))
}

// checkValue is a check's metric value now, in its unit.
func checkValue(metric string, c lesson.Check) string {
	if !c.Found {
		return "—"
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

// summary is how the lesson went, step by step, from the attempt's record:
// how each ended and how long it took, the final values of its checks, the
// quiz, the hints used — and the next lesson.
func (m *LessonView) summary() string {
	s := m.env.common.Styles
	w := m.innerW
	ls := m.a.Lesson()
	rec := m.a.Record()
	right, asked, hints := 0, 0, 0
	var body []string
	for i, st := range ls.Steps {
		r := rec.Steps[i]
		var what string
		took, timed := r.Took()
		switch {
		case r.Outcome == lesson.Passed && r.Earlier:
			what = s.OK.Render("✔ passed in an earlier session")
		case r.Outcome == lesson.Passed && timed:
			what = s.OK.Render("✔ passed after " + roundDur(took))
		case r.Outcome == lesson.Passed:
			what = s.OK.Render("✔ passed")
		case r.Outcome == lesson.Shown:
			what = s.Warn.Render("◐ solution shown")
		case r.Outcome == lesson.Skipped:
			what = s.Warn.Render("↷ skipped")
		default:
			what = s.Dim.Render("not reached")
		}
		extra := []string{what}
		if n := len(r.Answers); st.Quiz != nil && n > 0 {
			asked++
			c := r.Answers[n-1].Choice
			if c == st.Quiz.Answer {
				right++
				extra = append(extra, s.OK.Render("quiz ✔ right"))
			} else {
				extra = append(extra, s.Bad.Render("quiz ✖ wrong")+fmt.Sprintf(" (you: %d, answer: %d)", c, st.Quiz.Answer))
			}
		}
		if r.Hints > 0 {
			hints += r.Hints
			extra = append(extra, fmt.Sprintf("%d hint%s", r.Hints, plural(r.Hints)))
		}
		body = append(body, wrapIndent(s.Bold.Render(fmt.Sprintf("%d. %s", i+1, st.Title))+" — "+strings.Join(extra, s.Dim.Render(" · ")), w, 3))
		for j, c := range r.Checks {
			if j < len(st.Expects) {
				body = append(body, "   "+checkLine(s, st.Expects[j].Expect, c))
			}
		}
	}
	passed, shown, skipped := rec.Tally()
	head := s.OK.Render("✔ Lesson complete: ") + s.Bold.Render(ls.Title)
	tally := fmt.Sprintf("%d of %d steps passed", passed, len(ls.Steps))
	if shown > 0 {
		tally += fmt.Sprintf(" · %d shown", shown)
	}
	if skipped > 0 {
		tally += fmt.Sprintf(" · %d skipped", skipped)
	}
	if asked > 0 {
		tally += fmt.Sprintf(" · quiz %d/%d right", right, asked)
	}
	tally += fmt.Sprintf(" · %d hint%s used", hints, plural(hints))
	out := []string{wrapIndent(head, w, 0), wrapIndent(tally, w, 0), ""}
	out = append(out, body...)
	out = append(out, "")
	if m.next != nil {
		out = append(out, wrapIndent(s.Accent.Render("enter: next lesson — ")+m.next.Title, w, 2))
	}
	out = append(out, s.Dim.Render("q back to the lessons"))
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
	if small := tooSmall(s, m.w, m.h); small != "" {
		return small
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
	if m.a.Phase() == lesson.PhaseDone {
		return "Lesson complete · " + m.a.Lesson().Title
	}
	kind := ""
	if m.a.Current().Task() {
		kind = " · task"
	}
	title := fmt.Sprintf("Step %d/%d%s · %s", m.a.Step()+1, len(m.a.Lesson().Steps), kind, m.a.Lesson().Title)
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
	line := statusLine(s, status, ok, "press : for a command, ? for help")
	switch {
	case m.confirm == "restart":
		line = s.Warn.Render("restart the step? r again rebuilds the lab to where it began; any other key keeps it")
	case m.confirm == "show":
		line = s.Warn.Render("run the solution for you? S again (the step counts as shown, not passed)")
	case m.env.store.err != "":
		line = statusLine(s, m.env.store.err, false, "")
	case m.status != "":
		line = statusLine(s, m.status, false, "")
	}
	return footer(&m.bar, line, m.help.ShortHelpView(m.keyMap().ShortHelp()), m.w)
}
