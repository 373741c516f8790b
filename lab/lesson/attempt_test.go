package lesson

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/scalelab/scalelab/lab"
)

// attemptMD has a watched step with a quiz, a task with hints, and a last
// watched step without setup.
const attemptMD = "---\nid: att\ntitle: Att\nsummary: S.\nminutes: 1\npreset: web\ntrack: t\norder: 1\n---\n" +
	"## Watch\n```quiz\nquestion: Q?\nchoices: [a, b]\nanswer: 2\nexplain: E.\n```\n```lab\nload 100/s\nwait 1s\nexpect requests.rate > 50\n```\n" +
	"## Task\n```lab\npanel: latency\nslow web-1 +200ms\nexpect requests.rate > 500\n```\n```solution\nload 600/s\n```\n> Hint: one.\n> Hint: two.\n" +
	"## Last\n```lab\nexpect requests.rate > 0\n```\n"

func attemptLesson(t *testing.T) *Lesson {
	t.Helper()
	l, diags := Parse("att.md", []byte(attemptMD))
	if len(diags) > 0 {
		t.Fatal(diags)
	}
	return l
}

// snap is a snapshot at lab second sec with the given request rate.
func snap(sec, rate float64) lab.Snapshot {
	return lab.Snapshot{T: time.Duration(sec * float64(time.Second)), Requests: lab.RequestStats{Rate: rate}}
}

func whats(eff Effects) []string {
	var out []string
	for _, e := range eff.Events {
		out = append(out, e.What)
	}
	return out
}

func sec(x float64) time.Duration { return time.Duration(x * float64(time.Second)) }

func wantPhase(t *testing.T, a *Attempt, p Phase) {
	t.Helper()
	if a.Phase() != p {
		t.Fatalf("phase %s, want %s", a.Phase(), p)
	}
}

func TestAttemptBeginAsksQuizFirst(t *testing.T) {
	a := NewAttempt(attemptLesson(t), LessonProgress{})
	eff := a.Begin(0)
	wantPhase(t, a, PhaseQuiz)
	if eff.Run != nil || strings.Join(whats(eff), ",") != "started" {
		t.Fatalf("Begin with a quiz: %+v", eff)
	}
	// Nothing is checked, and no goal is shown, before the prediction.
	a.Observe(snap(1, 100))
	if a.Checks() != nil || a.Phase() != PhaseQuiz {
		t.Errorf("checks before the quiz: %v", a.Checks())
	}
	if eff := a.Answer(3, 0); eff.Run != nil || a.Phase() != PhaseQuiz {
		t.Errorf("an answer that is not a choice was taken")
	}
}

func TestAttemptAnswerRunsSetup(t *testing.T) {
	a := NewAttempt(attemptLesson(t), LessonProgress{})
	a.Begin(0)
	eff := a.Answer(1, sec(2))
	wantPhase(t, a, PhaseSetup)
	if eff.Run == nil || eff.Run.Kind != SetupBatch || len(eff.Run.Lines) != 2 || eff.Events[0].What != lab.LessonQuiz || *eff.Events[0].Correct {
		t.Fatalf("Answer: %+v", eff)
	}
	if r := a.Record().Steps[0]; len(r.Answers) != 1 || r.Answers[0].Choice != 1 {
		t.Errorf("record: %+v", r)
	}
}

func TestAttemptRanSetup(t *testing.T) {
	a := NewAttempt(attemptLesson(t), LessonProgress{})
	a.Begin(0)
	id := a.Answer(2, 0).Run.ID
	a.Ran(id+1, nil, sec(1)) // not the batch it waits for
	wantPhase(t, a, PhaseSetup)
	a.Ran(id, nil, sec(1))
	wantPhase(t, a, PhaseWatch)
	if a.Settled() != sec(1) {
		t.Errorf("settled at %v", a.Settled())
	}

	b := NewAttempt(attemptLesson(t), LessonProgress{})
	b.Begin(0)
	b.Ran(b.Answer(2, 0).Run.ID, errors.New("line 18: boom"), sec(1))
	wantPhase(t, b, PhaseFailed)
	if b.Failure() != "line 18: boom" {
		t.Errorf("failure %q", b.Failure())
	}
}

func TestAttemptObserveReachesWatchedStep(t *testing.T) {
	a := NewAttempt(attemptLesson(t), LessonProgress{})
	a.Begin(0)
	a.Ran(a.Answer(2, 0).Run.ID, nil, sec(1))
	if eff := a.Observe(snap(0.5, 100)); len(eff.Events) != 0 {
		t.Fatal("a snapshot from before the setup finished passed the step")
	}
	if eff := a.Observe(snap(1.5, 10)); len(eff.Events) != 0 || a.Holding() {
		t.Fatal("a failing check passed the step")
	}
	eff := a.Observe(snap(2, 100))
	wantPhase(t, a, PhaseReached)
	if strings.Join(whats(eff), ",") != "passed" || a.Record().Steps[0].Outcome != Passed {
		t.Fatalf("Observe: %+v, record %+v", eff, a.Record().Steps[0])
	}
	if got := a.Record().Steps[0].Checks; len(got) != 1 || !got[0].Holds {
		t.Errorf("checks kept: %+v", got)
	}
}

// toTask brings a fresh attempt to the task step, watching.
func toTask(t *testing.T) *Attempt {
	t.Helper()
	a := NewAttempt(attemptLesson(t), LessonProgress{})
	a.Begin(0)
	a.Ran(a.Answer(2, 0).Run.ID, nil, sec(1))
	a.Observe(snap(2, 100))
	eff := a.Next(sec(2))
	a.Ran(eff.Run.ID, nil, sec(2))
	wantPhase(t, a, PhaseWatch)
	return a
}

func TestAttemptTaskNeedsTheLearner(t *testing.T) {
	a := toTask(t)
	if a.Step() != 1 || a.Current().Panel != "latency" {
		t.Fatalf("step %d", a.Step())
	}
	// The goal holds, but the learner has not acted: no pass.
	if eff := a.Observe(snap(3, 900)); len(eff.Events) != 0 || !a.Holding() {
		t.Fatal("a task passed without the learner")
	}
	a.Acted("expect requests.rate > 1", lab.SourceTyped, sec(3)) // only watches
	a.Acted("speed 2x", lab.SourceKey, sec(3))                   // only watches
	if a.Observe(snap(3.5, 900)); a.Phase() == PhaseReached || a.Acting() {
		t.Fatal("watching counted as acting")
	}
	a.Acted("load 900/s", lab.SourceTyped, sec(4))
	if !a.Acting() {
		t.Fatal("a command that changes the lab did not count")
	}
	eff := a.Observe(snap(4.5, 900))
	wantPhase(t, a, PhaseReached)
	if a.Record().Steps[1].Outcome != Passed || strings.Join(whats(eff), ",") != "passed" {
		t.Errorf("record %+v", a.Record().Steps[1])
	}
}

func TestAttemptShowRunsTheSolution(t *testing.T) {
	a := toTask(t)
	eff, err := a.Show(sec(3))
	if err != nil || eff.Run == nil || eff.Run.Kind != SolutionBatch || eff.Run.Lines[0].Cmd.Line != "load 600/s" || whats(eff)[0] != lab.LessonShown {
		t.Fatalf("Show: %+v, %v", eff, err)
	}
	if _, err := a.Show(sec(3)); err == nil {
		t.Error("a second Show was taken")
	}
	a.Observe(snap(3.5, 900))
	wantPhase(t, a, PhaseWatch) // the solution is still running
	a.Ran(eff.Run.ID, nil, sec(4))
	a.Observe(snap(4.5, 900))
	wantPhase(t, a, PhaseReached)
	if o := a.Record().Steps[1].Outcome; o != Shown {
		t.Errorf("outcome %v, want shown", o)
	}
	// A step that passes by itself has nothing to show.
	b := NewAttempt(attemptLesson(t), LessonProgress{})
	b.Begin(0)
	if _, err := b.Show(0); !errors.Is(err, ErrNotTask) {
		t.Errorf("Show on a watched step: %v", err)
	}
}

func TestAttemptHints(t *testing.T) {
	a := toTask(t)
	for i, want := range []int{1, 2, 2} {
		eff := a.Hint(sec(3))
		if a.Hints() != want || (i < 2) != (len(eff.Events) == 1) {
			t.Errorf("hint %d: %d revealed, %d events", i+1, a.Hints(), len(eff.Events))
		}
	}
	if a.Record().Steps[1].Hints != 2 {
		t.Errorf("record %+v", a.Record().Steps[1])
	}
}

func TestAttemptSkip(t *testing.T) {
	a := toTask(t)
	eff := a.Skip(sec(5))
	if strings.Join(whats(eff), ",") != "skipped,started" || a.Step() != 2 || a.Record().Steps[1].Outcome != Skipped {
		t.Fatalf("Skip: %v, step %d", whats(eff), a.Step())
	}
	wantPhase(t, a, PhaseWatch) // the last step has no setup
	eff = a.Skip(sec(6))
	wantPhase(t, a, PhaseDone)
	if strings.Join(whats(eff), ",") != "skipped,done" || !a.Record().Done {
		t.Errorf("Skip at the end: %v", whats(eff))
	}
	if eff := a.Skip(sec(7)); len(eff.Events) != 0 {
		t.Error("Skip after the end did something")
	}
}

func TestAttemptNextOnlyWhenReached(t *testing.T) {
	a := toTask(t)
	if eff := a.Next(sec(3)); len(eff.Events) != 0 || a.Step() != 1 {
		t.Fatal("Next left a step that was not reached")
	}
}

func TestAttemptRestartPlansTheReplay(t *testing.T) {
	a := toTask(t)
	a.Acted("balancer least-conn", lab.SourceTyped, sec(2.5))
	plan, eff := a.Restart(sec(3))
	if whats(eff)[0] != lab.LessonRestarted || a.Record().Steps[1].Restarts != 1 {
		t.Fatalf("Restart: %v", whats(eff))
	}
	// The plan holds step 1's setup (at lab 0) and nothing of step 2,
	// whose learner command and setup are forgotten; it runs to when step
	// 2 began.
	if len(plan.Entries) != 1 || plan.Entries[0].Step != 0 || strings.Join(plan.Entries[0].Lines, ";") != "load 100/s;wait 1s" || plan.Until != sec(2) {
		t.Fatalf("plan %+v", plan)
	}
	// After the replay the host begins the step again; the quiz of a step
	// is asked on every attempt.
	a.Begin(sec(2))
	wantPhase(t, a, PhaseSetup)
	if a.Acting() {
		t.Error("acting carried over a restart")
	}
}

func TestAttemptRetakeAsksTheQuizAgain(t *testing.T) {
	l := attemptLesson(t)
	prior := LessonProgress{Steps: map[int]StepProgress{0: {Outcome: "passed", Quiz: 2}, 1: {Outcome: "shown"}, 2: {Outcome: "passed"}}}
	a := NewAttempt(l, prior) // every step done: the lesson starts over
	a.Begin(0)
	wantPhase(t, a, PhaseQuiz)
}

func TestAttemptResumeAndProgress(t *testing.T) {
	a := toTask(t)
	lp := a.Progress(LessonProgress{})
	if lp.Outcome(0) != Passed || lp.Steps[0].Quiz != 2 || lp.Steps[1].Began != 2 || len(lp.Journal) != 1 || lp.Done {
		t.Fatalf("progress %+v", lp)
	}
	b := NewAttempt(attemptLesson(t), lp)
	if b.Step() != 1 || !b.Record().Steps[0].Earlier || b.Record().Steps[0].Outcome != Passed {
		t.Fatalf("resume at %d, record %+v", b.Step(), b.Record().Steps[0])
	}
	if plan := b.Plan(); len(plan.Entries) != 1 || plan.Until != sec(2) {
		t.Errorf("resume plan %+v", plan)
	}
	// A progress file without a journal (an older version's) resumes by
	// replaying the earlier steps' setups and solutions in turn.
	c := NewAttempt(attemptLesson(t), LessonProgress{Steps: map[int]StepProgress{0: {Outcome: "passed"}, 1: {Outcome: "passed"}}})
	if plan := c.Plan(); c.Step() != 2 || len(plan.Entries) != 3 || plan.Entries[2].Lines[0] != "load 600/s" || plan.Until != sec(1+5+5) {
		t.Errorf("scripted plan %+v", plan)
	}
}

// The record an Attempt keeps is the one its events make: the report
// built from a log folds the same events and must agree.
func TestRecordFromEventsMatchesAttempt(t *testing.T) {
	a := NewAttempt(attemptLesson(t), LessonProgress{})
	var events []lab.Event
	collect := func(eff Effects) Effects { events = append(events, eff.Events...); return eff }
	collect(a.Begin(0))
	a.Ran(collect(a.Answer(1, 0)).Run.ID, nil, sec(1))
	collect(a.Observe(snap(2, 100)))
	a.Ran(collect(a.Next(sec(2))).Run.ID, nil, sec(2))
	collect(a.Hint(sec(2)))
	eff, _ := a.Show(sec(3))
	a.Ran(collect(eff).Run.ID, nil, sec(3))
	collect(a.Observe(snap(4, 900)))
	collect(a.Skip(sec(5)))
	collect(a.Skip(sec(6)))
	var r Record
	for _, e := range events {
		r.Apply(e)
	}
	for i, want := range []Outcome{Passed, Shown, Skipped} {
		if r.Steps[i].Outcome != want || a.Record().Steps[i].Outcome != want {
			t.Errorf("step %d: report %v, attempt %v, want %v", i+1, r.Steps[i].Outcome, a.Record().Steps[i].Outcome, want)
		}
	}
	if p, sh, sk := r.Tally(); p != 1 || sh != 1 || sk != 1 || !r.Done || r.Steps[1].Hints != 1 {
		t.Errorf("tally %d %d %d, done %v", p, sh, sk, r.Done)
	}
	if took, ok := r.Steps[1].Took(); !ok || took != sec(2) {
		t.Errorf("step 2 took %v %v", took, ok)
	}
}
