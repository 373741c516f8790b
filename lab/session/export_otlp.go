package session

// OTLP/JSON export: the recorded traces in the OpenTelemetry protocol's JSON
// encoding (https://opentelemetry.io/docs/specs/otlp/#json-protobuf-encoding),
// the file format the collector's otlpjsonfile receiver, Jaeger and other
// OpenTelemetry tools import. The mapping's rules: ids are hex strings, 64-bit
// integers (the unix-nanosecond times) are decimal strings, enums are their
// numbers, and field names are lowerCamelCase.

import (
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"
	"time"
)

// Span kinds and status codes, as numbered in the OTLP protobuf.
const (
	otlpKindInternal = 1
	otlpKindServer   = 2
	otlpKindClient   = 3
	otlpKindProducer = 4

	otlpStatusError = 2
)

type otlpTraces struct {
	ResourceSpans []otlpResourceSpans `json:"resourceSpans"`
}

type otlpResourceSpans struct {
	Resource   otlpResource     `json:"resource"`
	ScopeSpans []otlpScopeSpans `json:"scopeSpans"`
}

type otlpResource struct {
	Attributes []otlpKeyValue `json:"attributes"`
}

type otlpScopeSpans struct {
	Scope otlpScope  `json:"scope"`
	Spans []otlpSpan `json:"spans"`
}

type otlpScope struct {
	Name    string `json:"name"`
	Version string `json:"version,omitempty"`
}

type otlpSpan struct {
	TraceID           string         `json:"traceId"`
	SpanID            string         `json:"spanId"`
	ParentSpanID      string         `json:"parentSpanId,omitempty"`
	Name              string         `json:"name"`
	Kind              int            `json:"kind"`
	StartTimeUnixNano string         `json:"startTimeUnixNano"`
	EndTimeUnixNano   string         `json:"endTimeUnixNano"`
	Attributes        []otlpKeyValue `json:"attributes,omitempty"`
	Status            *otlpStatus    `json:"status,omitempty"`
}

type otlpKeyValue struct {
	Key   string    `json:"key"`
	Value otlpValue `json:"value"`
}

type otlpValue struct {
	StringValue string `json:"stringValue"`
}

type otlpStatus struct {
	Code    int    `json:"code"`
	Message string `json:"message,omitempty"`
}

// WriteOTLP writes the log's traces as one OTLP/JSON document with resource
// attribute service.name "scalelab". Span times are lab times placed after
// the header's wall-clock start (so at a lab speed other than 1x they are
// lab, not wall, durations). The root span is a server span, publishes to
// the queue are producer spans, time waiting in a server's accept queue is
// internal, and every other hop is a client span; a span with an error has
// status ERROR and the error as its message. It fails when no trace was
// recorded.
func WriteOTLP(w io.Writer, l *Log) error {
	if len(l.Traces) == 0 {
		if v, ok := l.lastMetric("trace.sample"); ok {
			return fmt.Errorf("no traces recorded (trace sample was %s%%)", strconv.FormatFloat(v*100, 'f', -1, 64))
		}
		return errors.New("no traces recorded (the log has no trace sample either; traces are kept when `trace sample P%` is above 0)")
	}
	start, err := l.start()
	if err != nil {
		return err
	}
	return EncodeOTLP(w, start, OTLPService{Version: l.Header.Version, Preset: l.Header.Preset}, l.Traces)
}

// OTLPService is what the resource of an OTLP document says about the lab
// that sent it.
type OTLPService struct {
	Version string // scalelab's version; "" to leave out
	Preset  string // the lab's preset; "" to leave out
}

// EncodeOTLP writes traces, as a session log records them (span times in
// nanoseconds after start), as one OTLP/JSON document from service
// "scalelab": the encoding WriteOTLP and the live exporter (lab/otlp)
// share. A trace or span id that is not hex is an error.
func EncodeOTLP(w io.Writer, start time.Time, svc OTLPService, traces []Trace) error {
	base := start.UnixNano()
	var spans []otlpSpan
	for _, tr := range traces {
		if !isHexID(tr.TraceID, 32) {
			return fmt.Errorf("trace at %.3fs: trace id %q is not 32 hex digits", tr.T, tr.TraceID)
		}
		for i, s := range tr.Spans {
			where := fmt.Sprintf("trace %s span %d (%s)", tr.TraceID, i+1, s.Name)
			if !isHexID(s.SpanID, 16) {
				return fmt.Errorf("%s: span id %q is not 16 hex digits", where, s.SpanID)
			}
			if s.Parent != "" && !isHexID(s.Parent, 16) {
				return fmt.Errorf("%s: parent id %q is not 16 hex digits", where, s.Parent)
			}
			o := otlpSpan{
				TraceID:           strings.ToLower(tr.TraceID),
				SpanID:            strings.ToLower(s.SpanID),
				ParentSpanID:      strings.ToLower(s.Parent),
				Name:              s.Name,
				Kind:              otlpKind(i, s),
				StartTimeUnixNano: strconv.FormatInt(base+s.StartNS, 10),
				EndTimeUnixNano:   strconv.FormatInt(base+s.EndNS, 10),
				Attributes:        otlpAttrs(s.Attrs),
			}
			if s.Err != "" {
				o.Status = &otlpStatus{Code: otlpStatusError, Message: s.Err}
			}
			spans = append(spans, o)
		}
	}
	res := otlpResource{Attributes: []otlpKeyValue{{"service.name", otlpValue{"scalelab"}}}}
	if svc.Version != "" {
		res.Attributes = append(res.Attributes, otlpKeyValue{"service.version", otlpValue{svc.Version}})
	}
	if svc.Preset != "" {
		res.Attributes = append(res.Attributes, otlpKeyValue{"scalelab.preset", otlpValue{svc.Preset}})
	}
	doc := otlpTraces{ResourceSpans: []otlpResourceSpans{{
		Resource: res,
		ScopeSpans: []otlpScopeSpans{{
			Scope: otlpScope{Name: "github.com/scalelab/scalelab/components/trace", Version: svc.Version},
			Spans: spans,
		}},
	}}}
	return json.NewEncoder(w).Encode(doc)
}

// otlpKind picks the span kind for the i-th span of a trace (0 is the root).
func otlpKind(i int, s Span) int {
	switch {
	case i == 0: // the root: the lab serving the request (its parent, if any, is the caller's span)
		return otlpKindServer
	case s.Name == "queue publish" || s.Name == "write-behind enqueue":
		return otlpKindProducer
	case strings.HasSuffix(s.Name, " queue"):
		return otlpKindInternal
	}
	return otlpKindClient
}

// otlpAttrs converts span attributes, sorted by key so output is stable.
func otlpAttrs(attrs map[string]string) []otlpKeyValue {
	if len(attrs) == 0 {
		return nil
	}
	keys := make([]string, 0, len(attrs))
	for k := range attrs {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	kvs := make([]otlpKeyValue, len(keys))
	for i, k := range keys {
		kvs[i] = otlpKeyValue{k, otlpValue{attrs[k]}}
	}
	return kvs
}

// isHexID reports whether s is n hex digits and not all zero (OTLP's
// invalid id).
func isHexID(s string, n int) bool {
	b, err := hex.DecodeString(s)
	if err != nil || len(s) != n {
		return false
	}
	for _, c := range b {
		if c != 0 {
			return true
		}
	}
	return false
}
