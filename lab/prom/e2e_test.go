package prom

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"
	"time"
)

// A real Prometheus scrapes the lab for a few seconds; its query API then
// has the lab's series, with the values the lab reported.
func TestPrometheusScrapesTheLab(t *testing.T) {
	bin, err := exec.LookPath("prometheus")
	if err != nil {
		t.Skip("prometheus is not installed (Debian package prometheus)")
	}
	if testing.Short() {
		t.Skip("starts a Prometheus server")
	}
	l := newLab(t, 1)
	run(t, l, "load 200/s")
	target := httptest.NewServer(Handler(l))
	defer target.Close()

	dir := t.TempDir()
	cfg := filepath.Join(dir, "prometheus.yml")
	conf := fmt.Sprintf("global:\n  scrape_interval: 1s\nscrape_configs:\n  - job_name: scalelab\n    static_configs:\n      - targets: ['%s']\n", target.Listener.Addr())
	if err := os.WriteFile(cfg, []byte(conf), 0o644); err != nil {
		t.Fatal(err)
	}
	web := freeAddr(t)
	var logs bytes.Buffer
	cmd := exec.Command(bin, "--config.file="+cfg, "--storage.tsdb.path="+filepath.Join(dir, "data"),
		"--web.listen-address="+web, "--log.level=warn")
	cmd.Stdout, cmd.Stderr = &logs, &logs
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() {
		_ = cmd.Process.Signal(os.Interrupt)
		_ = cmd.Wait()
	}()

	query := func(q string) (float64, bool) {
		resp, err := http.Get("http://" + web + "/api/v1/query?query=" + url.QueryEscape(q))
		if err != nil {
			return 0, false
		}
		defer resp.Body.Close()
		var r struct {
			Status string
			Data   struct {
				Result []struct {
					Value [2]any
				}
			}
		}
		if json.NewDecoder(resp.Body).Decode(&r) != nil || r.Status != "success" || len(r.Data.Result) == 0 {
			return 0, false
		}
		s, _ := r.Data.Result[0].Value[1].(string)
		v, err := strconv.ParseFloat(s, 64)
		return v, err == nil
	}
	deadline := time.Now().Add(30 * time.Second)
	for _, q := range []string{
		`scalelab_requests_total`,
		`scalelab_breaker_state{name="payments"}`,
		`histogram_quantile(0.5, rate(scalelab_latency_seconds_bucket[5s]))`,
	} {
		for {
			v, ok := query(q)
			if ok && v == v { // not NaN: rate needs two scrapes
				t.Logf("%s = %g", q, v)
				if q == `scalelab_requests_total` && v <= 0 {
					t.Errorf("%s = %g", q, v)
				}
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("Prometheus never had %s\n%s", q, logs.String())
			}
			time.Sleep(200 * time.Millisecond)
		}
	}
	// Every query of the shipped Grafana dashboard runs and has data.
	for _, q := range dashboardExprs(t, "5s") {
		if _, ok := query(q); !ok {
			t.Errorf("the dashboard's %s has no data in Prometheus", q)
		}
	}
	// The median Prometheus computes from the buckets is the lab's own
	// median, within a bucket (the buckets are a factor 1.5 or 1.33 wide).
	p50, _ := query(`histogram_quantile(0.5, rate(scalelab_latency_seconds_bucket[5s]))`)
	lab := l.Snapshot().Latency.P50.Seconds()
	if p50 < lab/2 || p50 > lab*2 {
		t.Errorf("Prometheus' p50 %gs, the lab's %gs", p50, lab)
	}
}

func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}
