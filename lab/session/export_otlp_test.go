package session

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/ptrace"
)

// TestOTLPCollectorReadsIt checks the export with the OpenTelemetry
// collector's own OTLP/JSON unmarshaler.
func TestOTLPCollectorReadsIt(t *testing.T) {
	l := testLog()
	var b bytes.Buffer
	if err := WriteOTLP(&b, l); err != nil {
		t.Fatal(err)
	}
	td, err := (&ptrace.JSONUnmarshaler{}).UnmarshalTraces(b.Bytes())
	if err != nil {
		t.Fatalf("collector rejects the export: %v\n%s", err, b.String())
	}
	if got := td.SpanCount(); got != 5 {
		t.Fatalf("span count = %d, want 5", got)
	}
	rs := td.ResourceSpans().At(0)
	if v, ok := rs.Resource().Attributes().Get("service.name"); !ok || v.Str() != "scalelab" {
		t.Errorf("service.name = %v, want scalelab", v.AsString())
	}
	spans := rs.ScopeSpans().At(0).Spans()
	start, _ := time.Parse(time.RFC3339, testStart)
	i := 0
	for _, tr := range l.Traces {
		for _, want := range tr.Spans {
			got := spans.At(i)
			i++
			if got.Name() != want.Name {
				t.Errorf("span %d: name %q, want %q", i, got.Name(), want.Name)
			}
			if id := got.TraceID(); id.String() != tr.TraceID {
				t.Errorf("%s: trace id %s, want %s", want.Name, id, tr.TraceID)
			}
			if id := got.SpanID(); id.String() != want.SpanID {
				t.Errorf("%s: span id %s, want %s", want.Name, id, want.SpanID)
			}
			if want.Parent == "" && !got.ParentSpanID().IsEmpty() || want.Parent != "" && got.ParentSpanID().String() != want.Parent {
				t.Errorf("%s: parent %s, want %q", want.Name, got.ParentSpanID(), want.Parent)
			}
			if ts := got.StartTimestamp(); ts != pcommon.NewTimestampFromTime(start.Add(time.Duration(want.StartNS))) {
				t.Errorf("%s: start %v, want lab start + %dns", want.Name, ts, want.StartNS)
			}
			if ts := got.EndTimestamp(); ts != pcommon.NewTimestampFromTime(start.Add(time.Duration(want.EndNS))) {
				t.Errorf("%s: end %v, want lab start + %dns", want.Name, ts, want.EndNS)
			}
			for k, v := range want.Attrs {
				if a, ok := got.Attributes().Get(k); !ok || a.Type() != pcommon.ValueTypeStr || a.Str() != v {
					t.Errorf("%s: attribute %s = %v, want string %q", want.Name, k, a.AsString(), v)
				}
			}
			wantCode := ptrace.StatusCodeUnset
			if want.Err != "" {
				wantCode = ptrace.StatusCodeError
			}
			if got.Status().Code() != wantCode || got.Status().Message() != want.Err {
				t.Errorf("%s: status %v %q, want %v %q", want.Name, got.Status().Code(), got.Status().Message(), wantCode, want.Err)
			}
		}
	}
	for i, want := range []ptrace.SpanKind{ptrace.SpanKindServer, ptrace.SpanKindClient, ptrace.SpanKindClient, ptrace.SpanKindServer, ptrace.SpanKindClient} {
		if got := spans.At(i).Kind(); got != want {
			t.Errorf("span %d (%s): kind %v, want %v", i, spans.At(i).Name(), got, want)
		}
	}
}

func TestOTLPKinds(t *testing.T) {
	for _, tc := range []struct {
		i    int
		span Span
		want int
	}{
		{0, Span{Name: "GET /item"}, otlpKindServer},
		{1, Span{Name: "web-1 queue", Parent: "x"}, otlpKindInternal},
		{2, Span{Name: "web-1", Parent: "x"}, otlpKindClient},
		{3, Span{Name: "queue publish", Parent: "x"}, otlpKindProducer},
		{3, Span{Name: "write-behind enqueue", Parent: "x"}, otlpKindProducer},
	} {
		if got := otlpKind(tc.i, tc.span); got != tc.want {
			t.Errorf("otlpKind(%d, %q) = %d, want %d", tc.i, tc.span.Name, got, tc.want)
		}
	}
}

func TestOTLPJSONMapping(t *testing.T) {
	var b bytes.Buffer
	if err := WriteOTLP(&b, testLog()); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		`"resourceSpans":[{"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"scalelab"}}`,
		`"startTimeUnixNano":"1740823201500000000"`, // a decimal string, as the mapping wants for 64-bit ints
		`"status":{"code":2,"message":"payments: breaker open"}`,
		`"kind":2`,
	} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("export lacks %s", want)
		}
	}
}

func TestOTLPBadInput(t *testing.T) {
	for _, tc := range []struct {
		edit func(*Log)
		want string
	}{
		{func(l *Log) { l.Traces[0].TraceID = "xyz" }, `trace at 2.000s: trace id "xyz" is not 32 hex digits`},
		{func(l *Log) { l.Traces[1].Spans[1].SpanID = "0000000000000000" }, `span 2 (payments): span id "0000000000000000" is not 16 hex digits`},
		{func(l *Log) { l.Traces[0].Spans[2].Parent = "b7ad" }, `parent id "b7ad" is not 16 hex digits`},
		{func(l *Log) { l.Header.Start = "yesterday" }, `header: start "yesterday" is not an RFC 3339 time`},
	} {
		l := testLog()
		tc.edit(l)
		var b bytes.Buffer
		err := WriteOTLP(&b, l)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("got %v, want an error containing %q", err, tc.want)
		}
	}
}
