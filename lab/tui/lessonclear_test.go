package tui

import (
	"path/filepath"
	"reflect"
	"testing"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/scalelab/scalelab/lab/lesson"
)

// TestLessonOpensOnAClearScreen: Bubble Tea redraws only the lines that
// changed, so a lesson drawn over the picker would leave out the lines the
// two share. A recording (--record) starts with the lesson's own log, so
// the lesson opens with tea.ClearScreen, which makes Bubble Tea draw every
// line of it.
func TestLessonOpensOnAClearScreen(t *testing.T) {
	rec := &labRecorder{}
	env := testEnv(lesson.NewProgress(), filepath.Join(t.TempDir(), "progress.json"))
	a := newLessonsApp(env, &lesson.Set{Lessons: []*lesson.Lesson{demoLesson(t)}}, rec.newLab, nil)
	t.Cleanup(a.labs.stopAll)
	a, _ = appStep(a, tea.WindowSizeMsg{Width: 100, Height: 30})
	a, cmd := appStep(a, keyMsg("enter"))
	a, cmd = appStep(a, runCmd(t, cmd)[0]) // openLessonMsg
	built := runCmd(t, cmd)                // labBuiltMsg
	a, cmd = appStep(a, built[0])
	if !a.open {
		t.Fatal("the lesson did not open")
	}
	batch, ok := cmd().(tea.BatchMsg)
	if !ok {
		t.Fatalf("opening the lesson gave %T, want a batch with tea.ClearScreen", cmd())
	}
	clear := reflect.ValueOf(tea.ClearScreen).Pointer()
	for _, c := range batch {
		if c != nil && reflect.ValueOf(c).Pointer() == clear {
			return
		}
	}
	t.Errorf("opening the lesson does not clear the screen: %d Cmds, none tea.ClearScreen", len(batch))
}
