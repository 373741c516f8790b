// Package otlp sends a lab's sampled traces, live, to an OpenTelemetry
// endpoint — a collector, Jaeger, Tempo — over OTLP/HTTP with the JSON
// encoding, the same encoding `scalelab export --format otlp` writes
// (lab/session's EncodeOTLP), so it adds no dependency: the official SDK
// exporter would bring the OpenTelemetry SDK, protobuf and gRPC modules for
// what is one POST of a JSON document.
//
// The exporter never slows the lab: it polls the tracer's ring of recent
// traces (the lab never waits for it) on its own goroutine, and posts
// batches from there. When the endpoint is down, each failed batch is
// dropped and counted; when it is slow, traces finished meanwhile may be
// pushed out of the ring (it keeps the last 200) before they are read, and
// those are counted as missed.
package otlp

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"sync"
	"time"

	"github.com/scalelab/scalelab/components/trace"
	"github.com/scalelab/scalelab/lab"
	"github.com/scalelab/scalelab/lab/session"
)

// Settings configure an Exporter. Zero values pick the defaults.
type Settings struct {
	Endpoint string        // where to POST (see ParseEndpoint)
	Every    time.Duration // how often new traces are sent (wall time); default 1s
	MaxBatch int           // traces per POST; default 256
	Timeout  time.Duration // per POST; default 5s
	Version  string        // scalelab's version, for the resource; "" leaves it out
}

// Stats count what the exporter did.
type Stats struct {
	Sent     uint64 // traces the endpoint accepted
	Spans    uint64 // their spans
	Rejected uint64 // spans the endpoint said it rejected (a partial success)
	Dropped  uint64 // traces lost with a POST that failed (endpoint down, an error status, a timeout)
	Missed   uint64 // traces pushed out of the tracer's ring before the exporter could read them
	LastErr  string // the last failure, "" if none
}

// ParseEndpoint checks an OTLP/HTTP endpoint and returns the URL to POST
// traces to: an http or https URL with a host; with no path (or "/") the
// signal path /v1/traces is added, as OpenTelemetry SDKs do with
// OTEL_EXPORTER_OTLP_ENDPOINT.
func ParseEndpoint(s string) (string, error) {
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.User != nil {
		return "", fmt.Errorf("%q is not an OTLP/HTTP endpoint: want http://HOST:PORT, like http://127.0.0.1:4318", s)
	}
	if u.RawQuery != "" || u.Fragment != "" {
		return "", fmt.Errorf("%q: an OTLP endpoint takes no query or fragment", s)
	}
	if u.Path == "" || u.Path == "/" {
		u.Path = "/v1/traces"
	}
	return u.String(), nil
}

// Exporter sends a lab's traces until Stop or until the lab stops.
type Exporter struct {
	lab    *lab.Lab
	set    Settings
	url    string
	client *http.Client
	stop   chan struct{}
	done   chan struct{}

	mu   sync.Mutex
	st   Stats
	down bool // the last POST failed (told once, until one succeeds)
}

// Start checks s.Endpoint and starts exporting l's traces from now on.
func Start(l *lab.Lab, s Settings) (*Exporter, error) {
	u, err := ParseEndpoint(s.Endpoint)
	if err != nil {
		return nil, err
	}
	if s.Every <= 0 {
		s.Every = time.Second
	}
	if s.MaxBatch <= 0 {
		s.MaxBatch = 256
	}
	if s.Timeout <= 0 {
		s.Timeout = 5 * time.Second
	}
	e := &Exporter{lab: l, set: s, url: u, client: &http.Client{Timeout: s.Timeout}, stop: make(chan struct{}), done: make(chan struct{})}
	_, next := l.TracesSince(^uint64(0)) // from now on
	go e.run(next)
	return e, nil
}

// URL is where traces are posted.
func (e *Exporter) URL() string { return e.url }

// Stats returns the counts so far.
func (e *Exporter) Stats() Stats {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.st
}

// Stop sends what is left (within the POST timeout) and stops. It is
// idempotent and returns the final counts.
func (e *Exporter) Stop() Stats {
	select {
	case <-e.stop:
	default:
		close(e.stop)
	}
	<-e.done
	return e.Stats()
}

func (e *Exporter) run(next uint64) {
	defer close(e.done)
	tick := time.NewTicker(e.set.Every)
	defer tick.Stop()
	for {
		if !e.stopping() {
			select {
			case <-tick.C:
			case <-e.stop:
			case <-e.lab.Stopped(): // not Done: requests still finish while the lab stops
			}
		}
		// A tick and a stop both ready (a slow POST outlasts both) would
		// be picked at random: the stop wins, so Stop waits for the POST
		// in flight and one last one, never more.
		last := e.stopping()
		traces, n := e.lab.TracesSince(next)
		missed := n - next - uint64(len(traces))
		next = n
		e.mu.Lock()
		e.st.Missed += missed
		e.mu.Unlock()
		for len(traces) > 0 {
			k := min(len(traces), e.set.MaxBatch)
			e.send(traces[:k])
			traces = traces[k:]
		}
		if last {
			return
		}
	}
}

// stopping reports whether Stop was called or the lab stopped.
func (e *Exporter) stopping() bool {
	select {
	case <-e.stop:
		return true
	case <-e.lab.Stopped():
		return true
	default:
		return false
	}
}

// send posts one batch and counts the outcome.
func (e *Exporter) send(batch []trace.Finished) {
	recs := make([]session.Trace, len(batch))
	spans := 0
	for i, f := range batch {
		recs[i] = session.TraceRecord(e.lab.Start(), f)
		spans += len(f.Spans)
	}
	var body bytes.Buffer
	err := session.EncodeOTLP(&body, e.lab.Start(), session.OTLPService{Version: e.set.Version, Preset: e.lab.Preset().Name}, recs)
	var rejected uint64
	if err == nil {
		rejected, err = e.post(body.Bytes())
	}
	e.mu.Lock()
	wasDown := e.down
	if err != nil {
		e.st.Dropped += uint64(len(batch))
		e.st.LastErr = err.Error()
		e.down = true
	} else {
		e.st.Sent += uint64(len(batch))
		e.st.Spans += uint64(spans)
		e.st.Rejected += rejected
		e.down = false
	}
	e.mu.Unlock()
	switch {
	case err != nil && !wasDown:
		e.lab.Publish(lab.Event{Kind: lab.KindState, Component: "otlp", From: "sending", To: "failing",
			Detail: fmt.Sprintf("traces to %s are dropped (and counted) until it answers: %v", e.url, err)})
	case err == nil && wasDown:
		e.lab.Publish(lab.Event{Kind: lab.KindState, Component: "otlp", From: "failing", To: "sending", Detail: "traces reach " + e.url + " again"})
	}
}

// post sends one OTLP/JSON document and reads the spans the endpoint says
// it rejected.
func (e *Exporter) post(doc []byte) (rejected uint64, err error) {
	ctx, cancel := context.WithTimeout(context.Background(), e.set.Timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, e.url, bytes.NewReader(doc))
	if err != nil {
		return 0, err
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := e.client.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	if resp.StatusCode/100 != 2 {
		return 0, fmt.Errorf("%s: %s", resp.Status, bytes.TrimSpace(b))
	}
	var r struct {
		PartialSuccess struct {
			RejectedSpans json.RawMessage `json:"rejectedSpans"` // an int64: a string in OTLP/JSON, a number from some servers
		} `json:"partialSuccess"`
	}
	if json.Unmarshal(b, &r) == nil && len(r.PartialSuccess.RejectedSpans) > 0 {
		s, _ := strconv.Unquote(string(r.PartialSuccess.RejectedSpans))
		if s == "" {
			s = string(r.PartialSuccess.RejectedSpans)
		}
		rejected, _ = strconv.ParseUint(s, 10, 64)
	}
	return rejected, nil
}
