package lessons

import (
	"testing"
	"testing/synctest"

	"go.uber.org/goleak"

	"github.com/scalelab/scalelab/lab/lesson"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// TestShippedLessonsLoad: every shipped lesson parses and ids are unique.
func TestShippedLessonsLoad(t *testing.T) {
	set := lesson.Load(lesson.Source{FS: FS, Name: "lessons"})
	if err := set.Diags.Err(); err != nil {
		t.Fatal(err)
	}
	if len(set.Lessons) < 10 {
		t.Fatalf("%d lessons shipped, want the ten of the first track", len(set.Lessons))
	}
	// The curriculum's bar: at least three steps, a predict-then-observe
	// quiz, a task the learner solves, and every step checked on real
	// metrics with a hint ladder.
	for _, l := range set.Lessons {
		quizzes, tasks := 0, 0
		if len(l.Steps) < 3 {
			t.Errorf("%s: %d steps, want at least 3", l.ID, len(l.Steps))
		}
		for i, st := range l.Steps {
			if st.Quiz != nil {
				quizzes++
			}
			if st.Task() {
				tasks++
			}
			if len(st.Expects) == 0 {
				t.Errorf("%s: step %d %q checks nothing", l.ID, i+1, st.Title)
			}
			if len(st.Hints) == 0 {
				t.Errorf("%s: step %d %q has no hint", l.ID, i+1, st.Title)
			}
		}
		if quizzes == 0 {
			t.Errorf("%s: no quiz", l.ID)
		}
		if tasks == 0 {
			t.Errorf("%s: no task: the learner never makes the decision the lesson teaches", l.ID)
		}
	}
}

// TestVerify runs every shipped lesson headless, deterministically and in
// fake time: each watched step must pass on the real metrics of a live lab,
// and each task must not pass by itself and must be reached by its
// solution.
func TestVerify(t *testing.T) {
	set := lesson.Load(lesson.Source{FS: FS, Name: "lessons"})
	for _, ls := range set.Lessons {
		t.Run(ls.ID, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				res, err := lesson.Verify(ls, 1, 1, func(r lesson.StepResult) { t.Log(r) })
				if err != nil {
					t.Fatal(err)
				}
				if !res.Passed {
					t.Fatalf("lesson %s did not pass", ls.ID)
				}
			})
		})
	}
}
