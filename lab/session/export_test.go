package session

import (
	"bytes"
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/scalelab/scalelab/lab"
)

// testStart is the wall-clock start of testLog's session.
const testStart = "2025-03-01T10:00:00Z"

func ptr[T any](v T) *T { return &v }

// testLog is a hand-built 30-lab-second session: a lesson with two steps,
// load, a fault that opens the payments breaker, a metrics snapshot each
// second, two traces and three frames.
func testLog() *Log {
	l := &Log{
		Header: Header{Kind: KindHeader, Schema: Schema, Version: "v0.9.0", Seed: 42, Preset: "cache", Lesson: "cache-aside",
			Speed: 1, Cols: 100, Rows: 30, Start: testStart, Mode: "tui"},
		Events: []lab.Event{
			{T: 0.5, Kind: lab.KindCommand, Source: "lesson", Line: "load 200/s zipf=1.1"},
			{T: 3, Kind: lab.KindRequest, ID: 1, LatencyMS: 2},
			{T: 10, Kind: lab.KindFault, Component: "payments", Detail: "errors 50%"},
			{T: 12, Kind: lab.KindState, Component: "payments", From: "closed", To: "open", Detail: "5 failures"},
			{T: 14, Kind: lab.KindCommand, Source: "bar", Line: "cache size -1", Err: "cache size: want a positive number"},
			{T: 20, Kind: lab.KindExpect, Source: "lesson", Line: "expect cache.hit_ratio >= 0.8 within 30s", Value: ptr(0.83)},
			{T: 25, Kind: lab.KindCommand, Source: "script", Line: "echo a|b"},
		},
		Lessons: []Lesson{
			{Kind: KindLesson, T: 0, Lesson: "cache-aside", Step: 1, What: "started"},
			{Kind: KindLesson, T: 4, Lesson: "cache-aside", Step: 1, What: "quiz", Choice: 2, Correct: ptr(false)},
			{Kind: KindLesson, T: 5, Lesson: "cache-aside", Step: 1, What: "quiz", Choice: 1, Correct: ptr(true)},
			{Kind: KindLesson, T: 8, Lesson: "cache-aside", Step: 1, What: "passed"},
			{Kind: KindLesson, T: 8, Lesson: "cache-aside", Step: 2, What: "started"},
			{Kind: KindLesson, T: 15, Lesson: "cache-aside", Step: 2, What: "hint", Hint: 1},
			{Kind: KindLesson, T: 16, Lesson: "cache-aside", Step: 2, What: "hint", Hint: 2},
			{Kind: KindLesson, T: 22, Lesson: "cache-aside", Step: 2, What: "skipped"},
			{Kind: KindLesson, T: 22, Lesson: "cache-aside", What: "done"},
		},
		Traces: []Trace{
			{Kind: KindTrace, T: 2, TraceID: "0af7651916cd43dd8448eb211c80319c", Spans: []Span{
				{SpanID: "b7ad6b7169203331", Name: "GET /item", StartNS: 1_500_000_000, EndNS: 1_512_000_000, Attrs: map[string]string{"key": "17"}},
				{SpanID: "00f067aa0ba902b7", Parent: "b7ad6b7169203331", Name: "cache get", StartNS: 1_500_100_000, EndNS: 1_500_200_000, Attrs: map[string]string{"cache": "miss"}},
				{SpanID: "00f067aa0ba902b8", Parent: "b7ad6b7169203331", Name: "db-1", StartNS: 1_500_300_000, EndNS: 1_511_000_000, Attrs: map[string]string{"db.op": "read", "wait_ms": "0.2"}},
			}},
			{Kind: KindTrace, T: 12, TraceID: "4bf92f3577b34da6a3ce929d0e0e4736", Spans: []Span{
				{SpanID: "53995c3f42cd8ad8", Name: "PUT /item", StartNS: 11_000_000_000, EndNS: 11_000_900_000, Err: "payments: breaker open"},
				{SpanID: "53995c3f42cd8ad9", Parent: "53995c3f42cd8ad8", Name: "payments", StartNS: 11_000_100_000, EndNS: 11_000_100_000,
					Attrs: map[string]string{"breaker": "rejected"}, Err: "breaker open"},
			}},
		},
		Frames: []Frame{
			{Kind: KindFrame, W: 0, Data: "\x1b[2J\x1b[Hscalelab"},
			{Kind: KindFrame, W: 0.25, Data: "\x1b[2;1Hp99 12ms — ok"},
			{Kind: KindFrame, W: 1.5, Data: "\x1b[?25h"},
		},
	}
	for s := 1; s <= 30; s++ {
		m := map[string]float64{
			"load.rate":       200,
			"requests.rate":   float64(190 + s%5*2),
			"errors.ratio":    0,
			"latency.p50":     2 + float64(s)/10,
			"latency.p99":     float64(10 + s),
			"cache.hit_ratio": min(0.9, float64(s)/30),
			"queue.depth":     float64(s % 3),
			"trace.sample":    0.1,
		}
		if s >= 12 {
			m["breaker.state{name=payments}"] = 2
			m["errors.ratio"] = 0.125
		} else {
			m["breaker.state{name=payments}"] = 0
		}
		l.Metrics = append(l.Metrics, Metrics{Kind: KindMetrics, T: float64(s), Metrics: m})
	}
	return l
}

func TestExportFormats(t *testing.T) {
	for _, f := range Formats {
		var b bytes.Buffer
		if err := Export(&b, testLog(), f); err != nil {
			t.Errorf("%s: %v", f, err)
		}
		if b.Len() == 0 {
			t.Errorf("%s: wrote nothing", f)
		}
	}
	err := Export(new(bytes.Buffer), testLog(), "html")
	if err == nil || !strings.Contains(err.Error(), `unknown export format "html" (accepted: md, otlp, cast)`) {
		t.Errorf("unknown format: got %v", err)
	}
}

func TestExportNothingToExport(t *testing.T) {
	withSample := &Log{Header: Header{Start: testStart},
		Metrics: []Metrics{{T: 1, Metrics: map[string]float64{"trace.sample": 0}}, {T: 2, Metrics: map[string]float64{"trace.sample": 0.05}}}}
	for _, tc := range []struct {
		format string
		log    *Log
		want   string
	}{
		{"md", &Log{Header: Header{Start: testStart}}, "nothing to report"},
		{"otlp", withSample, "no traces recorded (trace sample was 5%)"},
		{"otlp", &Log{Header: Header{Start: testStart}}, "no traces recorded"},
		{"cast", withSample, "record the session with --record"},
	} {
		var b bytes.Buffer
		err := Export(&b, tc.log, tc.format)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: got error %v, want one containing %q", tc.format, err, tc.want)
		}
		if b.Len() != 0 {
			t.Errorf("%s: wrote %q on error", tc.format, b.String())
		}
	}
}

// Example exports a recorded session as an asciicast.
func Example() {
	l := &Log{Header: Header{Start: testStart}, Frames: []Frame{{W: 0, Data: "hello"}, {W: 0.5, Data: " world\r\n"}}}
	if err := Export(os.Stdout, l, "cast"); err != nil {
		fmt.Println(err)
	}
	// Output:
	// {"version":2,"width":80,"height":24,"timestamp":1740823200,"title":"scalelab"}
	// [0,"o","hello"]
	// [0.5,"o"," world\r\n"]
}
