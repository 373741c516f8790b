package tui

import (
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/ansi"

	"github.com/scalelab/scalelab/lab"
	"github.com/scalelab/scalelab/lab/lesson"
	"github.com/scalelab/scalelab/lessons"
)

// demoLessonMD has three steps: two checks and two hints; a quiz and a
// wait; a check the fixture does not meet (queue.depth is 10).
const demoLessonMD = "---\nid: demo\ntitle: Demo lesson\nsummary: A demo.\nminutes: 5\npreset: web\ntrack: 1-foundations\norder: 1\n---\n" +
	"Intro text.\n\n" +
	"## Even shares\n\nWatch the **Routing** panel.\n\n```lab\nload 300/s\nexpect lb.share{backend=web-1} > 30% within 10s\nexpect latency.p50 < 30ms within 10s\n```\n\n" +
	"> Hint: first hint.\n> Hint: second hint.\n\n" +
	"## Slow server\n\n```quiz\nquestion: What happens?\nchoices: [alpha, bravo, charlie]\nanswer: 2\nexplain: Because bravo.\n```\n\n" +
	"```lab\nslow web-1 +200ms\nwait 5s\nexpect cache.hit_ratio > 50% within 10s\n```\n\n" +
	"## Last\n\n```lab\nbalancer least-conn\nexpect queue.depth < 5 within 10s\n```\n"

func demoLesson(t testing.TB) *lesson.Lesson {
	t.Helper()
	l, diags := lesson.Parse("demo.md", []byte(demoLessonMD))
	if len(diags) > 0 {
		t.Fatalf("demo lesson: %v", diags)
	}
	return l
}

// testEnv is a lesson environment without colour, saving to path ("" for
// no file).
func testEnv(p *lesson.Progress, path string) *lessonEnv {
	return newLessonEnv(fixtureCommon(), newProgressStore(path, p), newProseRenderer(true, true))
}

// openLesson opens the demo lesson over src at w×h and runs its first
// commands (not the dashboard's Init: its Cmds tick and block).
func openLesson(t *testing.T, env *lessonEnv, src *fakeSource, w, h int) LessonView {
	t.Helper()
	lv := NewLessonView(env, demoLesson(t), src, 1)
	t.Cleanup(lv.Stop)
	lv, _ = lv.Update(tea.WindowSizeMsg{Width: w, Height: h})
	return runLV(t, lv, lv.initCmd)
}

// runLV runs cmd and feeds everything it delivers back, as the runtime
// would, dropping the dashboard's ticks.
func runLV(t *testing.T, lv LessonView, cmd tea.Cmd) LessonView {
	t.Helper()
	queue := runCmd(t, cmd)
	for len(queue) > 0 {
		msg := queue[0]
		queue = queue[1:]
		var next tea.Cmd
		lv, next = lv.Update(msg)
		queue = append(queue, runCmd(t, next)...)
	}
	return lv
}

// pressLV sends keys one at a time and runs what they start.
func pressLV(t *testing.T, lv LessonView, keys ...string) LessonView {
	t.Helper()
	for _, k := range keys {
		var cmd tea.Cmd
		lv, cmd = lv.Update(keyMsg(k))
		lv = runLV(t, lv, cmd)
	}
	return lv
}

// observeLV hands the lesson a view as the dashboard's tick would; the
// next tick is dropped.
func observeLV(t *testing.T, lv LessonView, v lab.View) LessonView {
	t.Helper()
	lv, cmd := lv.Update(viewMsg{lv.dash.id, v})
	if lv.env.store.path == "" {
		return lv // nothing to save; the rest is the dashboard's next tick
	}
	// Run what is not the dashboard's tick (a progress save).
	msgs := runCmd(t, cmd)
	for _, msg := range msgs {
		lv, _ = lv.Update(msg)
	}
	return lv
}

func lvScreen(lv LessonView) string { return ansi.Strip(lv.View()) }

func requireScreen(t *testing.T, lv LessonView, want ...string) {
	t.Helper()
	s := lvScreen(lv)
	for _, w := range want {
		if !strings.Contains(s, w) {
			t.Fatalf("screen lacks %q:\n%s", w, s)
		}
	}
}

func refuseScreen(t *testing.T, lv LessonView, refuse ...string) {
	t.Helper()
	s := lvScreen(lv)
	for _, w := range refuse {
		if strings.Contains(s, w) {
			t.Fatalf("screen shows %q:\n%s", w, s)
		}
	}
}

func TestLessonChecklistFromSnapshot(t *testing.T) {
	src := newFakeSource()
	lv := openLesson(t, testEnv(lesson.NewProgress(), ""), src, 160, 48)
	requireCalls(t, src, execCall{"load 300/s", lab.SourceLesson})
	if lv.state != stateChecking {
		t.Fatalf("state %v after the step's commands, want checking", lv.state)
	}
	lv = observeLV(t, lv, viewWith(map[string]float64{"latency.p50": 40}))
	requireScreen(t, lv,
		"✔ lb.share{backend=web-1} > 30%  now 33.3%",
		"✖ latency.p50 < 30ms  now 40ms",
		"watching the checks")
	if lv.state != stateChecking {
		t.Fatalf("passed with a check failing")
	}
	lv = pressLV(t, lv, "n")
	if lv.step != 0 {
		t.Fatalf("n moved to step %d before the step passed", lv.step+1)
	}
	lv = observeLV(t, lv, viewWith(map[string]float64{"latency.p50": 6}))
	if lv.state != statePassed {
		t.Fatalf("state %v with every check holding, want passed", lv.state)
	}
	requireScreen(t, lv, "✔ passed after", "✔ latency.p50 < 30ms  now 6ms")
	// The pass is latched: a later bad snapshot does not undo it.
	lv = observeLV(t, lv, viewWith(map[string]float64{"latency.p50": 90}))
	if lv.state != statePassed {
		t.Fatalf("a later snapshot unlatched the pass")
	}
	lv = pressLV(t, lv, "n")
	if lv.step != 1 || lv.state != stateQuiz {
		t.Fatalf("after n: step %d state %v, want step 2 asking its quiz", lv.step+1, lv.state)
	}
}

func TestLessonCommandsRunBeforeChecksLatch(t *testing.T) {
	// While a step's commands run, checks are shown but cannot pass.
	src := newFakeSource()
	env := testEnv(lesson.NewProgress(), "")
	lv := NewLessonView(env, demoLesson(t), src, 1)
	t.Cleanup(lv.Stop)
	lv, _ = lv.Update(tea.WindowSizeMsg{Width: 160, Height: 48})
	if lv.state != stateRunning || lv.inflight == 0 {
		t.Fatalf("state %v inflight %d, want running with a command in flight", lv.state, lv.inflight)
	}
	lv = observeLV(t, lv, fixtureView(fixtureSeconds)) // every check holds
	if lv.state != stateRunning {
		t.Fatalf("passed before its commands ran: %v", lv.state)
	}
	requireScreen(t, lv, "running: load 300/s")
	lv = runLV(t, lv, lv.initCmd)
	lv = observeLV(t, lv, fixtureView(fixtureSeconds))
	if lv.state != statePassed {
		t.Fatalf("state %v, want passed", lv.state)
	}
}

func TestLessonSkip(t *testing.T) {
	src := newFakeSource()
	lv := openLesson(t, testEnv(lesson.NewProgress(), ""), src, 160, 48)
	lv = pressLV(t, lv, "N")
	if lv.step != 1 || lv.records[0].outcome != outcomeSkipped {
		t.Fatalf("after N: step %d, step 1 outcome %v", lv.step+1, lv.records[0].outcome)
	}
	// Skipping a step still asking its quiz still applies its commands,
	// without the wait, so the next step finds the lab it expects.
	lv = pressLV(t, lv, "N")
	requireCalls(t, src, execCall{"load 300/s", lab.SourceLesson}, execCall{"slow web-1 +200ms", lab.SourceLesson},
		execCall{"balancer least-conn", lab.SourceLesson})
	if lv.step != 2 {
		t.Fatalf("after 2×N: step %d, want 3", lv.step+1)
	}
	lv = pressLV(t, lv, "N")
	if lv.state != stateComplete {
		t.Fatalf("N on the last step: %v, want the summary", lv.state)
	}
	requireScreen(t, lv, "Lesson complete", "0 of 3 steps passed · 3 skipped", "↷ skipped")
}

// TestLessonProgressEvents: the view puts lesson progress on the lab's
// bus, where the session log reads it.
func TestLessonProgressEvents(t *testing.T) {
	src := newFakeSource()
	sub := src.Subscribe(false)
	lv := openLesson(t, testEnv(lesson.NewProgress(), ""), src, 160, 48)
	lv = pressLV(t, lv, "?", "N") // a hint, then skip step 1
	lv = pressLV(t, lv, "2", "enter")
	lv = observeLV(t, lv, fixtureView(fixtureSeconds))
	lv = pressLV(t, lv, "n", "N")
	if lv.state != stateComplete {
		t.Fatalf("state %v, want complete", lv.state)
	}
	var got []string
	for _, e := range sub.Drain() {
		if e.Kind != lab.KindLesson {
			continue
		}
		if e.Lesson != "demo" {
			t.Errorf("event for lesson %q", e.Lesson)
		}
		s := fmt.Sprintf("%d %s", e.Step, e.What)
		switch e.What {
		case lab.LessonHint:
			s += fmt.Sprint(" ", e.Hint)
		case lab.LessonQuiz:
			s += fmt.Sprint(" ", e.Choice, " ", e.Correct != nil && *e.Correct)
		}
		got = append(got, s)
	}
	want := []string{"1 started", "1 hint 1", "1 skipped", "2 started", "2 quiz 2 true", "2 passed", "3 started", "3 skipped", "3 done"}
	if !slices.Equal(got, want) {
		t.Errorf("lesson events %q, want %q", got, want)
	}
}

func TestLessonHintsOneAtATime(t *testing.T) {
	p := lesson.NewProgress()
	lv := openLesson(t, testEnv(p, ""), newFakeSource(), 160, 48)
	refuseScreen(t, lv, "Hint 1/2")
	lv = pressLV(t, lv, "?")
	requireScreen(t, lv, "Hint 1/2: first hint.")
	refuseScreen(t, lv, "Hint 2/2", "Help ·")
	lv = pressLV(t, lv, "?")
	requireScreen(t, lv, "Hint 1/2: first hint.", "Hint 2/2: second hint.")
	lv = pressLV(t, lv, "?") // no third hint: nothing changes, and the dashboard's help does not open
	if lv.hints != 2 || p.Lesson("demo").Hints[0] != 2 || lv.showHelp {
		t.Fatalf("hints %d, saved %v, dashboard help %v; want 2, 2, false", lv.hints, p.Lesson("demo").Hints, lv.showHelp)
	}
	// The dashboard's help is on H, and says what ? does here.
	lv = pressLV(t, lv, "H")
	requireScreen(t, lv, "Help · any key closes", "skip step", "leave lesson", "all keys", "kill selected")
	lv = pressLV(t, lv, "x")
	refuseScreen(t, lv, "Help · any key closes")
}

func TestLessonQuiz(t *testing.T) {
	for _, tc := range []struct {
		name  string
		keys  []string
		right bool
		want  []string
	}{
		{"arrows, right", []string{"down", "enter"}, true, []string{"✔ Right: 2. bravo", "Because bravo."}},
		{"number, wrong", []string{"3", "enter"}, false, []string{"✖ You predicted: 3. charlie", "Answer: 2. bravo", "Because bravo."}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			src := newFakeSource()
			p := lesson.NewProgress()
			p.Pass("demo", 0) // resume at the quiz
			lv := openLesson(t, testEnv(p, ""), src, 160, 48)
			if lv.step != 1 || lv.state != stateQuiz {
				t.Fatalf("step %d state %v, want step 2 asking", lv.step+1, lv.state)
			}
			requireScreen(t, lv, "Predict first", "What happens?", "▸ 1. alpha", "2. bravo")
			// The quiz is asked before the step's commands run.
			requireCalls(t, src, execCall{"load 300/s", lab.SourceLesson})
			lv = pressLV(t, lv, tc.keys[:len(tc.keys)-1]...)
			if lv.state != stateQuiz {
				t.Fatalf("choosing locked the quiz in")
			}
			lv = pressLV(t, lv, tc.keys[len(tc.keys)-1])
			requireCalls(t, src, execCall{"load 300/s", lab.SourceLesson},
				execCall{"slow web-1 +200ms", lab.SourceLesson}, execCall{"wait 5s", lab.SourceLesson})
			requireScreen(t, lv, "You predicted:")
			refuseScreen(t, lv, "Because bravo.")
			lv = observeLV(t, lv, fixtureView(fixtureSeconds))
			if lv.state != statePassed {
				t.Fatalf("state %v, want passed", lv.state)
			}
			requireScreen(t, lv, tc.want...)
			if got, want := p.Lesson("demo").Quiz[1], lv.quiz.Choice(); got != want || lv.quiz.Right() != tc.right {
				t.Errorf("saved choice %d, dialog %d right=%v", got, want, lv.quiz.Right())
			}
		})
	}
}

func TestLessonCompleteSummary(t *testing.T) {
	p := lesson.NewProgress()
	lv := openLesson(t, testEnv(p, ""), newFakeSource(), 160, 48)
	lv = pressLV(t, lv, "?")
	lv = observeLV(t, lv, fixtureView(fixtureSeconds))
	lv = pressLV(t, lv, "n", "3", "enter")
	lv = observeLV(t, lv, fixtureView(fixtureSeconds))
	lv = pressLV(t, lv, "n")
	lv = observeLV(t, lv, viewWith(map[string]float64{"queue.depth": 3}))
	requireScreen(t, lv, "n finish")
	lv = pressLV(t, lv, "n")
	if lv.state != stateComplete || !p.Lesson("demo").Done {
		t.Fatalf("state %v done %v, want complete and saved done", lv.state, p.Lesson("demo").Done)
	}
	requireScreen(t, lv, "Lesson complete",
		"3 of 3 steps passed · quiz 0/1 right · 1 hint used",
		"1. Even shares — ✔ passed after 0s · 1 hint",
		"✔ lb.share{backend=web-1} > 30%  now 33.3%",
		"2. Slow server — ✔ passed after 0s · quiz ✖ wrong",
		"✔ cache.hit_ratio > 50%  now 81%",
		"✔ queue.depth < 5  now 3")
	if got := p.Lesson("demo").Passed; !slices.Equal(got, []int{0, 1, 2}) {
		t.Errorf("passed %v, want all three", got)
	}
}

func TestLessonResumeReplaysPassedSteps(t *testing.T) {
	src := newFakeSource()
	p := lesson.NewProgress()
	p.Pass("demo", 0)
	p.Pass("demo", 1)
	p.Answer("demo", 1, 2)
	p.ShowHints("demo", 2, 0)
	lv := openLesson(t, testEnv(p, ""), src, 160, 48)
	if lv.step != 2 {
		t.Fatalf("resumed at step %d, want 3", lv.step+1)
	}
	// Replayed for their effect, waits dropped, then the step's own.
	requireCalls(t, src, execCall{"load 300/s", lab.SourceLesson}, execCall{"slow web-1 +200ms", lab.SourceLesson},
		execCall{"balancer least-conn", lab.SourceLesson})
	if lv.records[0].outcome != outcomeEarlier || lv.records[1].quiz != 2 {
		t.Errorf("records %+v", lv.records[:2])
	}
	// A lesson passed in full starts over, without replays.
	p.Pass("demo", 2)
	src2 := newFakeSource()
	lv = openLesson(t, testEnv(p, ""), src2, 160, 48)
	if lv.step != 0 {
		t.Fatalf("a finished lesson opened at step %d", lv.step+1)
	}
	requireCalls(t, src2, execCall{"load 300/s", lab.SourceLesson})
}

func TestLessonIgnoresOtherSessions(t *testing.T) {
	lv := openLesson(t, testEnv(lesson.NewProgress(), ""), newFakeSource(), 160, 48)
	lv, cmd := lv.Update(viewMsg{lv.dash.id + 1, fixtureView(fixtureSeconds)})
	if cmd != nil || lv.state != stateChecking {
		t.Fatalf("another session's view was taken: state %v", lv.state)
	}
	lv, _ = lv.Update(stepCmdMsg{session: lv.session, id: 99})
	if lv.state != stateChecking {
		t.Fatalf("a stale command result changed the state")
	}
}

func TestLessonCommandFailure(t *testing.T) {
	lv := openLesson(t, testEnv(lesson.NewProgress(), ""), newFakeSource(), 160, 48)
	lv = pressLV(t, lv, "N") // step 2 asks its quiz
	lv = pressLV(t, lv, "enter")
	// Fail the running step's next command as the lab would.
	lv.state = stateRunning
	lv.current = queuedLine{step: 1, line: lv.lesson.Steps[1].Commands[0]}
	lv.inflight = 42
	lv, _ = lv.Update(stepCmdMsg{session: lv.session, id: 42, err: errTest("unknown server")})
	if lv.state != stateFailed {
		t.Fatalf("state %v, want failed", lv.state)
	}
	requireScreen(t, lv, "✖ line 35: slow web-1 +200ms: unknown server · N skip")
	lv = observeLV(t, lv, fixtureView(fixtureSeconds))
	if lv.state != stateFailed {
		t.Fatalf("a failed step passed")
	}
}

type errTest string

func (e errTest) Error() string { return string(e) }

func TestLessonLeave(t *testing.T) {
	lv := openLesson(t, testEnv(lesson.NewProgress(), ""), newFakeSource(), 160, 48)
	_, cmd := lv.Update(keyMsg("q"))
	if msgs := runCmd(t, cmd); len(msgs) != 1 || msgs[0] != (leaveLessonMsg{lv.session}) {
		t.Fatalf("q delivered %v, want leaveLessonMsg", msgs)
	}
}

func TestLessonDashboardKeysStillWork(t *testing.T) {
	src := newFakeSource()
	lv := openLesson(t, testEnv(lesson.NewProgress(), ""), src, 160, 48)
	lv = pressLV(t, lv, "k")
	requireCalls(t, src, execCall{"load 300/s", lab.SourceLesson}, execCall{"kill web-1", lab.SourceKey})
	requireScreen(t, lv, "✔ kill web-1")
}

func TestLessonLayout(t *testing.T) {
	for _, tc := range []struct {
		w, h   int
		wide   bool
		want   []string
		refuse []string
	}{
		{160, 48, true, []string{"Step 1/3 · Demo lesson", "Demo lesson", "Intro text.", "Map · Shop", "Routing · round-robin", "Latency"}, nil},
		{80, 24, false, []string{"Step 1/3 · Demo lesson", "Routing · round-robin", "now 33.3%"}, []string{"Map · Shop", "Latency"}},
		{70, 20, false, []string{"too small"}, nil},
	} {
		lv := openLesson(t, testEnv(lesson.NewProgress(), ""), newFakeSource(), tc.w, tc.h)
		lv = observeLV(t, lv, viewWith(map[string]float64{"latency.p50": 40}))
		view := lv.View()
		if got := lipgloss.Height(view); got != tc.h {
			t.Errorf("%d×%d: view is %d lines", tc.w, tc.h, got)
		}
		for i, line := range strings.Split(view, "\n") {
			if got := lipgloss.Width(line); got != tc.w {
				t.Errorf("%d×%d: line %d is %d wide: %q", tc.w, tc.h, i, got, ansi.Strip(line))
			}
		}
		if lv.wide != tc.wide {
			t.Errorf("%d×%d: wide %v", tc.w, tc.h, lv.wide)
		}
		requireScreen(t, lv, tc.want...)
		refuseScreen(t, lv, tc.refuse...)
		if tc.w >= MinWidth && (lv.dash.Focused() != "routing" || lv.dash.zoomed == tc.wide) {
			t.Errorf("%d×%d: focus %v zoomed %v", tc.w, tc.h, lv.dash.Focused(), lv.dash.zoomed)
		}
	}
}

func TestLessonProseRenderedOncePerStepAndWidth(t *testing.T) {
	env := testEnv(lesson.NewProgress(), "")
	lv := openLesson(t, env, newFakeSource(), 160, 48)
	if len(env.prose.cache) != 1 {
		t.Fatalf("%d renderings after opening, want 1", len(env.prose.cache))
	}
	for range 3 {
		lv = observeLV(t, lv, fixtureView(fixtureSeconds))
		_ = lv.View()
	}
	lv, _ = lv.Update(tea.WindowSizeMsg{Width: 80, Height: 24})
	lv, _ = lv.Update(tea.WindowSizeMsg{Width: 160, Height: 48})
	if len(env.prose.cache) != 2 {
		t.Fatalf("%d renderings after views and two resizes, want 2 (one per width)", len(env.prose.cache))
	}
	// Glamour rendered the Markdown: no ** left, the heading is there.
	requireScreen(t, lv, "Watch the Routing panel.")
	refuseScreen(t, lv, "**Routing**")
}

func TestLessonSavesProgress(t *testing.T) {
	path := filepath.Join(t.TempDir(), "scalelab", "progress.json")
	env := testEnv(lesson.NewProgress(), path)
	lv := openLesson(t, env, newFakeSource(), 160, 48)
	lv = pressLV(t, lv, "?")
	lv = observeLV(t, lv, fixtureView(fixtureSeconds))
	_ = lv
	got, err := lesson.LoadProgress(path)
	if err != nil {
		t.Fatal(err)
	}
	if lp := got.Lesson("demo"); !lp.HasPassed(0) || lp.Hints[0] != 1 {
		t.Errorf("saved progress %+v, want step 1 passed with 1 hint", lp)
	}
}

func TestPanelFor(t *testing.T) {
	l := demoLesson(t)
	for i, want := range []string{"routing", "cache", "queue"} {
		if got, ok := stepPanel(&l.Steps[i]); !ok || got != want {
			t.Errorf("step %d: panel %v, want %v", i+1, got, want)
		}
	}
	if _, ok := stepPanel(&lesson.Step{}); ok {
		t.Error("a step without expects names a panel")
	}
	for metric, want := range map[string]string{
		"backend.latency.p99{backend=web-1}": "routing", "latency.p99": "latency", "shard.count": "shards",
		"breaker.state{name=payments}": "breaker", "trace.sampled": "traces",
	} {
		if got, ok := panelFor([]string{metric}); !ok || got != want {
			t.Errorf("%s: %v, want %v", metric, got, want)
		}
	}
}

// TestShippedLessonsRender opens every shipped lesson's every step at both
// sizes: each screen is exactly the terminal's size.
func TestShippedLessonsRender(t *testing.T) {
	set := lesson.Load(lesson.Source{FS: lessons.FS, Name: "lessons"})
	if len(set.Lessons) == 0 || len(set.Diags) > 0 {
		t.Fatalf("shipped lessons: %d, problems %v", len(set.Lessons), set.Diags)
	}
	for _, ls := range set.Lessons {
		for _, size := range [][2]int{{80, 24}, {160, 48}} {
			lv := NewLessonView(testEnv(lesson.NewProgress(), ""), ls, newFakeSource(), 1)
			lv, _ = lv.Update(tea.WindowSizeMsg{Width: size[0], Height: size[1]})
			for i := range ls.Steps {
				lv = runLV(t, lv, lv.initCmd)
				lv.initCmd = nil
				lv = observeLV(t, lv, fixtureView(fixtureSeconds))
				view := lv.View()
				if h := lipgloss.Height(view); h != size[1] {
					t.Errorf("%s step %d at %dx%d: %d lines", ls.ID, i+1, size[0], size[1], h)
				}
				for j, line := range strings.Split(view, "\n") {
					if w := lipgloss.Width(line); w != size[0] {
						t.Errorf("%s step %d at %dx%d: line %d is %d wide", ls.ID, i+1, size[0], size[1], j, w)
						break
					}
				}
				var cmd tea.Cmd
				lv, cmd = lv.Update(keyMsg("N"))
				lv = runLV(t, lv, cmd)
			}
			if lv.state != stateComplete {
				t.Errorf("%s: skipping every step did not complete it (%v)", ls.ID, lv.state)
			}
			lv.Stop()
		}
	}
}
