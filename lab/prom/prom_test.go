package prom

import (
	"bytes"
	"io"
	"math"
	"net/http/httptest"
	"os/exec"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
	"go.uber.org/goleak"

	"github.com/scalelab/scalelab/lab"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func newLab(t *testing.T, speed float64) *lab.Lab {
	t.Helper()
	l, err := lab.New(lab.Config{Seed: 5, Speed: speed})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(l.Stop)
	return l
}

func run(t *testing.T, l *lab.Lab, lines ...string) {
	t.Helper()
	for _, line := range lines {
		if err := l.Exec(line, lab.SourceScript); err != nil {
			t.Fatalf("%s: %v", line, err)
		}
	}
}

func scrape(t *testing.T, l *lab.Lab) string {
	t.Helper()
	rec := httptest.NewRecorder()
	Handler(l).ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
	if rec.Code != 200 {
		t.Fatalf("status %d: %s", rec.Code, rec.Body)
	}
	return rec.Body.String()
}

func parse(t *testing.T, text string) map[string]*dto.MetricFamily {
	t.Helper()
	parser := expfmt.NewTextParser(model.UTF8Validation)
	fams, err := parser.TextToMetricFamilies(strings.NewReader(text))
	if err != nil {
		t.Fatal(err)
	}
	return fams
}

// Every value the lab's snapshot has is scraped, under its Prometheus
// name, in base units, equal to what expect and the session log see.
func TestScrapeIsTheSnapshot(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		l := newLab(t, 1)
		run(t, l, "load 300/s zipf=1.1", "wait 3s", "load off", "wait 2s")
		synctest.Wait() // quiet: the scrape and the snapshot see the same lab
		fams := parse(t, scrape(t, l))
		snap := l.Snapshot()
		n := 0
		for _, m := range lab.Metrics {
			p := m.Prom()
			m.Read(&snap, func(label string, want float64) {
				n++
				fam := fams[p.Name]
				if fam == nil {
					t.Errorf("%s: no %s scraped", m.Name, p.Name)
					return
				}
				for _, s := range fam.Metric {
					if m.Label != "" && (len(s.Label) != 1 || s.Label[0].GetName() != m.Label || s.Label[0].GetValue() != label) {
						continue
					}
					got := s.GetGauge().GetValue()
					if p.Counter {
						got = s.GetCounter().GetValue()
					}
					if math.Abs(got-want*p.Scale) > 1e-9*math.Max(1, math.Abs(want)) {
						t.Errorf("%s{%s}: scraped %v, the lab says %v × %v", p.Name, label, got, want, p.Scale)
					}
					return
				}
				t.Errorf("%s: no series for %s=%q", p.Name, m.Label, label)
			})
		}
		if n < 100 {
			t.Errorf("only %d values compared", n)
		}
		// The histograms hold every request: served and failed add up to
		// requests.total.
		total := fams["scalelab_requests_total"].Metric[0].GetCounter().GetValue()
		served := fams["scalelab_latency_seconds"].Metric[0].GetHistogram()
		failed := fams["scalelab_latency_failed_seconds"].Metric[0].GetHistogram()
		if total < 800 || float64(served.GetSampleCount()+failed.GetSampleCount()) != total {
			t.Errorf("requests_total %v, histograms %d served + %d failed", total, served.GetSampleCount(), failed.GetSampleCount())
		}
		if b := served.Bucket; len(b) < 30 || b[len(b)-1].GetCumulativeCount() != served.GetSampleCount() {
			t.Errorf("served buckets %v", b)
		}
		if web := fams["scalelab_backend_latency_seconds"]; web == nil || len(web.Metric) < 6 {
			t.Errorf("per-server histograms: %v", web)
		}
	})
}

// promtool, Prometheus' own checker, accepts the exposition.
func TestPromtoolChecksMetrics(t *testing.T) {
	promtool, err := exec.LookPath("promtool")
	if err != nil {
		t.Skip("promtool is not installed (Debian package prometheus)")
	}
	l := newLab(t, 10)
	run(t, l, "load 500/s", "errors payments 50%")
	time.Sleep(500 * time.Millisecond)
	text := scrape(t, l)
	cmd := exec.Command(promtool, "check", "metrics")
	cmd.Stdin = strings.NewReader(text)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Run(); err != nil {
		t.Errorf("promtool check metrics: %v\n%s", err, out.String())
	}
	if !strings.Contains(text, `scalelab_breaker_state{name="payments"}`) || !strings.Contains(text, `scalelab_latency_seconds_bucket{le="0.001024"}`) {
		t.Errorf("the scrape lacks the breaker state or a latency bucket:\n%s", head(text))
	}
}

func head(s string) string {
	b, _ := io.ReadAll(io.LimitReader(strings.NewReader(s), 2000))
	return string(b)
}
