package session

import (
	"bytes"
	"strings"
	"testing"

	"github.com/scalelab/scalelab/lab"
)

func markdown(t *testing.T, l *Log) string {
	t.Helper()
	var b bytes.Buffer
	if err := WriteMarkdown(&b, l); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

func TestMarkdownReport(t *testing.T) {
	md := markdown(t, testLog())
	for _, want := range []string{
		"# scalelab session report",
		"- **Preset:** cache",
		"- **Seed:** 42",
		"- **Build:** v0.9.0, log schema 1",
		// Timeline: lab time, kind, source, line; errors and pipes kept readable.
		"| 0.5 s | command | lesson | `load 200/s zipf=1.1` |",
		"| 10.0 s | fault | payments | errors 50% |",
		"| 12.0 s | state | payments | closed → open (5 failures) |",
		"| 14.0 s | command | bar | `cache size -1` — error: cache size: want a positive number |",
		"| 20.0 s | expect | lesson | `expect cache.hit_ratio >= 0.8 within 30s` — passed at 83% |",
		"`echo a\\|b`",
		"1 request event(s) in the log are not listed here.",
		// Lesson progress.
		"### cache-aside",
		"| 1 | 0.0 s | passed at 8.0 s | 8.0 s | choice 2 ✗ wrong, choice 1 ✓ right | 0 | 0 |",
		"| 2 | 8.0 s | skipped at 22.0 s | 14.0 s | — | 2 | 0 |",
		"1 step(s) passed, 0 shown, 1 skipped; lesson finished at 22.0 s.",
		// Metrics every 5 s: done/s is the interval's mean of 192,194,196,198,190.
		"## Metrics every 5 lab s",
		"| 5.0 s | 200 | 194 | 0 | 2.5 | 15 | 16.7 | 2 | payments closed |",
		"| 15.0 s | 200 | 194 | 12.5 | 3.5 | 25 | 50 | 0 | payments open |",
		// Charts and traces.
		"p99 ms   ▃▃▃▃▄",
		"max 40",
		"hit %    ",
		"2 sampled traces with 5 spans were recorded; 1 failed.",
		"| 2.0 s | `0af7651916cd43dd8448eb211c80319c` | GET /item | 12 | 3 | — |",
		"(3 frames)",
	} {
		if !strings.Contains(md, want) {
			t.Errorf("report lacks %q", want)
		}
	}
	if strings.Count(md, "\n| ") < 6 || strings.Count(md, "payments ") < 6 {
		t.Errorf("metrics table too short:\n%s", md)
	}
	if strings.ContainsAny(md, "\x1b\r") {
		t.Error("report contains terminal escapes or carriage returns")
	}
	if t.Failed() {
		t.Log(md)
	}
}

func TestMarkdownRows(t *testing.T) {
	// 6 rows for 30 s at 5 s, one per interval.
	md := markdown(t, testLog())
	table := md[strings.Index(md, "## Metrics"):strings.Index(md, "## Charts")]
	if got := strings.Count(table, "\n| ") - 1; got != 6 {
		t.Errorf("metrics rows = %d, want 6:\n%s", got, table)
	}
}

func TestMarkdownLongSession(t *testing.T) {
	// An hour of snapshots: the table coarsens to at most 60 rows and the
	// charts to at most 60 columns.
	l := &Log{Header: Header{Start: testStart}}
	for s := 1; s <= 3600; s++ {
		l.Metrics = append(l.Metrics, Metrics{T: float64(s), Metrics: map[string]float64{"latency.p99": float64(s % 100), "cache.hit_ratio": 0.5}})
	}
	md := markdown(t, l)
	if !strings.Contains(md, "## Metrics every 60 lab s") {
		t.Errorf("want a 60 s interval:\n%s", md[:min(len(md), 600)])
	}
	table := md[strings.Index(md, "## Metrics"):strings.Index(md, "## Charts")]
	if got := strings.Count(table, "\n| ") - 1; got != 60 {
		t.Errorf("metrics rows = %d, want 60", got)
	}
	for _, line := range strings.Split(md, "\n") {
		if rest, ok := strings.CutPrefix(line, "hit %    "); ok {
			if n := len([]rune(strings.Fields(rest)[0])); n != 60 {
				t.Errorf("hit chart has %d columns, want 60: %q", n, line)
			}
		}
	}
	if !strings.Contains(md, "One column per 60 snapshots") {
		t.Error("chart legend does not say how columns were bucketed")
	}
}

func TestSparkline(t *testing.T) {
	nan := func() float64 { var z float64; return z / z }()
	for _, tc := range []struct {
		vs   []float64
		top  float64
		want string
	}{
		{[]float64{0, 50, 100}, 100, "▁▅█"},
		{[]float64{0, 0}, 0, "▁▁"},
		{[]float64{1, nan, 8}, 8, "▂ █"},
	} {
		if got := sparkline(tc.vs, tc.top); got != tc.want {
			t.Errorf("sparkline(%v, %v) = %q, want %q", tc.vs, tc.top, got, tc.want)
		}
	}
}

func TestMarkdownTimes(t *testing.T) {
	for _, tc := range []struct {
		t    float64
		want string
	}{{0, "0.0 s"}, {7.25, "7.2 s"}, {59.9, "59.9 s"}, {125, "2:05.0"}, {3600, "60:00.0"}} {
		if got := mdTime(tc.t); got != tc.want {
			t.Errorf("mdTime(%v) = %q, want %q", tc.t, got, tc.want)
		}
	}
}

func TestMarkdownLessonEvents(t *testing.T) {
	// Lesson progress logged as lab events reads the same as lesson lines.
	l := &Log{Header: Header{Start: testStart}, Events: []lab.Event{
		{T: 1, Kind: lab.KindLesson, Lesson: "breaker", Step: 1, What: lab.LessonStarted},
		{T: 3, Kind: lab.KindLesson, Lesson: "breaker", Step: 1, What: lab.LessonHint, Hint: 1},
		{T: 4, Kind: lab.KindCommand, Source: "bar", Line: "errors payments 30%"},
		{T: 9, Kind: lab.KindLesson, Lesson: "breaker", Step: 1, What: lab.LessonPassed},
	}}
	md := markdown(t, l)
	for _, want := range []string{"### breaker", "| 1 | 1.0 s | passed at 9.0 s | 8.0 s | — | 1 | 0 |", "| 4.0 s | command | bar | `errors payments 30%` |"} {
		if !strings.Contains(md, want) {
			t.Errorf("report lacks %q:\n%s", want, md)
		}
	}
	if strings.Contains(md, "| lesson |") {
		t.Errorf("lesson events in the timeline:\n%s", md)
	}
}

// Text from a log cannot steer a terminal or the Markdown: control
// characters are dropped, newlines cannot start headings, HTML stays text.
func TestMarkdownEscapesLogText(t *testing.T) {
	src := header + "\n" +
		`{"t":1,"kind":"state","component":"web-1","from":"up","to":"down\u001b]2;PWNED\u0007","detail":"<script>x</script>"}` + "\n" +
		`{"t":2,"kind":"lesson","lesson":"evil\n# Injected heading","step":1,"what":"started"}` + "\n" +
		`{"t":3,"kind":"command","source":"typed","line":"kill web-1 ` + "``" + `","err":"a | b *bold*"}` + "\n"
	lg, err := Read(strings.NewReader(src))
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	if err := WriteMarkdown(&b, lg); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	for _, bad := range []string{"\x1b", "\x07", "<script>", "\n# Injected", "*bold*"} {
		if strings.Contains(out, bad) {
			t.Errorf("report holds %q:\n%s", bad, out)
		}
	}
	for _, want := range []string{"&lt;script&gt;", `### evil \# Injected heading`, `a \| b \*bold\*`, "``` kill web-1 `` ```"} {
		if !strings.Contains(out, want) {
			t.Errorf("report lacks %q:\n%s", want, out)
		}
	}
}
