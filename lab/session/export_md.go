package session

// Markdown export: a report of a session a learner or instructor can read
// on GitHub or in any text viewer — what was typed and injected when, how
// the lesson went, the key metrics at intervals, and plain-text charts of
// latency and hit ratio over time.

import (
	"cmp"
	"errors"
	"fmt"
	"io"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/scalelab/scalelab/lab"
)

// Report layout.
const (
	mdInterval  = 5  // lab seconds between rows of the metrics table, at least
	mdMaxRows   = 60 // the interval grows so the table has at most this many rows
	mdChartCols = 60 // chart width in columns; longer sessions are bucketed
	mdSlowest   = 5  // slowest traces listed
)

// WriteMarkdown writes a Markdown report of the log: the session's setup, a
// timeline of commands, faults, state changes and expects, each lesson's
// steps (passed or skipped, quiz answers, hints shown), a metrics table
// every 5 lab seconds (coarser for long sessions), sparkline charts of
// p50/p99 latency and cache hit ratio, and the slowest recorded traces. It
// uses no terminal escapes. It fails when the log holds only its header.
func WriteMarkdown(w io.Writer, l *Log) error {
	if len(l.Events) == 0 && len(l.Metrics) == 0 && len(l.Lessons) == 0 && len(l.Traces) == 0 {
		return errors.New("nothing to report: the log holds no events, metrics, lesson progress or traces, only its header")
	}
	var b strings.Builder
	mdHeader(&b, l)
	mdWarnings(&b, l)
	mdTimeline(&b, l)
	mdLessons(&b, l)
	mdMetricsTable(&b, l)
	mdCharts(&b, l)
	mdTraces(&b, l)
	if len(l.Frames) > 0 {
		fmt.Fprintf(&b, "The session was recorded (%d frames); `scalelab export LOG --format cast` turns it into an asciinema recording.\n", len(l.Frames))
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func mdHeader(b *strings.Builder, l *Log) {
	h := l.Header
	b.WriteString("# scalelab session report\n\n")
	row := func(k, v string) {
		if v != "" {
			fmt.Fprintf(b, "- **%s:** %s\n", k, v)
		}
	}
	row("Started", h.Start)
	row("Mode", h.Mode)
	row("Preset", h.Preset)
	row("Lesson", h.Lesson)
	row("Replay of", h.Replay)
	row("Seed", strconv.FormatUint(h.Seed, 10))
	if h.Speed > 0 {
		row("Speed", strconv.FormatFloat(h.Speed, 'f', -1, 64)+"x")
	}
	if end := l.end(); end > 0 {
		row("Lab time covered", mdTime(end))
	}
	build := h.Version
	if build == "" {
		build = "unknown"
	}
	row("Build", fmt.Sprintf("%s, log schema %d", build, h.Schema))
	b.WriteString("\n")
}

func mdWarnings(b *strings.Builder, l *Log) {
	if len(l.Warnings) == 0 {
		return
	}
	b.WriteString("## Warnings\n\n")
	for _, s := range l.Warnings {
		fmt.Fprintf(b, "- %s\n", mdLine(s))
	}
	b.WriteString("\n")
}

func mdTimeline(b *strings.Builder, l *Log) {
	events := slices.Clone(l.Events)
	slices.SortStableFunc(events, func(x, y lab.Event) int { return cmp.Compare(x.T, y.T) })
	requests := 0
	b.WriteString("## Timeline\n\n")
	var rows strings.Builder
	for _, e := range events {
		switch e.Kind {
		case lab.KindRequest:
			requests++
			continue
		case lab.KindLesson:
			continue // in the lesson section
		}
		what, source := mdEvent(e)
		fmt.Fprintf(&rows, "| %s | %s | %s | %s |\n", mdTime(e.T), e.Kind, mdCell(source), mdCell(what))
	}
	if rows.Len() == 0 {
		b.WriteString("No commands, faults or state changes were recorded.\n\n")
	} else {
		b.WriteString("| lab time | kind | source | what |\n|---:|---|---|---|\n")
		b.WriteString(rows.String())
		b.WriteString("\n")
	}
	if requests > 0 {
		fmt.Fprintf(b, "%d request event(s) in the log are not listed here.\n\n", requests)
	}
}

// mdEvent describes one event for the timeline: what happened and where it
// came from.
func mdEvent(e lab.Event) (what, source string) {
	switch e.Kind {
	case lab.KindCommand:
		what = mdCode(e.Line)
		if e.Err != "" {
			what += " — error: " + e.Err
		}
		return what, e.Source
	case lab.KindFault:
		return strings.TrimSpace(e.Detail), e.Component
	case lab.KindState:
		what = e.From + " → " + e.To
		if e.From == "" {
			what = e.To
		}
		if e.Detail != "" {
			what += " (" + e.Detail + ")"
		}
		return what, e.Component
	case lab.KindExpect:
		what = mdCode(e.Line)
		switch {
		case e.Err != "":
			what += " — failed: " + e.Err
		case e.Value != nil:
			what += " — passed at " + lab.FormatExpectValue(e.Line, *e.Value)
		default:
			what += " — passed"
		}
		return what, e.Source
	}
	parts := []string{e.Line, e.From, e.To, e.Detail, e.Err}
	return strings.Join(slices.DeleteFunc(parts, func(s string) bool { return s == "" }), " "), cmp.Or(e.Source, e.Component)
}

// mdStep is what the log says about one lesson step.
type mdStep struct {
	started, ended float64
	result         string // "passed", "skipped" or ""
	quiz           []string
	hints          int
}

// lessonProgress is the log's lesson progress in time order, whether it was
// logged as lesson lines or as lab events of kind "lesson".
func (l *Log) lessonProgress() []Lesson {
	ps := slices.Clone(l.Lessons)
	for _, e := range l.Events {
		if e.Kind == lab.KindLesson {
			ps = append(ps, Lesson{Kind: KindLesson, T: e.T, Lesson: e.Lesson, Step: e.Step, What: e.What,
				Choice: e.Choice, Correct: e.Correct, Hint: e.Hint})
		}
	}
	slices.SortStableFunc(ps, func(x, y Lesson) int { return cmp.Compare(x.T, y.T) })
	return ps
}

func mdLessons(b *strings.Builder, l *Log) {
	progress := l.lessonProgress()
	if len(progress) == 0 {
		return
	}
	b.WriteString("## Lesson progress\n\n")
	var order []string
	steps := map[string]map[int]*mdStep{}
	done := map[string]float64{}
	for _, p := range progress {
		if steps[p.Lesson] == nil {
			steps[p.Lesson] = map[int]*mdStep{}
			order = append(order, p.Lesson)
		}
		if p.What == lab.LessonDone {
			done[p.Lesson] = p.T
			continue
		}
		s := steps[p.Lesson][p.Step]
		if s == nil {
			s = &mdStep{started: math.NaN()}
			steps[p.Lesson][p.Step] = s
		}
		switch p.What {
		case lab.LessonStarted:
			s.started = p.T
		case lab.LessonPassed, lab.LessonSkipped:
			s.result, s.ended = p.What, p.T
		case lab.LessonQuiz:
			a := fmt.Sprintf("choice %d", p.Choice)
			switch {
			case p.Correct == nil:
			case *p.Correct:
				a += " ✓ right"
			default:
				a += " ✗ wrong"
			}
			s.quiz = append(s.quiz, a)
		case lab.LessonHint:
			s.hints = max(s.hints, p.Hint)
		}
	}
	for _, id := range order {
		fmt.Fprintf(b, "### %s\n\n", mdLine(id))
		b.WriteString("| step | started | result | took | quiz answers | hints shown |\n|---:|---:|---|---:|---|---:|\n")
		nums := make([]int, 0, len(steps[id]))
		passed, skipped := 0, 0
		for n := range steps[id] {
			nums = append(nums, n)
		}
		slices.Sort(nums)
		for _, n := range nums {
			s := steps[id][n]
			started, took, result := "—", "—", "not finished"
			if !math.IsNaN(s.started) {
				started = mdTime(s.started)
			}
			if s.result != "" {
				result = s.result + " at " + mdTime(s.ended)
				if !math.IsNaN(s.started) {
					took = mdTime(s.ended - s.started)
				}
			}
			switch s.result {
			case lab.LessonPassed:
				passed++
			case lab.LessonSkipped:
				skipped++
			}
			quiz := "—"
			if len(s.quiz) > 0 {
				quiz = strings.Join(s.quiz, ", ")
			}
			fmt.Fprintf(b, "| %d | %s | %s | %s | %s | %d |\n", n, started, result, took, quiz, s.hints)
		}
		fmt.Fprintf(b, "\n%d step(s) passed, %d skipped", passed, skipped)
		if t, ok := done[id]; ok {
			fmt.Fprintf(b, "; lesson finished at %s", mdTime(t))
		}
		b.WriteString(".\n\n")
	}
}

func mdTraces(b *strings.Builder, l *Log) {
	if len(l.Traces) == 0 {
		return
	}
	spans, failed := 0, 0
	for _, tr := range l.Traces {
		spans += len(tr.Spans)
		if len(tr.Spans) > 0 && tr.Spans[0].Err != "" {
			failed++
		}
	}
	b.WriteString("## Traces\n\n")
	fmt.Fprintf(b, "%d sampled traces with %d spans were recorded; %d failed. `scalelab export LOG --format otlp` writes them for OpenTelemetry tools.\n\n", len(l.Traces), spans, failed)
	trs := slices.DeleteFunc(slices.Clone(l.Traces), func(tr Trace) bool { return len(tr.Spans) == 0 })
	dur := func(tr Trace) int64 { return tr.Spans[0].EndNS - tr.Spans[0].StartNS }
	slices.SortStableFunc(trs, func(x, y Trace) int { return cmp.Compare(dur(y), dur(x)) })
	if len(trs) == 0 {
		return
	}
	b.WriteString("Slowest:\n\n| lab time | trace id | request | ms | spans | error |\n|---:|---|---|---:|---:|---|\n")
	for _, tr := range trs[:min(mdSlowest, len(trs))] {
		root := tr.Spans[0]
		fmt.Fprintf(b, "| %s | `%s` | %s | %s | %d | %s |\n", mdTime(tr.T), mdCell(tr.TraceID), mdCell(root.Name),
			lab.FormatMeasure(float64(dur(tr))/1e6), len(tr.Spans), mdCell(cmp.Or(root.Err, "—")))
	}
	b.WriteString("\n")
}

// end is the latest lab time anything in the log happened.
func (l *Log) end() float64 {
	end := 0.0
	for _, e := range l.Events {
		end = max(end, e.T)
	}
	for _, m := range l.Metrics {
		end = max(end, m.T)
	}
	for _, p := range l.Lessons {
		end = max(end, p.T)
	}
	for _, tr := range l.Traces {
		end = max(end, tr.T)
	}
	return end
}

// mdTime formats lab seconds: "7.5 s", or "2:05.0" past a minute.
func mdTime(t float64) string {
	if t < 60 {
		return strconv.FormatFloat(t, 'f', 1, 64) + " s"
	}
	m := int(t / 60)
	return fmt.Sprintf("%d:%04.1f", m, t-float64(m*60))
}

// mdCode formats s as inline code.
func mdCode(s string) string {
	if strings.Contains(s, "`") {
		return "`` " + s + " ``"
	}
	return "`" + s + "`"
}

// mdLine keeps s on one line.
func mdLine(s string) string {
	return strings.Join(strings.Fields(s), " ")
}

// mdCell makes s safe inside a table cell.
func mdCell(s string) string {
	return strings.ReplaceAll(mdLine(s), "|", `\|`)
}
