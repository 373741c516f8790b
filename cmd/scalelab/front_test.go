package main

import (
	"bytes"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/scalelab/scalelab/lab"
)

func TestFrontFlagErrors(t *testing.T) {
	t.Chdir(t.TempDir())
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"run", "--script", "demo", "--http", "nonsense"}, `--http "nonsense" is not HOST:PORT, like 127.0.0.1:8080 or :8080 (loopback)`},
		{[]string{"run", "--script", "demo", "--http", "127.0.0.1:99999"}, `--http "127.0.0.1:99999": port "99999" is not a number 0..65535`},
		{[]string{"run", "--script", "demo", "--metrics", "example.com:9100"}, `--metrics "example.com:9100": host "example.com" is not an IP address or localhost`},
		{[]string{"run", "--script", "demo", "--http", ":8080", "--metrics", "127.0.0.1:8080"}, `--metrics 127.0.0.1:8080 is --http's address too`},
		{[]string{"sandbox", "--http", "8080"}, `--http "8080" is not HOST:PORT`},
		{[]string{"run", "--script", "demo", "--otlp", "127.0.0.1:4318"}, `--otlp "127.0.0.1:4318" is not an OTLP/HTTP endpoint: want http://HOST:PORT`},
		{[]string{"sandbox", "--otlp", "grpc://127.0.0.1:4317"}, `--otlp "grpc://127.0.0.1:4317" is not an OTLP/HTTP endpoint`},
	} {
		out, errOut, code := scalelab(t, tc.args...)
		if code != 2 || out != "" || !strings.Contains(errOut, tc.want) {
			t.Errorf("scalelab %q: exit %d, stdout %q, stderr %q; want exit 2 and %q", tc.args, code, out, errOut, tc.want)
		}
	}
}

// lineWriter is a standard error the test can read while the command runs.
type lineWriter struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (w *lineWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.buf.Write(p)
}

func (w *lineWriter) String() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.buf.String()
}

// run --http: a real request goes through the lab while the script runs,
// /metrics answers on the same port and on --metrics', and the session
// log records the request with source http.
func TestRunServesHTTP(t *testing.T) {
	dir := t.TempDir()
	script := writeScript(t, "load 50/s\nwait 3s\n")
	logPath := filepath.Join(dir, "run.jsonl")
	root := newRoot()
	var out bytes.Buffer
	errOut := &lineWriter{}
	root.SetArgs([]string{"run", "--script", script, "--http", "127.0.0.1:0", "--metrics", "127.0.0.1:0", "--log", logPath, "--events", "requests", "--json"})
	root.SetOut(&out)
	root.SetErr(errOut)
	done := make(chan error, 1)
	go func() { done <- root.Execute() }()

	urls := regexp.MustCompile(`(front door|Prometheus metrics) on (http://127\.0\.0\.1:\d+)`)
	var door, metrics string
	for deadline := time.Now().Add(5 * time.Second); door == "" || metrics == ""; {
		if time.Now().After(deadline) {
			t.Fatalf("no addresses on stderr: %q", errOut.String())
		}
		for _, m := range urls.FindAllStringSubmatch(errOut.String(), -1) {
			if m[1] == "front door" {
				door = m[2]
			} else {
				metrics = m[2]
			}
		}
		time.Sleep(10 * time.Millisecond)
	}
	get := func(url string) (int, string) {
		resp, err := http.Get(url)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	if code, body := get(door + "/item/17"); code != 200 || !strings.Contains(body, `"key":17`) {
		t.Errorf("GET /item/17: %d %s", code, body)
	}
	for _, u := range []string{door, metrics} {
		if code, body := get(u + "/metrics"); code != 200 || !strings.Contains(body, "scalelab_http_total 1") {
			t.Errorf("%s/metrics: %d, no scalelab_http_total 1", u, code)
		}
	}
	if code, _ := get(metrics + "/item/17"); code != 404 {
		t.Errorf("--metrics serves more than /metrics: %d", code)
	}
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("run: %v\n%s", err, errOut.String())
		}
	case <-time.After(30 * time.Second):
		t.Fatal("run did not end")
	}
	if _, err := http.Get(door + "/item/17"); err == nil {
		t.Error("the front door is still open after run ended")
	}
	if !strings.Contains(out.String(), `"http.total":1`) {
		t.Errorf("the final summary does not count the request: %s", out.String())
	}
	b, err := os.ReadFile(logPath)
	if err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(string(b), `"kind":"request","source":"http"`); n != 1 {
		t.Errorf("%d request events with source http in the log, want 1", n)
	}
}

// run --otlp: the sampled traces reach the endpoint while the script runs,
// and the run says how many.
func TestRunSendsTraces(t *testing.T) {
	var mu sync.Mutex
	posts := 0
	rcv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		mu.Lock()
		defer mu.Unlock()
		if r.URL.Path == "/v1/traces" && strings.Contains(string(b), `"resourceSpans"`) {
			posts++
		}
		io.WriteString(w, "{}")
	}))
	defer rcv.Close()
	script := writeScript(t, "trace sample 20%\nload 100/s\nwait 2s\n")
	_, errOut, code := scalelab(t, "run", "--script", script, "--speed", "2", "--no-log", "--otlp", rcv.URL)
	mu.Lock()
	defer mu.Unlock()
	m := regexp.MustCompile(`otlp: (\d+) traces \((\d+) spans\) sent to ` + regexp.QuoteMeta(rcv.URL) + `/v1/traces; 0 dropped, 0 missed`).FindStringSubmatch(errOut)
	if code != 0 || m == nil || m[1] == "0" || posts == 0 {
		t.Errorf("exit %d, %d posts, stderr:\n%s", code, posts, errOut)
	}
}

// The listeners serve the lab attached last: a talk that steps back
// builds a new lab, and requests go to it, not to the stopped one.
func TestDoorsFollowTheLab(t *testing.T) {
	ff := frontFlags{http: "127.0.0.1:0"}
	d, err := ff.open(nil)
	if err != nil {
		t.Fatal(err)
	}
	url := d.servers[0].URL()
	get := func(path string) int {
		t.Helper()
		resp, err := http.Get(url + path)
		if err != nil {
			t.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		return resp.StatusCode
	}
	if code := get("/item/1"); code != 503 {
		t.Errorf("before any lab: %d, want 503", code)
	}
	var labs []*lab.Lab
	for i := range 2 {
		l, err := lab.New(lab.Config{Seed: 1})
		if err != nil {
			t.Fatal(err)
		}
		defer l.Stop()
		if err := d.attach(l); err != nil {
			t.Fatal(err)
		}
		labs = append(labs, l)
		for range i + 1 {
			if code := get("/item/7"); code != 200 {
				t.Errorf("lab %d: GET /item/7: %d", i+1, code)
			}
		}
		labs[0].Stop() // as a talk stops the lab it leaves
	}
	for i, l := range labs {
		if got, _ := l.Value("http.total"); got != float64(i+1) {
			t.Errorf("lab %d counted %v requests, want %d", i+1, got, i+1)
		}
	}
	d.close(nil)
	if _, err := http.Get(url + "/item/1"); err == nil {
		t.Error("the door is still open after close")
	}
	l, _ := lab.New(lab.Config{Seed: 1})
	defer l.Stop()
	if err := d.attach(l); err == nil {
		t.Error("attach after close: no error")
	}
}
