package tui

import (
	"fmt"
	"strings"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"

	"github.com/scalelab/scalelab/lab/lesson"
)

// QuizDialog is a step's predict-then-observe question. It is asked before
// the step's commands run, so the learner commits to a prediction, and it
// tells whether the prediction was right only after the step has passed,
// when the dashboard has shown what really happens.
//
// States: asking (arrows or a number move the cursor, enter locks the
// choice in) → locked (the prediction is shown, the answer is not) →
// revealed (right or wrong, the answer and why). Lock and Reveal also
// restore a dialog from saved progress.
type QuizDialog struct {
	common   *Common
	keys     *LessonKeyMap
	quiz     *lesson.Quiz
	cursor   int // 0-based, while asking
	choice   int // 1-based once locked; 0 while asking
	revealed bool
	w        int
	text     string // rendered on every change, so View only returns it
}

// NewQuizDialog asks q.
func NewQuizDialog(c *Common, keys *LessonKeyMap, q *lesson.Quiz) QuizDialog {
	d := QuizDialog{common: c, keys: keys, quiz: q, w: 40}
	d.render()
	return d
}

// SetWidth sets the width the dialog wraps its text to.
func (d *QuizDialog) SetWidth(w int) {
	d.w = max(w, 10)
	d.render()
}

// Asking reports whether the dialog still wants an answer (and the keys).
func (d *QuizDialog) Asking() bool { return d.quiz != nil && d.choice == 0 }

// Choice is the locked-in choice (1-based), 0 while asking.
func (d *QuizDialog) Choice() int { return d.choice }

// Right reports whether the locked-in choice is the answer.
func (d *QuizDialog) Right() bool { return d.quiz != nil && d.choice == d.quiz.Answer }

// Lock locks choice (1-based) in; a choice the quiz does not have (saved
// for an older version of the lesson) is ignored and the dialog keeps asking.
func (d *QuizDialog) Lock(choice int) {
	if d.quiz == nil || choice < 1 || choice > len(d.quiz.Choices) {
		return
	}
	d.choice = choice
	d.cursor = choice - 1
	d.render()
}

// Reveal shows the answer and the explanation.
func (d *QuizDialog) Reveal() {
	if d.choice != 0 {
		d.revealed = true
		d.render()
	}
}

// Update handles keys while asking: up/down or a number move the cursor,
// enter locks the choice in.
func (d QuizDialog) Update(msg tea.Msg) (QuizDialog, tea.Cmd) {
	k, ok := msg.(tea.KeyMsg)
	if !ok || !d.Asking() {
		return d, nil
	}
	n := len(d.quiz.Choices)
	switch {
	case key.Matches(k, d.keys.QuizUp):
		d.cursor = (d.cursor + n - 1) % n
	case key.Matches(k, d.keys.QuizDown):
		d.cursor = (d.cursor + 1) % n
	case key.Matches(k, d.keys.QuizPick):
		if i := int(k.String()[0] - '1'); i < n {
			d.cursor = i
		}
	case key.Matches(k, d.keys.QuizLock):
		d.choice = d.cursor + 1
	default:
		return d, nil
	}
	d.render()
	return d, nil
}

// render lays the dialog out at its width.
func (d *QuizDialog) render() {
	if d.quiz == nil {
		d.text = ""
		return
	}
	s := d.common.Styles
	q := d.quiz
	wrap := func(text string, indent int) string { return wrapIndent(text, d.w, indent) }
	choice := func(i int) string { return fmt.Sprintf("%d. %s", i, q.Choices[i-1]) }
	var lines []string
	switch {
	case d.choice == 0:
		lines = append(lines, wrap(s.Accent.Render("Predict first")+s.Dim.Render(" · the step runs once you answer"), 0), wrap(s.Bold.Render(q.Question), 0))
		for i := range q.Choices {
			if i == d.cursor {
				lines = append(lines, wrap(s.Key.Render("▸ ")+s.Bold.Render(choice(i+1)), 5))
			} else {
				lines = append(lines, wrap("  "+choice(i+1), 5))
			}
		}
		lines = append(lines, s.Dim.Render(wrap(fmt.Sprintf("↑/↓ or 1-%d choose · enter locks in", len(q.Choices)), 0)))
	case !d.revealed:
		lines = append(lines, wrap(s.Accent.Render("You predicted: ")+choice(d.choice), 2),
			s.Dim.Render("the answer is shown when the step passes"))
	case d.Right():
		lines = append(lines, wrap(s.OK.Render("✔ Right: ")+choice(d.choice), 2), wrap(q.Explain, 0))
	default:
		lines = append(lines, wrap(s.Bad.Render("✖ You predicted: ")+choice(d.choice), 2),
			wrap(s.OK.Render("  Answer: ")+choice(q.Answer), 2), wrap(q.Explain, 0))
	}
	d.text = strings.Join(lines, "\n")
}

// View is the dialog at its width; its height follows the text.
func (d QuizDialog) View() string { return d.text }
