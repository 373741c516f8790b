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
	if len(set.Lessons) == 0 {
		t.Fatal("no lessons shipped")
	}
}

// TestVerify runs every shipped lesson headless, deterministically and in
// fake time: each step must pass on the real metrics of a live lab.
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
