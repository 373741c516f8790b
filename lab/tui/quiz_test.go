package tui

import (
	"strings"
	"testing"

	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/ansi"

	"github.com/scalelab/scalelab/lab/lesson"
)

func testQuiz() *lesson.Quiz {
	return &lesson.Quiz{
		Question: "web-1 now takes 200 ms longer per request. What share of requests will round-robin send it?",
		Choices:  []string{"Much less than a third", "Still a third: round-robin only counts turns", "None"},
		Answer:   2,
		Explain:  "Round-robin gives every server its turn.",
	}
}

func quizKeys(t *testing.T, d QuizDialog, keys ...string) QuizDialog {
	t.Helper()
	for _, k := range keys {
		d, _ = d.Update(keyMsg(k))
	}
	return d
}

func TestQuizDialogChoosing(t *testing.T) {
	c := fixtureCommon()
	keys := DefaultLessonKeyMap()
	for _, tc := range []struct {
		keys   []string
		choice int
	}{
		{[]string{"enter"}, 1},
		{[]string{"down", "enter"}, 2},
		{[]string{"up", "enter"}, 3}, // wraps round
		{[]string{"down", "down", "down", "enter"}, 1},
		{[]string{"3", "enter"}, 3},
		{[]string{"3", "9", "enter"}, 3}, // no choice 9: ignored
		{[]string{"2", "up", "enter"}, 1},
	} {
		d := NewQuizDialog(c, keys, testQuiz())
		d.SetWidth(40)
		d = quizKeys(t, d, tc.keys[:len(tc.keys)-1]...)
		if !d.Asking() {
			t.Fatalf("%v: locked before enter", tc.keys)
		}
		d = quizKeys(t, d, "enter")
		if d.Asking() || d.Choice() != tc.choice {
			t.Errorf("%v: choice %d asking %v, want %d", tc.keys, d.Choice(), d.Asking(), tc.choice)
		}
		// Once locked, keys do nothing.
		if d = quizKeys(t, d, "down", "1", "enter"); d.Choice() != tc.choice {
			t.Errorf("%v: a key after locking changed the choice to %d", tc.keys, d.Choice())
		}
	}
}

func TestQuizDialogStages(t *testing.T) {
	d := NewQuizDialog(fixtureCommon(), DefaultLessonKeyMap(), testQuiz())
	d.SetWidth(40)
	view := func() string { return ansi.Strip(d.View()) }
	for i, line := range strings.Split(d.View(), "\n") {
		if w := lipgloss.Width(line); w > 40 {
			t.Errorf("line %d is %d wide, over 40: %q", i, w, ansi.Strip(line))
		}
	}
	if v := view(); !strings.Contains(v, "▸ 1. Much less than a third") || !strings.Contains(v, "What share of") {
		t.Errorf("asking:\n%s", v)
	}
	d.Reveal() // nothing to reveal before a choice
	if !d.Asking() || strings.Contains(view(), "Round-robin gives") {
		t.Errorf("revealed before a choice:\n%s", view())
	}
	d.Lock(7) // not a choice: still asking
	if !d.Asking() {
		t.Error("Lock(7) locked a quiz of 3 choices")
	}
	d.Lock(1)
	if v := view(); !strings.Contains(v, "You predicted: 1. Much less") || strings.Contains(v, "Round-robin gives") {
		t.Errorf("locked:\n%s", v)
	}
	d.Reveal()
	v := view()
	for _, want := range []string{"✖ You predicted: 1. Much less", "Answer: 2. Still a third", "Round-robin gives every server its turn."} {
		if !strings.Contains(strings.Join(strings.Fields(v), " "), want) {
			t.Errorf("revealed lacks %q:\n%s", want, v)
		}
	}
	if d.Right() {
		t.Error("choice 1 reported right")
	}
}

func TestQuizDialogNone(t *testing.T) {
	d := NewQuizDialog(fixtureCommon(), DefaultLessonKeyMap(), nil)
	if d.Asking() || d.View() != "" {
		t.Errorf("a step without a quiz asks: %q", d.View())
	}
}
