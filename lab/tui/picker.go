package tui

import (
	"fmt"
	"slices"
	"strings"

	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/bubbles/list"
	tea "github.com/charmbracelet/bubbletea"

	"github.com/scalelab/scalelab/lab/lesson"
)

// openLessonMsg asks the root to open a lesson.
type openLessonMsg struct{ lesson *lesson.Lesson }

// lessonItem is a lesson in the picker with its progress.
type lessonItem struct {
	lesson   *lesson.Lesson
	progress lesson.LessonProgress
}

// progressMark is a lesson's progress as symbol and words: solved (every
// step passed), finished with steps shown or skipped, steps so far, or new.
// Only passed steps count as done: a shown or skipped step is named so.
func progressMark(l *lesson.Lesson, lp lesson.LessonProgress) (mark, words string) {
	n := len(l.Steps)
	passed, shown, skipped := lp.Count(n)
	var not []string
	if shown > 0 {
		not = append(not, fmt.Sprintf("%d shown", shown))
	}
	if skipped > 0 {
		not = append(not, fmt.Sprintf("%d skipped", skipped))
	}
	rest := ""
	if len(not) > 0 {
		rest = ", " + strings.Join(not, ", ")
	}
	switch {
	case lp.Solved(n):
		return "✔", "done"
	case lp.Done:
		return "◑", fmt.Sprintf("finished: %d/%d passed%s", passed, n, rest)
	case lp.Started():
		return "◐", fmt.Sprintf("%d/%d passed%s", passed, n, rest)
	}
	return "○", "new"
}

// Title is the mark and the lesson's title.
func (it lessonItem) Title() string {
	mark, _ := progressMark(it.lesson, it.progress)
	return mark + " " + it.lesson.Title
}

// Description is the track, the order in it, the minutes, the progress
// and the summary.
func (it lessonItem) Description() string {
	l := it.lesson
	_, words := progressMark(l, it.progress)
	return fmt.Sprintf("%s #%d · %d min · %s · %s", l.Track, l.Order, l.Minutes, words, l.Summary)
}

// FilterValue is what `/` matches: title, track, id and summary.
func (it lessonItem) FilterValue() string {
	l := it.lesson
	return l.Title + " " + l.Track + " " + l.ID + " " + l.Summary
}

// wordFilter keeps the targets that hold every word of term, ignoring
// case, in the order given; the matched letters are marked. (The list's
// fuzzy default matched letters scattered anywhere: "cache" found nine
// lessons of ten.)
func wordFilter(term string, targets []string) []list.Rank {
	words := strings.Fields(strings.ToLower(term))
	var out []list.Rank
	for i, t := range targets {
		lower := []rune(strings.ToLower(t))
		if len(lower) != len([]rune(t)) {
			lower = []rune(t) // a letter whose lower case differs in length: match as written
		}
		var marked []int
		match := true
		for _, w := range words {
			at := runeIndex(lower, []rune(w))
			if at < 0 {
				match = false
				break
			}
			for k := range []rune(w) {
				marked = append(marked, at+k)
			}
		}
		if match {
			slices.Sort(marked)
			out = append(out, list.Rank{Index: i, MatchedIndexes: slices.Compact(marked)})
		}
	}
	return out
}

// runeIndex is the index in runes of the first sub, or -1.
func runeIndex(s, sub []rune) int {
	for i := 0; i+len(sub) <= len(s); i++ {
		if slices.Equal(s[i:i+len(sub)], sub) {
			return i
		}
	}
	return -1
}

// Picker lists the lessons by track and order with each one's progress,
// filters them with `/`, and opens the selected one with enter.
type Picker struct {
	env    *lessonEnv
	set    *lesson.Set
	list   list.Model
	w, h   int
	status string
	ok     bool
}

// NewPicker lists set's lessons with their progress.
func NewPicker(env *lessonEnv, set *lesson.Set) Picker {
	d := list.NewDefaultDelegate()
	l := list.New(nil, d, 0, 0)
	l.Title = "scalelab lessons"
	l.SetStatusBarItemName("lesson", "lessons")
	l.Filter = wordFilter
	l.KeyMap.Quit = key.NewBinding(key.WithKeys("q"), key.WithHelp("q", "quit"))
	l.AdditionalShortHelpKeys = func() []key.Binding { return []key.Binding{env.keys.Open} }
	l.AdditionalFullHelpKeys = func() []key.Binding { return []key.Binding{env.keys.Open} }
	p := Picker{env: env, set: set, list: l}
	p.Refresh()
	if len(set.Diags) > 0 {
		p.SetStatus(fmt.Sprintf("%d problem(s) in lesson files; first: %s", len(set.Diags), set.Diags[0].Error()), false)
	}
	return p
}

// Refresh re-reads every lesson's progress (after a lesson closes). The
// Cmd re-applies a filter, if one is set.
func (p *Picker) Refresh() tea.Cmd {
	items := make([]list.Item, len(p.set.Lessons))
	for i, l := range p.set.Lessons {
		items[i] = lessonItem{lesson: l, progress: p.env.store.p.Lesson(l.ID)}
	}
	return p.list.SetItems(items)
}

// SetStatus sets the line under the list; ok says whether it is good news.
func (p *Picker) SetStatus(s string, ok bool) { p.status, p.ok = s, ok }

// SetSize sets the picker's size: the list and one status line.
func (p *Picker) SetSize(w, h int) {
	p.w, p.h = w, h
	p.list.SetSize(w, max(h-1, 1))
}

// Selected is the lesson under the cursor, or nil.
func (p Picker) Selected() *lesson.Lesson {
	if it, ok := p.list.SelectedItem().(lessonItem); ok {
		return it.lesson
	}
	return nil
}

// Update handles keys: enter opens the selected lesson (unless a filter is
// being typed: then enter applies it); the list handles the rest,
// including `/` to filter and q to quit.
func (p Picker) Update(msg tea.Msg) (Picker, tea.Cmd) {
	if k, ok := msg.(tea.KeyMsg); ok && p.list.FilterState() != list.Filtering && key.Matches(k, p.env.keys.Open) {
		if l := p.Selected(); l != nil {
			return p, func() tea.Msg { return openLessonMsg{l} }
		}
		return p, nil
	}
	var cmd tea.Cmd
	p.list, cmd = p.list.Update(msg)
	return p, cmd
}

// View is the list and the status line, exactly w×h.
func (p Picker) View() string {
	s := p.env.common.Styles
	status := ""
	if l := p.Selected(); l != nil {
		status = s.Dim.Render(l.Summary)
	}
	switch {
	case p.env.store.err != "":
		status = s.Err.Render("✖ " + p.env.store.err)
	case p.status != "" && p.ok:
		status = s.OK.Render(p.status)
	case p.status != "":
		status = s.Err.Render("✖ " + p.status)
	}
	lines := strings.Split(fit(p.list.View(), p.w, max(p.h-1, 1)), "\n")
	for i, l := range lines {
		lines[i] = padLine(l, p.w)
	}
	return strings.Join(lines, "\n") + "\n" + padLine(status, p.w)
}
