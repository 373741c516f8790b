package lesson

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
)

func fixedNow() time.Time { return time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC) }

func TestProgressRoundTrip(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state", "scalelab", "progress.json") // dirs do not exist yet
	p := NewProgress()
	p.Now = fixedNow
	lb := LessonProgress{
		Steps: map[int]StepProgress{
			0: {Outcome: "passed", Hints: 1},
			1: {Outcome: "shown", Quiz: 2},
			2: {Hints: 2, Began: 12.5},
		},
		Journal: []Entry{{Step: 0, At: 1500 * time.Millisecond, Lines: []string{"load 300/s", "wait 5s"}, Source: "lesson"}},
	}
	p.Set("load-balancing", lb)
	p.Set("caching", LessonProgress{Steps: map[int]StepProgress{0: {Outcome: "passed"}}, Done: true})
	if err := p.Save(path); err != nil {
		t.Fatal(err)
	}
	got, err := LoadProgress(path)
	if err != nil {
		t.Fatal(err)
	}
	want := lb
	want.UpdatedAt = fixedNow()
	if lp := got.Lesson("load-balancing"); !reflect.DeepEqual(lp, want) {
		t.Errorf("load-balancing = %+v, want %+v", lp, want)
	}
	lp := got.Lesson("load-balancing")
	if lp.Outcome(0) != Passed || lp.Outcome(1) != Shown || lp.Outcome(2) != NotReached || lp.Resume(3) != 2 {
		t.Errorf("outcomes %v %v %v, resume %d", lp.Outcome(0), lp.Outcome(1), lp.Outcome(2), lp.Resume(3))
	}
	if lp := got.Lesson("caching"); !lp.Done || lp.Outcome(0) != Passed || !lp.Solved(1) || lp.Solved(2) {
		t.Errorf("caching = %+v, want done with step 0 passed", lp)
	}
	if lp := got.Lesson("unknown"); lp.Started() {
		t.Errorf("unknown lesson has progress %+v", lp)
	}
	// No temporary file is left beside the saved one.
	entries, _ := os.ReadDir(filepath.Dir(path))
	if len(entries) != 1 {
		t.Errorf("progress dir holds %d files, want 1: %v", len(entries), entries)
	}

	got.Reset("caching")
	if got.Lesson("caching").Started() || !got.Lesson("load-balancing").Started() {
		t.Error("Reset removed the wrong lesson")
	}
	got.ResetAll()
	if len(got.Lessons) != 0 {
		t.Errorf("ResetAll left %d lessons", len(got.Lessons))
	}
}

func TestProgressLessonIsACopy(t *testing.T) {
	p := NewProgress()
	p.Set("a", LessonProgress{Steps: map[int]StepProgress{0: {Quiz: 1}}, Journal: []Entry{{Lines: []string{"kill web-1"}}}})
	lp := p.Lesson("a")
	lp.Steps[0] = StepProgress{Quiz: 3}
	lp.Journal[0].Lines[0] = "revive web-1"
	if a := p.Lesson("a"); a.Steps[0].Quiz != 1 || a.Journal[0].Lines[0] != "kill web-1" {
		t.Error("changing the copy changed the progress")
	}
	c := p.Clone()
	c.Lessons["a"].Steps[0] = StepProgress{Quiz: 2}
	if p.Lesson("a").Steps[0].Quiz != 1 {
		t.Error("changing the clone changed the progress")
	}
}

func TestLoadProgressMissingFile(t *testing.T) {
	p, err := LoadProgress(filepath.Join(t.TempDir(), "none.json"))
	if err != nil || p == nil || len(p.Lessons) != 0 {
		t.Fatalf("LoadProgress(missing) = %+v, %v; want empty, nil", p, err)
	}
}

func TestLoadProgressCorrupt(t *testing.T) {
	for name, content := range map[string]string{
		"truncated":  `{"version":2,"lessons":{"a":{"steps":{"0":`,
		"wrong type": `{"lessons":{"a":{"steps":"all"}}}`,
		"not json":   "\x00\x01garbage",
	} {
		t.Run(name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "progress.json")
			if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
				t.Fatal(err)
			}
			p, err := LoadProgress(path)
			if err == nil || !strings.Contains(err.Error(), "corrupt") || !strings.Contains(err.Error(), path) {
				t.Errorf("error = %v, want one naming the file as corrupt", err)
			}
			if p == nil || len(p.Lessons) != 0 {
				t.Fatalf("progress = %+v, want empty and usable", p)
			}
			// Usable: it can be changed and saved over the corrupt file.
			p.Set("a", LessonProgress{Steps: map[int]StepProgress{0: {Outcome: "passed"}}})
			if err := p.Save(path); err != nil {
				t.Fatal(err)
			}
			if again, err := LoadProgress(path); err != nil || again.Lesson("a").Outcome(0) != Passed {
				t.Errorf("after saving over the corrupt file: %+v, %v", again, err)
			}
		})
	}
}

func TestLoadProgressTooBig(t *testing.T) {
	path := filepath.Join(t.TempDir(), "progress.json")
	f, _ := os.Create(path)
	f.Truncate(maxProgressFile + 1)
	f.Close()
	p, err := LoadProgress(path)
	if err == nil || !strings.Contains(err.Error(), "more than a progress file holds") || len(p.Lessons) != 0 {
		t.Errorf("LoadProgress(huge) = %+v, %v", p, err)
	}
}

// Version 1 files kept passed steps, quiz answers and hints in lists and
// maps of their own; they are read into Steps.
func TestLoadProgressVersion1(t *testing.T) {
	path := filepath.Join(t.TempDir(), "progress.json")
	os.WriteFile(path, []byte(`{"version":1,"lessons":{"a":{"passed":[2,0,2,-1],"quiz":{"1":3},"hints":{"0":2}},"b":null}}`), 0o644)
	p, err := LoadProgress(path)
	if err != nil {
		t.Fatal(err)
	}
	want := map[int]StepProgress{0: {Outcome: "passed", Hints: 2}, 1: {Quiz: 3}, 2: {Outcome: "passed"}}
	if got := p.Lesson("a").Steps; !reflect.DeepEqual(got, want) {
		t.Errorf("steps = %+v, want %+v", got, want)
	}
	if _, ok := p.Lessons["b"]; ok {
		t.Error("a null lesson was kept")
	}
	if lp := p.Lesson("a"); lp.Passed != nil || lp.Quiz != nil || lp.Hints != nil {
		t.Errorf("version 1 fields kept: %+v", lp)
	}
}

func TestResume(t *testing.T) {
	for _, tc := range []struct {
		done []int
		n    int
		want int
	}{
		{nil, 3, 0},
		{[]int{0}, 3, 1},
		{[]int{0, 2}, 3, 1},
		{[]int{0, 1, 2}, 3, 0}, // all done: start over
		{[]int{0, 1, 5}, 2, 0}, // the lesson lost steps
	} {
		lp := LessonProgress{Steps: map[int]StepProgress{}}
		for _, i := range tc.done {
			lp.Steps[i] = StepProgress{Outcome: []string{"passed", "shown", "skipped"}[i%3]}
		}
		if got := lp.Resume(tc.n); got != tc.want {
			t.Errorf("Resume(%v, %d) = %d, want %d", tc.done, tc.n, got, tc.want)
		}
	}
	lp := LessonProgress{Steps: map[int]StepProgress{0: {Outcome: "passed"}, 1: {Outcome: "shown"}, 2: {Outcome: "skipped"}, 5: {Outcome: "passed"}}}
	if p, sh, sk := lp.Count(3); p != 1 || sh != 1 || sk != 1 || lp.Solved(3) {
		t.Errorf("Count = %d %d %d, solved %v", p, sh, sk, lp.Solved(3))
	}
}

func TestDefaultProgressPath(t *testing.T) {
	t.Setenv("XDG_STATE_HOME", "/xdg/state")
	if got, err := DefaultProgressPath(); err != nil || got != "/xdg/state/scalelab/progress.json" {
		t.Errorf("with XDG_STATE_HOME: %q, %v", got, err)
	}
	t.Setenv("XDG_STATE_HOME", "relative/ignored")
	t.Setenv("HOME", "/home/learner")
	if got, err := DefaultProgressPath(); err != nil || got != "/home/learner/.local/state/scalelab/progress.json" {
		t.Errorf("without XDG_STATE_HOME: %q, %v", got, err)
	}
}
