package otlp

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"go.opentelemetry.io/collector/pdata/ptrace"
	"go.uber.org/goleak"

	"github.com/scalelab/scalelab/components/trace"
	"github.com/scalelab/scalelab/lab"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// receiver is an OTLP/HTTP endpoint that decodes what it is sent with the
// collector's own pdata unmarshaler.
type receiver struct {
	mu     sync.Mutex
	traces []ptrace.Traces
	errs   []string
	paths  []string
}

func (r *receiver) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	b, _ := io.ReadAll(req.Body)
	var um ptrace.JSONUnmarshaler
	td, err := um.UnmarshalTraces(b)
	r.mu.Lock()
	defer r.mu.Unlock()
	r.paths = append(r.paths, req.Method+" "+req.URL.Path+" "+req.Header.Get("Content-Type"))
	if err != nil {
		r.errs = append(r.errs, err.Error())
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	r.traces = append(r.traces, td)
	w.Header().Set("Content-Type", "application/json")
	io.WriteString(w, `{}`)
}

// spans returns every span received, by trace id.
func (r *receiver) spans() map[string][]ptrace.Span {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := map[string][]ptrace.Span{}
	for _, td := range r.traces {
		for i := range td.ResourceSpans().Len() {
			rs := td.ResourceSpans().At(i)
			if v, _ := rs.Resource().Attributes().Get("service.name"); v.Str() != "scalelab" {
				panic("service.name " + v.Str())
			}
			for j := range rs.ScopeSpans().Len() {
				ss := rs.ScopeSpans().At(j).Spans()
				for k := range ss.Len() {
					s := ss.At(k)
					out[s.TraceID().String()] = append(out[s.TraceID().String()], s)
				}
			}
		}
	}
	return out
}

func newLab(t *testing.T, sample string, load ...string) *lab.Lab {
	t.Helper()
	l, err := lab.New(lab.Config{Seed: 9, Speed: 5})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(l.Stop)
	if len(load) == 0 {
		load = []string{"load 200/s"}
	}
	for _, line := range append([]string{"trace sample " + sample}, load...) {
		if err := l.Exec(line, lab.SourceScript); err != nil {
			t.Fatal(err)
		}
	}
	return l
}

// Every trace the lab finished arrives, whole, with each span's parent in
// its own trace.
func TestTracesArriveWithTheirLinks(t *testing.T) {
	rcv := &receiver{}
	srv := httptest.NewServer(rcv)
	defer srv.Close()
	l := newLab(t, "10%")
	// A caller's trace, continued by the lab: its root hangs under the caller's span.
	caller, _ := trace.ParseContext("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01")
	e, err := Start(l, Settings{Endpoint: srv.URL, Every: 50 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	answered := make(chan lab.Answer, 1)
	if err := l.Call(lab.Call{Key: 1, Parent: caller}, func(a lab.Answer) { answered <- a }); err != nil {
		t.Fatal(err)
	}
	<-answered
	time.Sleep(400 * time.Millisecond)
	l.Stop()
	st := e.Stop()
	finished, _ := l.TracesSince(0)

	if st.Sent == 0 || st.Dropped != 0 || st.Missed != 0 || st.Sent != uint64(len(finished)) {
		t.Fatalf("stats %+v; the lab finished %d traces", st, len(finished))
	}
	got := rcv.spans()
	if len(rcv.errs) > 0 || len(got) != len(finished) {
		t.Fatalf("received %d traces (errors %v), the lab finished %d", len(got), rcv.errs, len(finished))
	}
	if p := rcv.paths[0]; p != "POST /v1/traces application/json" {
		t.Errorf("request %q", p)
	}
	var spans, nested uint64
	for _, f := range finished {
		rs := got[f.ID.String()]
		spans += uint64(len(rs))
		if len(rs) != len(f.Spans) {
			t.Errorf("trace %v: %d spans received, %d recorded", f.ID, len(rs), len(f.Spans))
			continue
		}
		ids := map[string]bool{}
		for _, s := range rs {
			ids[s.SpanID().String()] = true
		}
		for i, s := range rs {
			parent := s.ParentSpanID().String()
			switch {
			case i == 0 && s.Kind() != ptrace.SpanKindServer:
				t.Errorf("trace %v: the root %q is %v, not a server span", f.ID, s.Name(), s.Kind())
			case i == 0 && f.ID == caller.TraceID && parent != caller.SpanID.String():
				t.Errorf("the continued trace's root has parent %s, want the caller's %s", parent, caller.SpanID)
			case i == 0 && f.ID != caller.TraceID && !s.ParentSpanID().IsEmpty():
				t.Errorf("trace %v: the root has a parent %s", f.ID, parent)
			case i > 0 && !ids[parent]:
				t.Errorf("trace %v: span %q has parent %s, not a span of its trace", f.ID, s.Name(), parent)
			case i > 0 && parent != rs[0].SpanID().String():
				nested++
			}
			if s.EndTimestamp() < s.StartTimestamp() {
				t.Errorf("span %q ends before it starts", s.Name())
			}
		}
	}
	if nested == 0 {
		t.Error("no span is nested below a server's span")
	}
	if spans != st.Spans {
		t.Errorf("%d spans received, the exporter counted %d", spans, st.Spans)
	}
	if _, ok := got[caller.TraceID.String()]; !ok {
		t.Error("the caller's trace did not arrive")
	}
}

// A down endpoint loses batches, counted, and says so once in the lab's
// events; the lab runs on.
func TestEndpointDownIsCounted(t *testing.T) {
	srv := httptest.NewServer(http.NotFoundHandler())
	url := srv.URL
	srv.Close() // nothing listens there now
	l := newLab(t, "100%")
	sub := l.Subscribe(false)
	defer sub.Unsubscribe()
	e, err := Start(l, Settings{Endpoint: url, Every: 50 * time.Millisecond, Timeout: 200 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	time.Sleep(400 * time.Millisecond)
	st := e.Stop()
	if st.Sent != 0 || st.Dropped == 0 || st.LastErr == "" {
		t.Errorf("stats %+v: want drops and the error", st)
	}
	told := 0
	for _, ev := range sub.Drain() {
		if ev.Component == "otlp" {
			told++
			if ev.To != "failing" || !strings.Contains(ev.Detail, "dropped") {
				t.Errorf("event %+v", ev)
			}
		}
	}
	if told != 1 {
		t.Errorf("told %d times that the endpoint fails, want once", told)
	}
	if v, _ := l.Value("requests.rate"); v < 100 {
		t.Errorf("the lab slowed down: requests.rate %v", v)
	}
}

// A slow endpoint holds only the exporter: the lab keeps its pace, and
// traces that fall out of the tracer's ring meanwhile are counted missed.
func TestSlowEndpointNeverBlocksTheLab(t *testing.T) {
	release := make(chan struct{})
	var stopping atomic.Bool
	var late atomic.Int32 // posts that arrived after Stop was called
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if stopping.Load() {
			late.Add(1)
		}
		select {
		case <-release:
		case <-r.Context().Done():
		}
	}))
	defer srv.Close()
	defer close(release)
	// 1000 traces a lab second, 5000 a second at 5x (1000 if a busy
	// machine slows the lab to 1x): a post held for its 1 s timeout lets
	// the 200-trace ring overflow.
	l := newLab(t, "100%", "load 1000/s")
	e, err := Start(l, Settings{Endpoint: srv.URL, Every: 20 * time.Millisecond, Timeout: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	time.Sleep(300 * time.Millisecond)
	r0, _ := l.Value("requests.total")
	time.Sleep(1200 * time.Millisecond) // a post is held all along
	// A blocked lab would finish nothing; how much it finishes depends on
	// the machine (under -race and load the pacer may slow it), so the bar
	// is only that it went on.
	if r1, _ := l.Value("requests.total"); r1-r0 < 20 {
		t.Errorf("the lab stalled while a post was held: %v requests finished in 1.2 s", r1-r0)
	}
	stopping.Store(true)
	st := e.Stop()
	// Stop waits for the post in flight and sends one last batch; a tick
	// must not win over the stop and start more. One post may have left
	// just as the flag was set, so two is the bound.
	if n := late.Load(); n > 2 {
		t.Errorf("%d posts after Stop was called, want the last one (and one that raced it) at most", n)
	}
	if st.Sent != 0 || st.Dropped == 0 || st.Missed == 0 {
		t.Errorf("stats %+v: want drops (timeouts) and missed traces", st)
	}
}

func TestParseEndpoint(t *testing.T) {
	for _, tc := range []struct{ in, want, err string }{
		{"http://127.0.0.1:4318", "http://127.0.0.1:4318/v1/traces", ""},
		{"http://localhost:4318/", "http://localhost:4318/v1/traces", ""},
		{"https://collector:4318/custom/traces", "https://collector:4318/custom/traces", ""},
		{"127.0.0.1:4318", "", "is not an OTLP/HTTP endpoint"},
		{"grpc://127.0.0.1:4317", "", "is not an OTLP/HTTP endpoint"},
		{"http://", "", "is not an OTLP/HTTP endpoint"},
		{"http://127.0.0.1:4318/?x=1", "", "takes no query"},
	} {
		got, err := ParseEndpoint(tc.in)
		if got != tc.want || (err == nil) != (tc.err == "") || (err != nil && !strings.Contains(err.Error(), tc.err)) {
			t.Errorf("ParseEndpoint(%q) = %q, %v; want %q, %q", tc.in, got, err, tc.want, tc.err)
		}
	}
}
