package session

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/scalelab/scalelab/lab"
)

// logFor writes a log of a lab on which the given lesson events happened,
// with user in its header, and reads it back.
func logFor(t *testing.T, user, lessonID string, events ...lab.Event) *Log {
	t.Helper()
	l, err := lab.New(lab.Config{})
	if err != nil {
		t.Fatal(err)
	}
	h := HeaderFor(l, "ssh")
	h.User, h.Lesson = user, lessonID
	path := filepath.Join(t.TempDir(), "log.jsonl")
	w, err := Create(path, h, Options{})
	if err != nil {
		t.Fatal(err)
	}
	w.Attach(l)
	for _, e := range events {
		e.Kind, e.Lesson = lab.KindLesson, lessonID
		l.Publish(e)
	}
	l.Stop()
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	lg, err := readFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return lg
}

func TestClassReport(t *testing.T) {
	yes, no := true, false
	logs := []ClassLog{
		{"a1", logFor(t, "alice (SHA256:abc)", "caching",
			lab.Event{Step: 1, What: lab.LessonStarted}, lab.Event{Step: 1, What: lab.LessonQuiz, Choice: 2, Correct: &yes},
			lab.Event{Step: 1, What: lab.LessonPassed}, lab.Event{Step: 2, What: lab.LessonStarted},
			lab.Event{Step: 2, What: lab.LessonHint, Hint: 1}, lab.Event{Step: 2, What: lab.LessonHint, Hint: 2},
			lab.Event{Step: 2, What: lab.LessonPassed}, lab.Event{What: lab.LessonDone})},
		{"b1", logFor(t, "bob", "caching",
			lab.Event{Step: 1, What: lab.LessonStarted}, lab.Event{Step: 1, What: lab.LessonQuiz, Choice: 1, Correct: &no},
			lab.Event{Step: 1, What: lab.LessonSkipped})},
		{"b2", logFor(t, "bob", "queues", lab.Event{Step: 1, What: lab.LessonStarted})},
	}
	var b bytes.Buffer
	if err := WriteClassMarkdown(&b, logs); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	for _, want := range []string{
		"2 attendee(s), 3 session log(s)",
		"| alice (SHA256:abc) | 1 of 1 | 2 | 0 | 0 | 1 of 1 | 2 |",
		"| bob | 0 of 2 | 0 | 0 | 1 | 0 of 1 | 0 |",
		"| caching | 1 | passed | choice 2 ✓ | 0 | 0 |",
		"| caching | 2 | passed | — | 2 | 0 |",
		"| caching | — | lesson finished |",
		"| caching | 1 | skipped | choice 1 ✗ | 0 | 0 |",
		"| queues | 1 | not finished | — | 0 | 0 |",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("the report lacks %q:\n%s", want, out)
		}
	}
}

func readFile(path string) (*Log, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return Read(f)
}
