package session

// The class report: one Markdown page over every attendee's logs of a
// workshop (scalelab serve --ssh writes one log per lesson lab).

import (
	"cmp"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/scalelab/scalelab/lab/lesson"
)

// ClassLog is one attendee log and the name it was read from.
type ClassLog struct {
	Name string
	Log  *Log
}

// attendeeLessons is one attendee's record of each lesson, merged over
// every log of it (a restarted step or a lesson opened again is a new lab
// and a new log).
type attendeeLessons struct {
	user    string
	order   []string
	records map[string]*lesson.Record
	logs    int
}

// WriteClassMarkdown writes the class report: a table with a row per
// attendee (lessons finished, steps passed, quiz answers right, hints
// used), then each attendee's lessons step by step. Attendees are known by
// the user in each log's header (file name when a log has none).
func WriteClassMarkdown(w io.Writer, logs []ClassLog) error {
	byUser := map[string]*attendeeLessons{}
	var users []string
	slices.SortStableFunc(logs, func(a, b ClassLog) int { return cmp.Compare(a.Log.Header.Start, b.Log.Header.Start) })
	for _, cl := range logs {
		user := cmp.Or(cl.Log.Header.User, cl.Name)
		a := byUser[user]
		if a == nil {
			a = &attendeeLessons{user: user, records: map[string]*lesson.Record{}}
			byUser[user] = a
			users = append(users, user)
		}
		a.logs++
		for _, e := range cl.Log.lessonProgress() {
			id := cmp.Or(e.Lesson, cl.Log.Header.Lesson)
			if a.records[id] == nil {
				a.records[id] = &lesson.Record{}
				a.order = append(a.order, id)
			}
			a.records[id].Apply(e)
		}
	}
	slices.Sort(users)
	var b strings.Builder
	fmt.Fprintf(&b, "# Workshop report\n\n%d attendee(s), %d session log(s).\n\n", len(users), len(logs))
	b.WriteString("| attendee | lessons finished | steps passed | shown | skipped | quiz right | hints used |\n|---|---:|---:|---:|---:|---:|---:|\n")
	for _, u := range users {
		a := byUser[u]
		var done, passed, shown, skipped, right, answered, hints int
		for _, id := range a.order {
			r := a.records[id]
			if r.Done {
				done++
			}
			p, s, k := r.Tally()
			passed, shown, skipped = passed+p, shown+s, skipped+k
			for _, st := range r.Steps {
				hints += st.Hints
				for _, ans := range st.Answers {
					answered++
					if ans.Right != nil && *ans.Right {
						right++
					}
				}
			}
		}
		fmt.Fprintf(&b, "| %s | %d of %d | %d | %d | %d | %d of %d | %d |\n", mdCell(mdText(u)), done, len(a.order), passed, shown, skipped, right, answered, hints)
	}
	for _, u := range users {
		a := byUser[u]
		fmt.Fprintf(&b, "\n## %s\n\n", mdText(u))
		if len(a.order) == 0 {
			b.WriteString("No lesson started.\n")
			continue
		}
		b.WriteString("| lesson | step | result | quiz answers | hints | restarts |\n|---|---:|---|---|---:|---:|\n")
		for _, id := range a.order {
			r := a.records[id]
			for i, st := range r.Steps {
				if !st.HasBegan && st.Outcome == lesson.NotReached && len(st.Answers) == 0 {
					continue
				}
				result := "not finished"
				if st.Outcome != lesson.NotReached {
					result = st.Outcome.String()
				}
				quiz := "—"
				var answers []string
				for _, ans := range st.Answers {
					text := fmt.Sprintf("choice %d", ans.Choice)
					if ans.Right != nil && *ans.Right {
						text += " ✓"
					} else if ans.Right != nil {
						text += " ✗"
					}
					answers = append(answers, text)
				}
				if len(answers) > 0 {
					quiz = strings.Join(answers, ", ")
				}
				fmt.Fprintf(&b, "| %s | %d | %s | %s | %d | %d |\n", mdCell(mdText(id)), i+1, result, quiz, st.Hints, st.Restarts)
			}
			if r.Done {
				fmt.Fprintf(&b, "| %s | — | lesson finished | | | |\n", mdCell(mdText(id)))
			}
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}
