package tui

import (
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/charmbracelet/bubbles/cursor"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/ansi"
	"github.com/muesli/termenv"

	"github.com/scalelab/scalelab/lab"
	"github.com/scalelab/scalelab/lab/lesson"
	"github.com/scalelab/scalelab/lessons"
)

// demoLessonMD has three steps: a watched step with two checks and two
// hints; a watched step with a quiz and a wait; and a task on the queue
// panel whose goal the fixture does not meet (its queue is 10 deep).
const demoLessonMD = "---\nid: demo\ntitle: Demo lesson\nsummary: A demo.\nminutes: 5\npreset: web\ntrack: 1-foundations\norder: 1\n---\n" +
	"Intro text.\n\n" +
	"## Even shares\n\nWatch the **Routing** panel.\n\n```lab\nload 300/s\nexpect lb.share{backend=web-1} > 30% within 10s\nexpect latency.p50 < 30ms within 10s\n```\n\n" +
	"> Hint: first hint.\n> Hint: second hint.\n\n" +
	"## Slow server\n\n```quiz\nquestion: What happens?\nchoices: [alpha, bravo, charlie]\nanswer: 2\nexplain: Because bravo.\n```\n\n" +
	"```lab\nslow web-1 +200ms\nwait 5s\nexpect cache.hit_ratio > 50% within 10s\n```\n\n" +
	"> Hint: look at the cache.\n\n" +
	"## Drain the queue\n\nGet the queue under 5 deep.\n\n```lab\npanel: queue\nbalancer least-conn\nexpect queue.depth < 5 within 10s\n```\n\n" +
	"```solution\nqueue consumers=8\n```\n\n> Hint: more consumers.\n"

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
	return newLessonEnv(fixtureCommon(), newProgressStore(path, p), newProseRenderer(termenv.Ascii, true))
}

// fakeReplayer records the plans it is asked to replay.
type fakeReplayer struct{ plans []lesson.Plan }

func (f *fakeReplayer) replay(p lesson.Plan) error {
	f.plans = append(f.plans, p)
	return nil
}

// openAttempt opens a at w×h over src and runs what it starts (not the
// dashboard's Init: its Cmds tick and block).
func openAttempt(t *testing.T, env *lessonEnv, a *lesson.Attempt, src *fakeSource, rep *fakeReplayer, w, h int) LessonView {
	t.Helper()
	var replay func(lesson.Plan) error
	if rep != nil {
		replay = rep.replay
	}
	lv := NewLessonView(env, lessonOpen{attempt: a, src: src, replay: replay, session: 1})
	t.Cleanup(lv.Stop)
	lv.bar.input.Cursor.SetMode(cursor.CursorStatic) // a blinking cursor's Cmds never end
	lv, _ = lv.Update(tea.WindowSizeMsg{Width: w, Height: h})
	return runLV(t, lv, lv.initCmd)
}

// openLesson opens the demo lesson from env's progress.
func openLesson(t *testing.T, env *lessonEnv, src *fakeSource, w, h int) LessonView {
	t.Helper()
	return openAttempt(t, env, lesson.NewAttempt(demoLesson(t), env.store.p.Lesson("demo")), src, &fakeReplayer{}, w, h)
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

// observeLV hands the lesson a view as the dashboard's tick would, and
// runs what that starts (a progress save, the next step's lines).
func observeLV(t *testing.T, lv LessonView, v lab.View) LessonView {
	t.Helper()
	lv, cmd := lv.Update(viewMsg{lv.dash.id, v})
	return runLV(t, lv, cmd)
}

// typeLV types a line in the command bar and runs it.
func typeLV(t *testing.T, lv LessonView, line string) LessonView {
	t.Helper()
	lv = pressLV(t, lv, ":")
	for _, r := range line {
		lv, _ = lv.Update(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune{r}})
	}
	return pressLV(t, lv, "enter")
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

func wantPhase(t *testing.T, lv LessonView, step int, p lesson.Phase) {
	t.Helper()
	if lv.a.Step() != step || lv.a.Phase() != p {
		t.Fatalf("step %d phase %s, want step %d phase %s", lv.a.Step()+1, lv.a.Phase(), step+1, p)
	}
}

// toTask brings a demo lesson to its task step, watching.
func toTask(t *testing.T, lv LessonView) LessonView {
	t.Helper()
	lv = observeLV(t, lv, fixtureView(fixtureSeconds)) // step 1 passes
	lv = pressLV(t, lv, "n", "2", "enter")
	lv = observeLV(t, lv, fixtureView(fixtureSeconds)) // step 2 passes
	lv = pressLV(t, lv, "n")
	wantPhase(t, lv, 2, lesson.PhaseWatch)
	return lv
}

func TestLessonChecklistFromSnapshot(t *testing.T) {
	src := newFakeSource()
	lv := openLesson(t, testEnv(lesson.NewProgress(), ""), src, 160, 48)
	requireCalls(t, src, execCall{"load 300/s", lab.SourceLesson})
	wantPhase(t, lv, 0, lesson.PhaseWatch)
	lv = observeLV(t, lv, viewWith(map[string]float64{"latency.p50": 40}))
	requireScreen(t, lv,
		"setup: load 300/s",
		"✔ lb.share{backend=web-1} > 30%  now 33.3%",
		"✖ latency.p50 < 30ms  now 40ms",
		"watching the checks")
	lv = pressLV(t, lv, "n")
	wantPhase(t, lv, 0, lesson.PhaseWatch) // n does nothing before the pass
	lv = observeLV(t, lv, viewWith(map[string]float64{"latency.p50": 6}))
	wantPhase(t, lv, 0, lesson.PhaseReached)
	requireScreen(t, lv, "✔ passed after", "✔ latency.p50 < 30ms  now 6ms")
	// The pass is latched: a later bad snapshot does not undo it.
	lv = observeLV(t, lv, viewWith(map[string]float64{"latency.p50": 90}))
	wantPhase(t, lv, 0, lesson.PhaseReached)
	lv = pressLV(t, lv, "n")
	wantPhase(t, lv, 1, lesson.PhaseQuiz)
}

func TestLessonSetupRunsBeforeChecksLatch(t *testing.T) {
	// While a step's setup runs, checks are shown but cannot pass.
	src := newFakeSource()
	env := testEnv(lesson.NewProgress(), "")
	lv := NewLessonView(env, lessonOpen{attempt: lesson.NewAttempt(demoLesson(t), lesson.LessonProgress{}), src: src, session: 1})
	t.Cleanup(lv.Stop)
	lv, _ = lv.Update(tea.WindowSizeMsg{Width: 160, Height: 48})
	wantPhase(t, lv, 0, lesson.PhaseSetup)
	lv = observeLV(t, lv, fixtureView(fixtureSeconds)) // every check holds
	wantPhase(t, lv, 0, lesson.PhaseSetup)
	requireScreen(t, lv, "setting up: load 300/s")
	lv = runLV(t, lv, lv.initCmd)
	lv = observeLV(t, lv, fixtureView(fixtureSeconds))
	wantPhase(t, lv, 0, lesson.PhaseReached)
}

// The goal is not shown before the prediction: the quiz is all the pane
// shows of the step until it is answered.
func TestLessonHidesChecksUntilQuizAnswered(t *testing.T) {
	src := newFakeSource()
	lv := openLesson(t, testEnv(lesson.NewProgress(), ""), src, 160, 48)
	lv = observeLV(t, lv, fixtureView(fixtureSeconds))
	lv = pressLV(t, lv, "n")
	wantPhase(t, lv, 1, lesson.PhaseQuiz)
	lv = observeLV(t, lv, fixtureView(fixtureSeconds))
	requireScreen(t, lv, "Predict first", "What happens?")
	refuseScreen(t, lv, "cache.hit_ratio", "Goal", "slow web-1", "setup:")
	if slices.Contains(src.Calls(), execCall{"slow web-1 +200ms", lab.SourceLesson}) {
		t.Fatal("the step's setup ran before the quiz was answered")
	}
	lv = pressLV(t, lv, "2", "enter")
	requireScreen(t, lv, "You predicted: 2. bravo", "Goal", "cache.hit_ratio > 50%")
}

func TestLessonTaskWaitsForTheLearner(t *testing.T) {
	src := newFakeSource()
	lv := toTask(t, openLesson(t, testEnv(lesson.NewProgress(), ""), src, 160, 48))
	requireScreen(t, lv, "Step 3/3 · task", "your turn: reach the goal", "✖ queue.depth < 5")
	refuseScreen(t, lv, "queue consumers=8") // the solution is not shown
	if lv.dash.Focused() != "queue" {
		t.Errorf("the step names the queue panel; %s is focused", lv.dash.Focused())
	}
	// The goal holds by itself (the queue drained), but the learner has
	// not acted: no pass.
	lv = observeLV(t, lv, viewWith(map[string]float64{"queue.depth": 2}))
	wantPhase(t, lv, 2, lesson.PhaseWatch)
	requireScreen(t, lv, "the goal holds already")
	// A command that only watches does not count as acting.
	lv = typeLV(t, lv, "expect queue.depth < 5")
	lv = observeLV(t, lv, viewWith(map[string]float64{"queue.depth": 2}))
	wantPhase(t, lv, 2, lesson.PhaseWatch)
	// The learner acts; the goal holds: passed.
	lv = typeLV(t, lv, "queue consumers=6")
	lv = observeLV(t, lv, viewWith(map[string]float64{"queue.depth": 2}))
	wantPhase(t, lv, 2, lesson.PhaseReached)
	requireScreen(t, lv, "✔ passed after", "n finish")
	if o := lv.a.Record().Steps[2].Outcome; o != lesson.Passed {
		t.Errorf("outcome %v", o)
	}
}

func TestLessonShowRunsTheSolutionAfterConfirming(t *testing.T) {
	src := newFakeSource()
	lv := toTask(t, openLesson(t, testEnv(lesson.NewProgress(), ""), src, 160, 48))
	n := len(src.Calls())
	lv = pressLV(t, lv, "S")
	requireScreen(t, lv, "run the solution for you? S again (the step counts as shown, not passed)")
	if len(src.Calls()) != n {
		t.Fatal("S ran the solution without confirming")
	}
	lv = pressLV(t, lv, "S")
	if got := src.Calls()[len(src.Calls())-1]; got != (execCall{"queue consumers=8", lab.SourceLesson}) {
		t.Fatalf("last call %v", got)
	}
	requireScreen(t, lv, "solution: queue consumers=8")
	lv = observeLV(t, lv, viewWith(map[string]float64{"queue.depth": 1}))
	wantPhase(t, lv, 2, lesson.PhaseReached)
	requireScreen(t, lv, "reached with the solution shown")
	lv = pressLV(t, lv, "n")
	requireScreen(t, lv, "2 of 3 steps passed · 1 shown", "◐ solution shown")
}

func TestLessonRestartRebuildsTheStep(t *testing.T) {
	rep := &fakeReplayer{}
	src := newFakeSource()
	env := testEnv(lesson.NewProgress(), "")
	lv := openAttempt(t, env, lesson.NewAttempt(demoLesson(t), lesson.LessonProgress{}), src, rep, 160, 48)
	lv = toTask(t, lv)
	lv = typeLV(t, lv, "kill web-2") // the learner's own command, in step 3
	lv, cmd := lv.Update(keyMsg("r"))
	if cmd != nil {
		t.Fatal("r restarted without confirming")
	}
	requireScreen(t, lv, "restart the step? r again rebuilds the lab to where it began")
	lv, cmd = lv.Update(keyMsg("r"))
	var restart restartLessonMsg
	for _, msg := range runCmd(t, cmd) {
		if m, ok := msg.(restartLessonMsg); ok {
			restart = m
		}
	}
	if restart.attempt != lv.a {
		t.Fatal("r r did not ask the root to rebuild the lab")
	}
	// The root builds a new lab and opens the attempt on it: the steps
	// before are replayed (their setup lines; step 3's kill is forgotten),
	// then step 3 begins again.
	src2 := newFakeSource()
	lv2 := openAttempt(t, env, restart.attempt, src2, rep, 160, 48)
	if len(rep.plans) != 1 {
		t.Fatalf("%d replays, want 1", len(rep.plans))
	}
	var lines []string
	for _, e := range rep.plans[0].Entries {
		lines = append(lines, strings.Join(e.Lines, ";"))
	}
	if got := strings.Join(lines, " | "); got != "load 300/s | slow web-1 +200ms;wait 5s" {
		t.Errorf("replayed %q", got)
	}
	wantPhase(t, lv2, 2, lesson.PhaseWatch)
	requireCalls(t, src2, execCall{"balancer least-conn", lab.SourceLesson})
	if r := lv2.a.Record().Steps[2]; r.Restarts != 1 {
		t.Errorf("record %+v", r)
	}
}

func TestLessonRetakeAsksTheQuiz(t *testing.T) {
	p := lesson.NewProgress()
	p.Set("demo", lesson.LessonProgress{Steps: map[int]lesson.StepProgress{
		0: {Outcome: "passed"}, 1: {Outcome: "passed", Quiz: 1}, 2: {Outcome: "shown"},
	}, Done: true})
	lv := openLesson(t, testEnv(p, ""), newFakeSource(), 160, 48)
	wantPhase(t, lv, 0, lesson.PhaseWatch) // a lesson done in full starts over
	lv = observeLV(t, lv, fixtureView(fixtureSeconds))
	lv = pressLV(t, lv, "n")
	wantPhase(t, lv, 1, lesson.PhaseQuiz)
	requireScreen(t, lv, "Predict first")
}

func TestLessonResumeReplaysEarlierSteps(t *testing.T) {
	p := lesson.NewProgress()
	p.Set("demo", lesson.LessonProgress{
		Steps:   map[int]lesson.StepProgress{0: {Outcome: "passed", Hints: 1}, 1: {Began: 12}},
		Journal: []lesson.Entry{{Step: 0, At: 0, Lines: []string{"load 300/s"}, Source: lab.SourceLesson}, {Step: 0, At: 4e9, Lines: []string{"kill web-3"}, Source: lab.SourceTyped}},
	})
	rep := &fakeReplayer{}
	lv := openAttempt(t, testEnv(p, ""), lesson.NewAttempt(demoLesson(t), p.Lesson("demo")), newFakeSource(), rep, 160, 48)
	if len(rep.plans) != 1 || len(rep.plans[0].Entries) != 2 || rep.plans[0].Until.Seconds() != 12 {
		t.Fatalf("replays %+v", rep.plans)
	}
	wantPhase(t, lv, 1, lesson.PhaseQuiz)
	if !lv.a.Record().Steps[0].Earlier {
		t.Error("step 1 is not marked as passed earlier")
	}
}

func TestLessonSkip(t *testing.T) {
	src := newFakeSource()
	lv := openLesson(t, testEnv(lesson.NewProgress(), ""), src, 160, 48)
	lv = pressLV(t, lv, "N")
	wantPhase(t, lv, 1, lesson.PhaseQuiz)
	lv = pressLV(t, lv, "N", "N")
	wantPhase(t, lv, 2, lesson.PhaseDone)
	requireScreen(t, lv, "Lesson complete", "0 of 3 steps passed · 3 skipped", "↷ skipped")
}

// TestLessonProgressEvents: the view puts lesson progress on the lab's
// bus, where the session log reads it.
func TestLessonProgressEvents(t *testing.T) {
	src := newFakeSource()
	sub := src.Subscribe(false)
	lv := openLesson(t, testEnv(lesson.NewProgress(), ""), src, 160, 48)
	lv = pressLV(t, lv, "h", "N") // a hint, then skip step 1
	lv = pressLV(t, lv, "2", "enter")
	lv = observeLV(t, lv, fixtureView(fixtureSeconds))
	lv = pressLV(t, lv, "n", "S", "S", "N")
	wantPhase(t, lv, 2, lesson.PhaseDone)
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
	want := []string{"1 started", "1 hint 1", "1 skipped", "2 started", "2 quiz 2 true", "2 passed", "3 started", "3 shown", "3 skipped", "0 done"}
	if !slices.Equal(got, want) {
		t.Errorf("lesson events %q, want %q", got, want)
	}
}

func TestLessonHintsOneAtATime(t *testing.T) {
	src := newFakeSource()
	lv := openLesson(t, testEnv(lesson.NewProgress(), ""), src, 160, 48)
	refuseScreen(t, lv, "Hint 1/2")
	// Help is on ?, as in the sandbox, and names what h and r do here.
	lv = pressLV(t, lv, "?")
	requireScreen(t, lv, "Help · any key closes", "skip step", "leave lesson", "h hint", "r restart step", "kill selected")
	refuseScreen(t, lv, "hang / unhang", "revive selected")
	lv = pressLV(t, lv, "x")
	refuseScreen(t, lv, "Help · any key closes")
	lv = pressLV(t, lv, "h")
	requireScreen(t, lv, "Hint 1/2: first hint.")
	refuseScreen(t, lv, "Hint 2/2", "Help ·")
	lv = pressLV(t, lv, "h", "h") // no third hint: nothing changes, and h never reaches the dashboard's hang
	requireScreen(t, lv, "Hint 1/2: first hint.", "Hint 2/2: second hint.")
	if lv.a.Hints() != 2 || slices.ContainsFunc(src.Calls(), func(c execCall) bool { return strings.HasPrefix(c.Line, "hang") }) {
		t.Fatalf("hints %d, calls %v", lv.a.Hints(), src.Calls())
	}
	// With no hint left, h still never reaches the dashboard.
	lv = pressLV(t, lv, "?")
	refuseScreen(t, lv, "hang / unhang")
}

func TestLessonQuiz(t *testing.T) {
	for _, tc := range []struct {
		name  string
		keys  []string
		right bool
		want  []string
	}{
		{"arrows, right", []string{"down", "enter"}, true, []string{"✔ Right: 2. bravo", "Because bravo."}},
		{"number, wrong", []string{"3", "enter"}, false, []string{"✖ You predicted: 3. charlie", "Answer: 2. bravo"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			lv := openLesson(t, testEnv(lesson.NewProgress(), ""), newFakeSource(), 160, 48)
			lv = observeLV(t, lv, fixtureView(fixtureSeconds))
			lv = pressLV(t, lv, "n")
			lv = pressLV(t, lv, tc.keys...)
			wantPhase(t, lv, 1, lesson.PhaseWatch)
			refuseScreen(t, lv, "Because bravo.") // revealed after the pass
			lv = observeLV(t, lv, fixtureView(fixtureSeconds))
			requireScreen(t, lv, tc.want...)
			if got := lv.a.Record().Steps[1].Answers; len(got) != 1 || *got[0].Right != tc.right {
				t.Errorf("answers %+v", got)
			}
		})
	}
}

func TestLessonCompleteOffersTheNextLesson(t *testing.T) {
	env := testEnv(lesson.NewProgress(), "")
	next := &lesson.Lesson{ID: "next", Title: "The next one"}
	lv := NewLessonView(env, lessonOpen{attempt: lesson.NewAttempt(demoLesson(t), lesson.LessonProgress{}), src: newFakeSource(), next: next, session: 1})
	t.Cleanup(lv.Stop)
	lv, _ = lv.Update(tea.WindowSizeMsg{Width: 160, Height: 48})
	lv = runLV(t, lv, lv.initCmd)
	lv = pressLV(t, lv, "N", "N", "N")
	requireScreen(t, lv, "enter: next lesson — The next one")
	_, cmd := lv.Update(keyMsg("enter"))
	if msgs := runCmd(t, cmd); len(msgs) != 1 || msgs[0] != (nextLessonMsg{1, next}) {
		t.Fatalf("enter delivered %v", msgs)
	}
}

func TestLessonSetupFailure(t *testing.T) {
	src := newFakeSource()
	l := demoLesson(t)
	l.Steps[1].Setup[0].Cmd, _ = lab.Parse("slow web-9 +200ms") // a server the fake accepts but
	lv := openAttempt(t, testEnv(lesson.NewProgress(), ""), lesson.NewAttempt(l, lesson.LessonProgress{}), src, nil, 160, 48)
	lv = observeLV(t, lv, fixtureView(fixtureSeconds))
	lv = pressLV(t, lv, "n", "2")
	// Fail the setup's first line as the lab would.
	lv, _ = lv.Update(keyMsg("enter"))
	var id, line int
	for bid, r := range lv.runs {
		id, line = bid, r.line
	}
	lv = runLV(t, lv, func() tea.Msg {
		return stepCmdMsg{session: lv.session, batch: id, line: line, err: errTest("line 35: unknown server")}
	})
	wantPhase(t, lv, 1, lesson.PhaseFailed)
	requireScreen(t, lv, "✖ line 35: unknown server · r restart · N skip")
	lv = observeLV(t, lv, fixtureView(fixtureSeconds))
	wantPhase(t, lv, 1, lesson.PhaseFailed)
}

type errTest string

func (e errTest) Error() string { return string(e) }

func TestLessonIgnoresOtherSessions(t *testing.T) {
	lv := openLesson(t, testEnv(lesson.NewProgress(), ""), newFakeSource(), 160, 48)
	lv, cmd := lv.Update(viewMsg{lv.dash.id + 1, fixtureView(fixtureSeconds)})
	if cmd != nil || lv.a.Phase() != lesson.PhaseWatch {
		t.Fatalf("another dashboard's view was taken: %v", lv.a.Phase())
	}
	lv, _ = lv.Update(stepCmdMsg{session: lv.session + 1, batch: 1, line: 1})
	wantPhase(t, lv, 0, lesson.PhaseWatch)
}

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
	if !lv.a.Acting() {
		// Step 1 is watched, not a task; acting is still recorded.
		t.Log("acting is only meaningful for tasks")
	}
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

// At 80×24 the prose pages by a screen, not by two lines.
func TestLessonProsePagesByAScreen(t *testing.T) {
	long := strings.Replace(demoLessonMD, "Watch the **Routing** panel.", strings.Repeat("A line of prose to read.\n\n", 30), 1)
	l, diags := lesson.Parse("long.md", []byte(long))
	if len(diags) > 0 {
		t.Fatal(diags)
	}
	lv := openAttempt(t, testEnv(lesson.NewProgress(), ""), lesson.NewAttempt(l, lesson.LessonProgress{}), newFakeSource(), nil, 80, 24)
	h := lv.vp.Height
	if h < 3 {
		t.Fatalf("prose viewport %d lines high", h)
	}
	requireScreen(t, lv, "pgdn more")
	lv = pressLV(t, lv, "pgdown")
	if lv.vp.YOffset != h {
		t.Errorf("pgdn moved %d lines, want a page of %d", lv.vp.YOffset, h)
	}
}

func TestLessonProseRenderedOncePerStepAndWidth(t *testing.T) {
	env := testEnv(lesson.NewProgress(), "")
	lv := openLesson(t, env, newFakeSource(), 160, 48)
	if len(env.prose.cache) != 1 {
		t.Fatalf("%d renderings after opening, want 1", len(env.prose.cache))
	}
	for range 3 {
		lv = observeLV(t, lv, viewWith(map[string]float64{"latency.p50": 40}))
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
	lv = pressLV(t, lv, "h")
	lv = observeLV(t, lv, fixtureView(fixtureSeconds))
	_ = lv
	got, err := lesson.LoadProgress(path)
	if err != nil {
		t.Fatal(err)
	}
	if lp := got.Lesson("demo"); lp.Outcome(0) != lesson.Passed || lp.Steps[0].Hints != 1 || len(lp.Journal) != 0 {
		t.Errorf("saved progress %+v, want step 1 passed with 1 hint", lp)
	}
}

func TestPanelFor(t *testing.T) {
	for metric, want := range map[string]string{
		"backend.latency.p99{backend=web-1}": "routing", "latency.p99": "latency", "shard.count": "shards",
		"breaker.state{name=payments}": "breaker", "trace.sampled": "traces", "queue.depth": "queue",
	} {
		if got, ok := panelFor([]string{metric}); !ok || got != want {
			t.Errorf("%s: %v, want %v", metric, got, want)
		}
	}
	if got, _ := panelFor([]string{"cache.hit_ratio", "latency.p99", "cache.size"}); got != "cache" {
		t.Errorf("most checks on the cache: %s", got)
	}
	if _, ok := panelFor(nil); ok {
		t.Error("no metrics name a panel")
	}
}

// TestShippedLessonsRender opens every shipped lesson's every step at both
// sizes: each screen is exactly the terminal's size, and every step's
// panel exists.
func TestShippedLessonsRender(t *testing.T) {
	set := lesson.Load(lesson.Source{FS: lessons.FS, Name: "lessons"})
	if len(set.Lessons) == 0 || len(set.Diags) > 0 {
		t.Fatalf("shipped lessons: %d, problems %v", len(set.Lessons), set.Diags)
	}
	for _, ls := range set.Lessons {
		if ds := lesson.CheckPanels(ls, PanelIDs()); len(ds) > 0 {
			t.Errorf("%s: %v", ls.ID, ds)
		}
		for _, size := range [][2]int{{80, 24}, {160, 48}} {
			lv := NewLessonView(testEnv(lesson.NewProgress(), ""), lessonOpen{attempt: lesson.NewAttempt(ls, lesson.LessonProgress{}), src: newFakeSource(), session: 1})
			lv, _ = lv.Update(tea.WindowSizeMsg{Width: size[0], Height: size[1]})
			lv = runLV(t, lv, lv.initCmd)
			for i := range ls.Steps {
				if ls.Steps[i].Quiz != nil {
					lv = pressLV(t, lv, "enter")
				}
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
				lv = pressLV(t, lv, "N")
			}
			if lv.a.Phase() != lesson.PhaseDone {
				t.Errorf("%s: skipping every step did not complete it (%v)", ls.ID, lv.a.Phase())
			}
			lv.Stop()
		}
	}
}
