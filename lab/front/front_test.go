package front

import (
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/scalelab/scalelab/components/trace"
	"github.com/scalelab/scalelab/lab"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// start builds a lab from preset at speed, with no generated load, and
// serves its front door on a free loopback port.
func start(t *testing.T, preset string, speed float64, s Settings) (*lab.Lab, *Server) {
	t.Helper()
	p, err := lab.LoadPreset(preset)
	if err != nil {
		t.Fatal(err)
	}
	l, err := lab.New(lab.Config{Preset: p, Seed: 3, Speed: speed})
	if err != nil {
		t.Fatal(err)
	}
	srv, err := Listen("127.0.0.1:0", New(l, s))
	if err != nil {
		l.Stop()
		t.Fatal(err)
	}
	t.Cleanup(func() {
		l.Stop()
		if err := srv.Close(); err != nil {
			t.Error(err)
		}
	})
	return l, srv
}

func run(t *testing.T, l *lab.Lab, lines ...string) {
	t.Helper()
	for _, line := range lines {
		if err := l.Exec(line, lab.SourceScript); err != nil {
			t.Fatalf("%s: %v", line, err)
		}
	}
}

func metric(t *testing.T, l *lab.Lab, name string) float64 {
	t.Helper()
	v, ok := l.Value(name)
	if !ok {
		t.Fatalf("no metric %s", name)
	}
	return v
}

// send makes one request like curl and returns the response with its body read.
func send(t *testing.T, method, url string, body io.Reader, header ...string) (*http.Response, string) {
	t.Helper()
	req, err := http.NewRequest(method, url, body)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, string(b)
}

func TestReadThenCachedRead(t *testing.T) {
	l, srv := start(t, "shop", 1, Settings{})
	resp, body := send(t, "GET", srv.URL()+"/item/42", nil)
	if resp.StatusCode != 200 {
		t.Fatalf("status %d: %s", resp.StatusCode, body)
	}
	h := resp.Header
	if !strings.HasPrefix(h.Get("X-Scalelab-Backend"), "web-") || h.Get("X-Cache") != "miss" || !strings.HasPrefix(h.Get("X-Shard"), "db-") {
		t.Errorf("headers %v", h)
	}
	tp, err := trace.ParseContext(h.Get("traceparent"))
	if err != nil {
		t.Errorf("traceparent: %v", err)
	}
	var r reply
	if err := json.Unmarshal([]byte(body), &r); err != nil {
		t.Fatal(err)
	}
	if r.Key != 42 || r.Op != "read" || r.TraceID != tp.TraceID.String() || r.LatencyMS <= 0 || r.Backend != h.Get("X-Scalelab-Backend") {
		t.Errorf("body %+v", r)
	}
	lat, err := time.ParseDuration(h.Get("X-Scalelab-Latency"))
	if err != nil || lat <= 0 {
		t.Errorf("X-Scalelab-Latency %q", h.Get("X-Scalelab-Latency"))
	}

	resp, _ = send(t, "GET", srv.URL()+"/item/42", nil)
	if resp.Header.Get("X-Cache") != "hit" || resp.Header.Get("X-Shard") != "" {
		t.Errorf("second read: %v", resp.Header)
	}
	resp, body = send(t, "PUT", srv.URL()+"/item/42", strings.NewReader(`{"name":"lamp"}`))
	if resp.StatusCode != 200 || !strings.Contains(body, `"op":"write"`) {
		t.Errorf("write: %d %s", resp.StatusCode, body)
	}
	resp, body = send(t, "POST", srv.URL()+"/checkout?key=9", nil)
	if resp.StatusCode != 200 || !strings.Contains(body, `"checkout":true`) {
		t.Errorf("checkout: %d %s", resp.StatusCode, body)
	}
	if got := metric(t, l, "requests.total"); got != 4 {
		t.Errorf("requests.total %v, want the 4 requests sent", got)
	}
}

// The answer leaves when its lab latency has passed at the lab's speed.
func TestAnswerWaitsForLabLatency(t *testing.T) {
	for _, speed := range []float64{1, 10} {
		l, srv := start(t, "shop", speed, Settings{})
		run(t, l, "slow web-1 +300ms", "slow web-2 +300ms", "slow web-3 +300ms")
		t0 := time.Now()
		resp, body := send(t, "GET", srv.URL()+"/item/5", nil)
		wall := time.Since(t0)
		lat, _ := time.ParseDuration(resp.Header.Get("X-Scalelab-Latency"))
		if resp.StatusCode != 200 || lat < 300*time.Millisecond {
			t.Fatalf("%gx: status %d, lab latency %v: %s", speed, resp.StatusCode, lat, body)
		}
		want := time.Duration(float64(lat) / speed)
		if wall < want-5*time.Millisecond || wall > want+250*time.Millisecond*raceSlowdown {
			t.Errorf("%gx: lab latency %v answered after %v of wall time, want about %v", speed, lat, wall, want)
		}
	}
}

func TestTraceparentIsContinued(t *testing.T) {
	l, srv := start(t, "shop", 1, Settings{})
	const caller = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"
	resp, body := send(t, "GET", srv.URL()+"/item/7", nil, "traceparent", caller)
	got, err := trace.ParseContext(resp.Header.Get("traceparent"))
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("status %d, traceparent %q: %v %s", resp.StatusCode, resp.Header.Get("traceparent"), err, body)
	}
	if got.TraceID.String() != "4bf92f3577b34da6a3ce929d0e0e4736" || got.SpanID.String() == "00f067aa0ba902b7" || !got.Sampled {
		t.Errorf("traceparent %+v does not continue %s", got, caller)
	}
	traces, _ := l.TracesSince(0)
	if len(traces) != 1 || traces[0].Root.Parent.String() != "00f067aa0ba902b7" || traces[0].Root.SpanID != got.SpanID {
		t.Errorf("the lab's trace does not hang under the caller's span: %+v", traces)
	}
}

func TestBadRequestsChangeNothing(t *testing.T) {
	l, srv := start(t, "shop", 1, Settings{MaxBody: 1024})
	_, websrv := start(t, "web", 1, Settings{})
	big := strings.Repeat("x", 2048)
	for _, tc := range []struct {
		method, url, body string
		header            []string
		code              int
		says              string
	}{
		{"GET", "/item/abc", "", nil, 400, `key \"abc\": want a whole number 0..9999`},
		{"GET", "/item/10000", "", nil, 400, "0..9999"},
		{"GET", "/item/-1", "", nil, 400, "0..9999"},
		{"GET", "/item/1", "", []string{"traceparent", "00-xyz"}, 400, "traceparent header: invalid traceparent"},
		{"PUT", "/item/1", big, nil, 413, "request body over 1024 bytes"},
		{"POST", "/checkout?key=x", "", nil, 400, "want a whole number"},
		{"DELETE", "/item/1", "", nil, 405, ""},
		{"GET", "/nope", "", nil, 404, ""},
	} {
		resp, body := send(t, tc.method, srv.URL()+tc.url, strings.NewReader(tc.body), tc.header...)
		if resp.StatusCode != tc.code || !strings.Contains(body, tc.says) {
			t.Errorf("%s %s: %d %q, want %d saying %q", tc.method, tc.url, resp.StatusCode, body, tc.code, tc.says)
		}
	}
	resp, body := send(t, "POST", websrv.URL()+"/checkout", nil)
	if resp.StatusCode != 404 || !strings.Contains(body, "no payments") {
		t.Errorf("checkout without payments: %d %s", resp.StatusCode, body)
	}
	time.Sleep(300 * time.Millisecond) // a registry frame, so totals are read fresh
	if n := metric(t, l, "requests.total") + metric(t, l, "http.total"); n != 0 {
		t.Errorf("bad requests reached the lab: %v", n)
	}
}

func TestStatusCodes(t *testing.T) {
	l, srv := start(t, "shop", 20, Settings{})
	run(t, l, "errors payments 100%")
	var codes []int
	for range 7 { // threshold 5: five 502s from payments, then the open breaker's 503s
		resp, _ := send(t, "POST", srv.URL()+"/checkout?key=3", nil)
		codes = append(codes, resp.StatusCode)
	}
	if codes[0] != 502 || codes[6] != 503 {
		t.Errorf("checkouts against failing payments: %v, want 502 … 503", codes)
	}
	run(t, l, "slow web-1 +6s", "slow web-2 +6s", "slow web-3 +6s") // past the web timeout, 5s
	resp, body := send(t, "GET", srv.URL()+"/item/3", nil)
	if resp.StatusCode != 504 || resp.Header.Get("X-Scalelab-Error") != "timed out" {
		t.Errorf("slow web: %d %v %s", resp.StatusCode, resp.Header, body)
	}
}

// Past MaxInFlight a request is refused at once; the ones in the lab are
// answered 503 when the lab stops.
func TestBoundedConcurrencyAndStop(t *testing.T) {
	l, srv := start(t, "shop", 1, Settings{MaxInFlight: 2})
	run(t, l, "hang web-1", "hang web-2", "hang web-3")
	var wg sync.WaitGroup
	codes := make(chan int, 2)
	for range 2 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			resp, err := http.Get(srv.URL() + "/item/1")
			if err != nil {
				t.Error(err)
				return
			}
			resp.Body.Close()
			codes <- resp.StatusCode
		}()
	}
	deadline := time.Now().Add(5 * time.Second)
	for l.Snapshot().Requests.HTTPTotal < 2 {
		if time.Now().After(deadline) {
			t.Fatal("the two requests never reached the lab")
		}
		time.Sleep(10 * time.Millisecond)
	}
	t0 := time.Now()
	resp, body := send(t, "GET", srv.URL()+"/item/1", nil)
	// At once, not after a wait: every server hangs, so a request that
	// waited for a slot would never be answered at all.
	if resp.StatusCode != 503 || !strings.Contains(body, "front door is full") || time.Since(t0) > 5*time.Second {
		t.Errorf("third request: %d %s after %v", resp.StatusCode, body, time.Since(t0))
	}
	l.Stop()
	wg.Wait()
	close(codes)
	for c := range codes {
		if c != 503 {
			t.Errorf("a request held when the lab stopped got %d, want 503", c)
		}
	}
	if err := srv.Close(); err != nil {
		t.Error(err)
	}
	if _, err := http.Get(srv.URL() + "/item/1"); err == nil {
		t.Error("the server still answers after the lab stopped")
	}
}

func TestParseAddr(t *testing.T) {
	for _, tc := range []struct{ in, want, err string }{
		{":8080", "127.0.0.1:8080", ""},
		{"127.0.0.1:0", "127.0.0.1:0", ""},
		{"localhost:9", "localhost:9", ""},
		{"0.0.0.0:8080", "0.0.0.0:8080", ""},
		{"[::1]:80", "[::1]:80", ""},
		{"nonsense", "", `"nonsense" is not HOST:PORT`},
		{"127.0.0.1:99999", "", `port "99999" is not a number`},
		{"127.0.0.1:http", "", `port "http" is not a number`},
		{"example.com:80", "", `host "example.com" is not an IP address or localhost`},
	} {
		got, err := ParseAddr(tc.in)
		if got != tc.want || (err == nil) != (tc.err == "") || (err != nil && !strings.Contains(err.Error(), tc.err)) {
			t.Errorf("ParseAddr(%q) = %q, %v; want %q, %q", tc.in, got, err, tc.want, tc.err)
		}
	}
}

// Over the edge's rate limit a request gets 429 at once, counted apart
// from errors.
func TestRateLimitedIs429(t *testing.T) {
	l, srv := start(t, "shop", 1, Settings{})
	run(t, l, "limit 1/s burst=2")
	var codes []int
	for range 4 {
		resp, _ := send(t, "GET", srv.URL()+"/item/8", nil)
		codes = append(codes, resp.StatusCode)
	}
	if codes[0] != 200 || codes[1] != 200 || codes[3] != 429 {
		t.Errorf("four reads against a burst of 2 at 1/s: %v, want 200 200 … 429", codes)
	}
	if e := metric(t, l, "errors.total"); e != 0 {
		t.Errorf("errors.total %v: a rate-limited request is not an error", e)
	}
}
