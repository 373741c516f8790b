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
	"slices"
	"strconv"
	"strings"

	"github.com/scalelab/scalelab/lab"
	"github.com/scalelab/scalelab/lab/lesson"
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
			fmt.Fprintf(b, "- **%s:** %s\n", k, mdText(v))
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
		fmt.Fprintf(b, "- %s\n", mdText(s))
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
		fmt.Fprintf(&rows, "| %s | %s | %s | %s |\n", mdTime(e.T), mdText(e.Kind), mdCell(mdText(source)), mdCell(what))
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

// mdEvent describes one event for the timeline: what happened (Markdown,
// every string from the log made safe) and where it came from (plain).
func mdEvent(e lab.Event) (what, source string) {
	switch e.Kind {
	case lab.KindCommand:
		what = mdCode(e.Line)
		if e.Err != "" {
			what += " — error: " + mdText(e.Err)
		}
		return what, e.Source
	case lab.KindFault:
		return mdText(e.Detail), e.Component
	case lab.KindState:
		what = mdText(e.From) + " → " + mdText(e.To)
		if e.From == "" {
			what = mdText(e.To)
		}
		if e.Detail != "" {
			what += " (" + mdText(e.Detail) + ")"
		}
		return what, e.Component
	case lab.KindExpect:
		what = mdCode(e.Line)
		switch {
		case e.Err != "":
			what += " — failed: " + mdText(e.Err)
		case e.Value != nil:
			what += " — passed at " + lab.FormatExpectValue(e.Line, *e.Value)
		default:
			what += " — passed"
		}
		return what, e.Source
	}
	parts := []string{e.Line, e.From, e.To, e.Detail, e.Err}
	return mdText(strings.Join(slices.DeleteFunc(parts, func(s string) bool { return s == "" }), " ")), cmp.Or(e.Source, e.Component)
}

// lessonProgress is the log's lesson progress in time order, whether it was
// logged as lesson lines or as lab events of kind "lesson".
func (l *Log) lessonProgress() []lab.Event {
	var evs []lab.Event
	for _, p := range l.Lessons {
		evs = append(evs, lab.Event{T: p.T, Kind: lab.KindLesson, Lesson: p.Lesson, Step: p.Step, What: p.What,
			Choice: p.Choice, Correct: p.Correct, Hint: p.Hint})
	}
	for _, e := range l.Events {
		if e.Kind == lab.KindLesson {
			evs = append(evs, e)
		}
	}
	slices.SortStableFunc(evs, func(x, y lab.Event) int { return cmp.Compare(x.T, y.T) })
	return evs
}

// mdLessons reports each lesson of the log step by step. The events are
// folded by lesson.Record, as the lesson's own summary is, so the report
// and what the learner saw cannot disagree.
func mdLessons(b *strings.Builder, l *Log) {
	events := l.lessonProgress()
	if len(events) == 0 {
		return
	}
	b.WriteString("## Lesson progress\n\n")
	var order []string
	recs := map[string]*lesson.Record{}
	for _, e := range events {
		if recs[e.Lesson] == nil {
			recs[e.Lesson] = &lesson.Record{}
			order = append(order, e.Lesson)
		}
		recs[e.Lesson].Apply(e)
	}
	for _, id := range order {
		r := recs[id]
		fmt.Fprintf(b, "### %s\n\n", mdText(id))
		b.WriteString("| step | started | result | took | quiz answers | hints shown | restarts |\n|---:|---:|---|---:|---|---:|---:|\n")
		for i, s := range r.Steps {
			if !s.HasBegan && s.Outcome == lesson.NotReached && len(s.Answers) == 0 {
				continue
			}
			started, took, result := "—", "—", "not finished"
			if s.HasBegan {
				started = mdTime(s.Began.Seconds())
			}
			if s.HasEnded {
				result = s.Outcome.String() + " at " + mdTime(s.Ended.Seconds())
			}
			if d, ok := s.Took(); ok {
				took = mdTime(d.Seconds())
			}
			var answers []string
			for _, a := range s.Answers {
				text := fmt.Sprintf("choice %d", a.Choice)
				switch {
				case a.Right == nil:
				case *a.Right:
					text += " ✓ right"
				default:
					text += " ✗ wrong"
				}
				answers = append(answers, text)
			}
			quiz := "—"
			if len(answers) > 0 {
				quiz = strings.Join(answers, ", ")
			}
			fmt.Fprintf(b, "| %d | %s | %s | %s | %s | %d | %d |\n", i+1, started, result, took, quiz, s.Hints, s.Restarts)
		}
		passed, shown, skipped := r.Tally()
		fmt.Fprintf(b, "\n%d step(s) passed, %d shown, %d skipped", passed, shown, skipped)
		if r.Done {
			fmt.Fprintf(b, "; lesson finished at %s", mdTime(r.DoneAt.Seconds()))
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
		fmt.Fprintf(b, "| %s | %s | %s | %s | %d | %s |\n", mdTime(tr.T), mdCell(mdCode(tr.TraceID)), mdCell(mdText(root.Name)),
			lab.FormatMeasure(float64(dur(tr))/1e6), len(tr.Spans), mdCell(mdText(cmp.Or(root.Err, "—"))))
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

// mdCode formats text from a log as inline code: one line, no control
// characters, fenced by more backticks than it holds in a row.
func mdCode(s string) string {
	s = mdLine(s)
	fence := "`"
	for strings.Contains(s, fence) {
		fence += "`"
	}
	if len(fence) > 1 || strings.HasPrefix(s, "`") || strings.HasSuffix(s, "`") {
		return fence + " " + s + " " + fence
	}
	return fence + s + fence
}

// mdLine keeps s on one line, without control characters.
func mdLine(s string) string {
	s = strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0) {
			return ' '
		}
		return r
	}, s)
	return strings.Join(strings.Fields(s), " ")
}

// mdEscape escapes what Markdown or HTML would read as markup.
var mdEscape = strings.NewReplacer(`\`, `\\`, "`", "\\`", "*", `\*`, "_", `\_`, "[", `\[`, "]", `\]`,
	"#", `\#`, "<", "&lt;", ">", "&gt;", "&", "&amp;")

// mdText makes text from a log safe as Markdown prose: one line, no
// control characters, no markup (a lesson id with a newline and a # cannot
// start a heading, a detail with <script> stays text).
func mdText(s string) string { return mdEscape.Replace(mdLine(s)) }

// mdCell makes Markdown safe inside a table cell.
func mdCell(s string) string {
	return strings.ReplaceAll(s, "|", `\|`)
}
