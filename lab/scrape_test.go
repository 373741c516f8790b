package lab

import (
	"regexp"
	"testing"
	"testing/synctest"
	"time"
)

func TestPromNames(t *testing.T) {
	valid := regexp.MustCompile(`^[a-zA-Z_:][a-zA-Z0-9_:]*$`)
	seen := map[string]string{}
	for _, h := range Histograms {
		seen[h.Prom] = h.Name
	}
	for _, m := range Metrics {
		p := m.Prom()
		if !valid.MatchString(p.Name) {
			t.Errorf("%s: %q is not a Prometheus name", m.Name, p.Name)
		}
		if other, ok := seen[p.Name]; ok {
			t.Errorf("%s and %s are both %s", m.Name, other, p.Name)
		}
		seen[p.Name] = m.Name
		if (len(p.Name) > 6 && p.Name[len(p.Name)-6:] == "_total") != p.Counter {
			t.Errorf("%s: %s, counter %v: a name ends in _total exactly when it is a counter", m.Name, p.Name, p.Counter)
		}
	}
	for lab, want := range map[string]PromMetric{
		"requests.total":           {"scalelab_requests_total", true, 1},
		"latency.p99":              {"scalelab_latency_p99_seconds", false, 0.001},
		"cache.hit_ratio":          {"scalelab_cache_hit_ratio", false, 1},
		"lb.routed":                {"scalelab_lb_routed_per_second", false, 1},
		"breaker.state":            {"scalelab_breaker_state", false, 1},
		"backend.queue_wait.total": {"scalelab_backend_queue_wait_seconds_total", true, 1},
		"db.replication_lag":       {"scalelab_db_replication_lag_seconds", false, 1},
		"shard.moved_total":        {"scalelab_shard_moved_total", true, 1},
		"shard.count":              {"scalelab_shards", false, 1},
		"orders.count":             {"scalelab_orders", false, 1},
	} {
		m, err := LookupMetric(lab)
		if err != nil {
			m, err = LookupMetric(lab + "{" + "x=y}")
		}
		if got := m.Prom(); got != want {
			t.Errorf("%s: %+v, want %+v (%v)", lab, got, want, err)
		}
	}
}

// The scraped histogram is exact at its edges: requests of known latency
// land below and above the right bounds (one exactly at an edge is above it).
func TestReadHistograms(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		l := newLab(t, "web", 1, nil)
		h := l.reg.Histogram("latency")
		for _, d := range []time.Duration{50 * time.Microsecond, 95 * time.Microsecond, 96 * time.Microsecond, 3 * time.Millisecond, 2 * time.Second} {
			h.Record(d)
		}
		edges := HistogramEdges()
		at := func(c HistogramCounts, d time.Duration) uint64 {
			for i, e := range edges {
				if e == d {
					return c.Counts[i]
				}
			}
			t.Fatalf("%v is not an edge", d)
			return 0
		}
		got := false
		l.ReadHistograms(edges, func(info HistogramInfo, c HistogramCounts) {
			if info.Name != "latency" {
				return
			}
			got = true
			if c.Count != 5 || c.Sum != 50*time.Microsecond+95*time.Microsecond+96*time.Microsecond+3*time.Millisecond+2*time.Second {
				t.Errorf("count %d sum %v", c.Count, c.Sum)
			}
			for d, want := range map[time.Duration]uint64{64 * time.Microsecond: 1, 96 * time.Microsecond: 2, 128 * time.Microsecond: 3, 3072 * time.Microsecond: 4, 16777216 * time.Microsecond: 5} {
				if n := at(c, d); n != want {
					t.Errorf("≤ %v: %d, want %d", d, n, want)
				}
			}
		})
		if !got {
			t.Error("no latency histogram read")
		}
	})
}
