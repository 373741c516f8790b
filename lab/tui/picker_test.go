package tui

import (
	"fmt"
	"strings"
	"testing"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/ansi"

	"github.com/scalelab/scalelab/lab/lesson"
)

// testSet is four lessons on two tracks, as lesson.Load sorts them.
func testSet(t testing.TB) *lesson.Set {
	t.Helper()
	mk := func(id, title, track string, order, minutes int) *lesson.Lesson {
		md := fmt.Sprintf("---\nid: %s\ntitle: %s\nsummary: About %s.\nminutes: %d\npreset: web\ntrack: %s\norder: %d\n---\n"+
			"## One\n```lab\nload 100/s\n```\n## Two\n```lab\nload 200/s\n```\n## Three\n```lab\nload 300/s\n```\n", id, title, id, minutes, track, order)
		l, diags := lesson.Parse(id+".md", []byte(md))
		if len(diags) > 0 {
			t.Fatal(diags)
		}
		return l
	}
	return &lesson.Set{Lessons: []*lesson.Lesson{
		mk("load-balancing", "Round-robin vs least-connections", "1-foundations", 1, 8),
		mk("health-checks", "Health checks eject a dead server", "1-foundations", 2, 6),
		mk("caching", "A cache in front of the database", "2-data", 1, 10),
		mk("sharding", "Sharding with a hash ring", "2-data", 2, 12),
	}}
}

func newTestPicker(t *testing.T, p *lesson.Progress, w, h int) Picker {
	t.Helper()
	pk := NewPicker(testEnv(p, ""), testSet(t))
	pk.SetSize(w, h)
	return pk
}

// pressPicker sends keys, running the list's Cmds (filtering) and keeping
// the last message a Cmd delivered that the picker does not handle.
func pressPicker(t *testing.T, pk Picker, keys ...string) (Picker, tea.Msg) {
	t.Helper()
	var out tea.Msg
	for _, k := range keys {
		var cmd tea.Cmd
		pk, cmd = pk.Update(keyMsg(k))
		for _, msg := range runCmd(t, cmd) {
			switch msg.(type) {
			case openLessonMsg, tea.QuitMsg:
				out = msg
			default:
				pk, _ = pk.Update(msg)
			}
		}
	}
	return pk, out
}

func pickerScreen(pk Picker) string { return ansi.Strip(pk.View()) }

func TestPickerListsTracksInOrderWithProgress(t *testing.T) {
	p := lesson.NewProgress()
	p.Set("load-balancing", lesson.LessonProgress{Steps: map[int]lesson.StepProgress{0: {Outcome: "passed"}, 1: {Outcome: "passed"}, 2: {Outcome: "passed"}}, Done: true})
	p.Set("caching", lesson.LessonProgress{Steps: map[int]lesson.StepProgress{0: {Outcome: "passed"}, 1: {Outcome: "shown"}, 2: {Outcome: "skipped"}}, Done: true})
	p.Set("sharding", lesson.LessonProgress{Steps: map[int]lesson.StepProgress{1: {Hints: 1}}}) // started, nothing passed
	pk := newTestPicker(t, p, 100, 30)
	s := pickerScreen(pk)
	want := []string{
		"✔ Round-robin vs least-connections", "1-foundations #1 · 8 min · done",
		"○ Health checks eject a dead server", "1-foundations #2 · 6 min · new",
		"◑ A cache in front of the database", "2-data #1 · 10 min · finished: 1/3 passed, 1 shown, 1 skipped",
		"◐ Sharding with a hash ring", "2-data #2 · 12 min · 0/3 passed",
	}
	last := -1
	for _, w := range want {
		i := strings.Index(s, w)
		if i < 0 {
			t.Fatalf("picker lacks %q:\n%s", w, s)
		}
		if i < last {
			t.Errorf("%q is out of order:\n%s", w, s)
		}
		last = i
	}
	view := pk.View()
	if got := lipgloss.Height(view); got != 30 {
		t.Errorf("picker is %d lines, want 30", got)
	}
}

func TestPickerOpensSelected(t *testing.T) {
	pk := newTestPicker(t, lesson.NewProgress(), 80, 24)
	pk, msg := pressPicker(t, pk, "down", "down", "enter")
	open, ok := msg.(openLessonMsg)
	if !ok || open.lesson.ID != "caching" {
		t.Fatalf("enter on the third lesson delivered %#v", msg)
	}
	if _, msg = pressPicker(t, pk, "q"); msg != (tea.QuitMsg{}) {
		t.Errorf("q delivered %#v, want quit", msg)
	}
}

func TestPickerFilter(t *testing.T) {
	pk := newTestPicker(t, lesson.NewProgress(), 80, 24)
	pk, msg := pressPicker(t, pk, "/", "s", "h", "a", "r", "d")
	if msg != nil {
		t.Fatalf("typing a filter delivered %#v", msg)
	}
	// Typing: q is a letter of the filter, not quit.
	pk, msg = pressPicker(t, pk, "enter") // applies the filter
	if msg != nil {
		t.Fatalf("enter while filtering delivered %#v, want it to apply the filter", msg)
	}
	s := pickerScreen(pk)
	if !strings.Contains(s, "Sharding with a hash ring") || strings.Contains(s, "Round-robin") {
		t.Fatalf("filter \"shard\" shows:\n%s", s)
	}
	_, msg = pressPicker(t, pk, "enter")
	if open, ok := msg.(openLessonMsg); !ok || open.lesson.ID != "sharding" {
		t.Fatalf("enter on the filtered list delivered %#v", msg)
	}
}

func TestPickerFilterMatchesWords(t *testing.T) {
	// A fuzzy filter let "cache" match every lesson whose text holds c, a,
	// c, h, e in order ("9 lessons • 1 filtered"); a filter is words.
	pk := newTestPicker(t, lesson.NewProgress(), 100, 24)
	pk, _ = pressPicker(t, pk, "/", "c", "a", "c", "h", "e", "enter")
	s := pickerScreen(pk)
	if !strings.Contains(s, "A cache in front of the database") || strings.Contains(s, "Sharding") ||
		strings.Contains(s, "Round-robin") || strings.Contains(s, "Health checks") {
		t.Fatalf("filter \"cache\" shows:\n%s", s)
	}
	if !strings.Contains(s, "1 lesson") || !strings.Contains(s, "3 filtered") {
		t.Errorf("the status bar does not count one lesson shown, three hidden:\n%s", s)
	}
	// Every word must match, in any order and case.
	got := wordFilter("HASH shard", []string{"Sharding with a hash ring", "hash only", "a cache"})
	if len(got) != 1 || got[0].Index != 0 {
		t.Errorf("wordFilter(\"HASH shard\") = %+v, want only the first", got)
	}
}

func TestPickerRefreshShowsNewProgress(t *testing.T) {
	p := lesson.NewProgress()
	pk := newTestPicker(t, p, 100, 30)
	if s := pickerScreen(pk); !strings.Contains(s, "○ A cache in front") {
		t.Fatalf("before:\n%s", s)
	}
	p.Set("caching", lesson.LessonProgress{Steps: map[int]lesson.StepProgress{0: {Outcome: "passed"}, 1: {Outcome: "passed"}}})
	runCmd(t, pk.Refresh())
	if s := pickerScreen(pk); !strings.Contains(s, "◐ A cache in front") || !strings.Contains(s, "2/3 passed") {
		t.Fatalf("after:\n%s", s)
	}
}

func TestPickerReportsLessonProblems(t *testing.T) {
	set := testSet(t)
	set.Diags = lesson.Diags{{File: "lessons/bad.md", Line: 3, Col: 1, Msg: "front matter is missing title"}}
	pk := NewPicker(testEnv(lesson.NewProgress(), ""), set)
	pk.SetSize(120, 20)
	if s := pickerScreen(pk); !strings.Contains(s, "1 problem(s) in lesson files; first: lessons/bad.md:3:1: front matter is missing title") {
		t.Fatalf("picker does not report the bad file:\n%s", s)
	}
}
