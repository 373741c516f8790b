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
	if !p.Pass("load-balancing", 1) || !p.Pass("load-balancing", 0) {
		t.Fatal("Pass of a new step reported no news")
	}
	if p.Pass("load-balancing", 1) {
		t.Fatal("Pass of a passed step reported news")
	}
	p.Answer("load-balancing", 1, 2)
	p.ShowHints("load-balancing", 0, 1)
	p.ShowHints("load-balancing", 2, 2)
	p.Pass("caching", 0)
	p.Finish("caching")
	if err := p.Save(path); err != nil {
		t.Fatal(err)
	}
	got, err := LoadProgress(path)
	if err != nil {
		t.Fatal(err)
	}
	want := LessonProgress{Passed: []int{0, 1}, Quiz: map[int]int{1: 2}, Hints: map[int]int{0: 1, 2: 2}, UpdatedAt: fixedNow()}
	if lp := got.Lesson("load-balancing"); !reflect.DeepEqual(lp, want) {
		t.Errorf("load-balancing = %+v, want %+v", lp, want)
	}
	if lp := got.Lesson("caching"); !lp.Done || !lp.HasPassed(0) || lp.HasPassed(1) {
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
	p.Answer("a", 0, 1)
	lp := p.Lesson("a")
	lp.Quiz[0] = 3
	if p.Lesson("a").Quiz[0] != 1 {
		t.Error("changing the copy changed the progress")
	}
	c := p.Clone()
	c.Answer("a", 0, 2)
	if p.Lesson("a").Quiz[0] != 1 {
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
		"truncated":  `{"version":1,"lessons":{"a":{"passed":[0,`,
		"wrong type": `{"lessons":{"a":{"passed":"all"}}}`,
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
			p.Pass("a", 0)
			if err := p.Save(path); err != nil {
				t.Fatal(err)
			}
			if again, err := LoadProgress(path); err != nil || !again.Lesson("a").HasPassed(0) {
				t.Errorf("after saving over the corrupt file: %+v, %v", again, err)
			}
		})
	}
}

func TestLoadProgressNormalizes(t *testing.T) {
	path := filepath.Join(t.TempDir(), "progress.json")
	os.WriteFile(path, []byte(`{"lessons":{"a":{"passed":[2,0,2,-1]},"b":null}}`), 0o644)
	p, err := LoadProgress(path)
	if err != nil {
		t.Fatal(err)
	}
	if got := p.Lesson("a").Passed; !reflect.DeepEqual(got, []int{0, 2}) {
		t.Errorf("passed = %v, want [0 2]", got)
	}
	if _, ok := p.Lessons["b"]; ok {
		t.Error("a null lesson was kept")
	}
}

func TestResume(t *testing.T) {
	for _, tc := range []struct {
		passed []int
		n      int
		want   int
	}{
		{nil, 3, 0},
		{[]int{0}, 3, 1},
		{[]int{0, 2}, 3, 1},
		{[]int{0, 1, 2}, 3, 0}, // all passed: start over
		{[]int{0, 1, 5}, 2, 0}, // the lesson lost steps
	} {
		lp := LessonProgress{Passed: tc.passed}
		if got := lp.Resume(tc.n); got != tc.want {
			t.Errorf("Resume(%v, %d) = %d, want %d", tc.passed, tc.n, got, tc.want)
		}
	}
	if got := (LessonProgress{Passed: []int{0, 1, 5}}).PassedOf(2); got != 2 {
		t.Errorf("PassedOf = %d, want 2", got)
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
