package tui

import (
	"bytes"
	"errors"
	"io"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/exp/teatest"

	"github.com/scalelab/scalelab/lab"
	"github.com/scalelab/scalelab/lab/lesson"
)

// labRecorder builds real labs and remembers them, to check they stop.
type labRecorder struct {
	mu   sync.Mutex
	labs []*lab.Lab
	err  error
}

func (r *labRecorder) newLab(ls *lesson.Lesson) (*lab.Lab, error) {
	if r.err != nil {
		return nil, r.err
	}
	p, err := lab.LoadPreset(ls.Preset)
	if err != nil {
		return nil, err
	}
	l, err := lab.New(lab.Config{Preset: p})
	if err != nil {
		return nil, err
	}
	r.mu.Lock()
	r.labs = append(r.labs, l)
	r.mu.Unlock()
	return l, nil
}

// requireStopped waits for every lab built to have stopped.
func (r *labRecorder) requireStopped(t *testing.T) {
	t.Helper()
	r.mu.Lock()
	defer r.mu.Unlock()
	for i, l := range r.labs {
		select {
		case <-l.Done():
		case <-time.After(5 * time.Second):
			t.Fatalf("lab %d was not stopped", i)
		}
	}
}

// step delivers msg to the app and returns the Cmd it gave back.
func appStep(a lessonsApp, msg tea.Msg) (lessonsApp, tea.Cmd) {
	next, cmd := a.Update(msg)
	return next.(lessonsApp), cmd
}

func TestLessonsAppOpensAndLeavesALesson(t *testing.T) {
	rec := &labRecorder{}
	path := filepath.Join(t.TempDir(), "progress.json")
	env := testEnv(lesson.NewProgress(), path)
	set := &lesson.Set{Lessons: []*lesson.Lesson{demoLesson(t)}}
	a := newLessonsApp(env, set, rec.newLab, nil)
	t.Cleanup(a.labs.stopAll)
	a, _ = appStep(a, tea.WindowSizeMsg{Width: 160, Height: 48})

	a, cmd := appStep(a, keyMsg("enter"))
	msgs := runCmd(t, cmd) // openLessonMsg
	a, cmd = appStep(a, msgs[0])
	if !strings.Contains(ansi.Strip(a.View()), "starting a web lab") {
		t.Errorf("picker does not say the lab is starting:\n%s", ansi.Strip(a.View()))
	}
	msgs = runCmd(t, cmd) // labBuiltMsg
	a, _ = appStep(a, msgs[0])
	if !a.open || a.lab == nil {
		t.Fatalf("the lesson did not open")
	}
	l := a.lab
	if s := ansi.Strip(a.View()); !strings.Contains(s, "Step 1/3 · Demo lesson") {
		t.Fatalf("lesson view:\n%s", s)
	}
	// Messages of another session are dropped, not delivered.
	a, _ = appStep(a, leaveLessonMsg{a.session + 1})
	if !a.open {
		t.Fatal("another session's leave closed the lesson")
	}

	a, cmd = appStep(a, keyMsg("q"))
	msgs = runCmd(t, cmd) // leaveLessonMsg
	a, cmd = appStep(a, msgs[0])
	if a.open {
		t.Fatal("q did not leave the lesson")
	}
	runCmd(t, cmd) // stops the lab
	select {
	case <-l.Done():
	default:
		t.Fatal("leaving did not stop the lesson's lab")
	}
	if s := ansi.Strip(a.View()); !strings.Contains(s, "scalelab lessons") {
		t.Fatalf("after leaving:\n%s", s)
	}
	// Enter opens a lesson again: the unfinished lesson once left the
	// key it shared with the picker disabled.
	_, cmd = appStep(a, keyMsg("enter"))
	if msgs = runCmd(t, cmd); len(msgs) != 1 {
		t.Fatalf("enter in the picker after leaving a lesson delivered %v, want the lesson opened", msgs)
	} else if _, ok := msgs[0].(openLessonMsg); !ok {
		t.Fatalf("enter in the picker after leaving a lesson delivered %#v", msgs[0])
	}
	if _, cmd = appStep(a, tea.KeyMsg{Type: tea.KeyCtrlC}); cmd == nil || cmd() != (tea.QuitMsg{}) {
		t.Fatal("ctrl+c does not quit")
	}
	rec.requireStopped(t)
}

func TestLessonsAppReportsALabThatWillNotStart(t *testing.T) {
	rec := &labRecorder{err: errors.New("no such preset")}
	a := newLessonsApp(testEnv(lesson.NewProgress(), ""), &lesson.Set{Lessons: []*lesson.Lesson{demoLesson(t)}}, rec.newLab, nil)
	a, _ = appStep(a, tea.WindowSizeMsg{Width: 120, Height: 30})
	a, cmd := appStep(a, keyMsg("enter"))
	a, cmd = appStep(a, runCmd(t, cmd)[0])
	a, _ = appStep(a, runCmd(t, cmd)[0])
	if a.open {
		t.Fatal("a lesson opened without a lab")
	}
	if s := ansi.Strip(a.View()); !strings.Contains(s, "lesson demo: preset web: no such preset") {
		t.Fatalf("picker does not report the error:\n%s", s)
	}
}

func TestProgressStoreNewestWins(t *testing.T) {
	path := filepath.Join(t.TempDir(), "progress.json")
	s := newProgressStore(path, lesson.NewProgress())
	s.p.Set("a", lesson.LessonProgress{Steps: map[int]lesson.StepProgress{0: {Outcome: "passed"}}})
	older := s.changed()
	s.p.Set("a", lesson.LessonProgress{Steps: map[int]lesson.StepProgress{0: {Outcome: "passed"}, 1: {Outcome: "passed"}}})
	newer := s.changed()
	s.saved(newer().(progressSavedMsg))
	s.saved(older().(progressSavedMsg)) // late: must not overwrite
	got, err := lesson.LoadProgress(path)
	if err != nil || got.Lesson("a").Outcome(1) != lesson.Passed {
		t.Fatalf("progress on disk %+v, %v: the older save won", got.Lesson("a"), err)
	}
	if err := s.flush(); err != nil || s.err != "" {
		t.Fatalf("flush: %v, %q", err, s.err)
	}
	// A save that fails is reported until one succeeds.
	bad := newProgressStore(filepath.Join(path, "not-a-dir", "p.json"), lesson.NewProgress())
	bad.saved(bad.changed()().(progressSavedMsg))
	if !strings.Contains(bad.err, "saving progress") {
		t.Errorf("save error not reported: %q", bad.err)
	}
}

func TestRunLessonsQuits(t *testing.T) {
	rec := &labRecorder{}
	path := filepath.Join(t.TempDir(), "progress.json")
	err := RunLessons(&lesson.Set{Lessons: []*lesson.Lesson{demoLesson(t)}}, rec.newLab, path,
		Options{In: strings.NewReader("q"), Out: io.Discard, NoColor: true})
	if err != nil {
		t.Fatal(err)
	}
	rec.requireStopped(t)
}

func TestRunLessonReturnsLabError(t *testing.T) {
	rec := &labRecorder{err: errors.New("boom")}
	in, w := io.Pipe()
	defer w.Close()
	err := RunLesson(demoLesson(t), rec.newLab, "", Options{In: in, Out: io.Discard, NoColor: true})
	if err == nil || !strings.Contains(err.Error(), "boom") {
		t.Fatalf("RunLesson = %v, want the lab's error", err)
	}
}

func TestRunLessonOpensAndStopsItsLab(t *testing.T) {
	rec := &labRecorder{}
	in, w := io.Pipe()
	done := make(chan error, 1)
	go func() {
		done <- RunLesson(demoLesson(t), rec.newLab, filepath.Join(t.TempDir(), "p.json"), Options{In: in, Out: io.Discard, NoColor: true})
	}()
	// q leaves the lesson, which quits; if it arrives before the lab is
	// built it quits from the picker. Either way every lab stops.
	if _, err := w.Write([]byte("q")); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("RunLesson did not return after q")
	}
	w.Close()
	rec.requireStopped(t)
}

// liveLessonMD is a lesson for the web preset: a watched step with a
// quiz, then a task (route around a slow server) the test solves by typing.
const liveLessonMD = "---\nid: live\ntitle: Live\nsummary: S.\nminutes: 1\npreset: web\ntrack: t\norder: 1\n---\n" +
	"## Load\n```quiz\nquestion: Q?\nchoices: [a, b]\nanswer: 2\nexplain: Because b.\n```\n```lab\nhealth off\nload 300/s\nwait 2s\nexpect requests.rate > 200 within 10s\n```\n" +
	"## Route around web-1\nweb-1 is slow: make the balancer send it little.\n```lab\nslow web-1 +200ms\nwait 2s\nexpect lb.share{backend=web-1} < 15% within 15s\n```\n```solution\nbalancer least-conn\n```\n> Hint: least-conn.\n"

// TestLessonLiveOnARealLab plays a lesson end to end in a running program
// on a real lab (at 5× speed): the quiz is asked before the step runs, the
// checks pass from the dashboard's own ticks, the task waits for the
// learner's command, and the summary closes the lesson.
func TestLessonLiveOnARealLab(t *testing.T) {
	if testing.Short() {
		t.Skip("runs a real lab for a few seconds")
	}
	ls, diags := lesson.Parse("live.md", []byte(liveLessonMD))
	if len(diags) > 0 {
		t.Fatal(diags)
	}
	newLab := func(ls *lesson.Lesson) (*lab.Lab, error) {
		p, err := lab.LoadPreset(ls.Preset)
		if err != nil {
			return nil, err
		}
		return lab.New(lab.Config{Preset: p, Speed: 5})
	}
	progress := lesson.NewProgress()
	app := newLessonsApp(testEnv(progress, ""), &lesson.Set{Lessons: []*lesson.Lesson{ls}}, newLab, ls)
	t.Cleanup(app.labs.stopAll)
	tm := teatest.NewTestModel(t, app, teatest.WithInitialTermSize(160, 48))
	waitFor := func(text string) {
		t.Helper()
		teatest.WaitFor(t, tm.Output(), func(out []byte) bool { return bytes.Contains(out, []byte(text)) },
			teatest.WithDuration(60*time.Second), teatest.WithCheckInterval(20*time.Millisecond))
	}
	waitFor("Predict first")
	tm.Send(keyMsg("2"))
	tm.Send(keyMsg("enter"))
	waitFor("Right:")
	tm.Send(keyMsg("n"))
	waitFor("your turn")
	tm.Send(keyMsg(":"))
	tm.Type("balancer least-conn")
	tm.Send(tea.KeyMsg{Type: tea.KeyEnter})
	waitFor("n finish")
	tm.Send(keyMsg("n"))
	waitFor("Lesson complete")
	tm.Send(keyMsg("q"))
	final := tm.FinalModel(t, teatest.WithFinalTimeout(10*time.Second)).(lessonsApp)
	if final.open {
		t.Error("the lesson is still open after q")
	}
	lp := progress.Lesson("live")
	if !lp.Done || !lp.Solved(2) || lp.Steps[0].Quiz != 2 {
		t.Errorf("progress %+v, want done, both steps passed, quiz 2", lp)
	}
}
