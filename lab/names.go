package lab

import (
	"fmt"
	"sort"
	"strings"
	"time"
)

// MetricInfo documents one metric name. A name may carry one label, written
// like lb.routed{backend=web-1}; Label names the label key ("" for none).
type MetricInfo struct {
	Name    string
	Label   string
	Unit    string
	Meaning string
	States  map[string]float64 // words an expect may use for a state metric
}

// Windows over which metrics are computed.
const (
	RateWindow = time.Second     // one lab second, for per-second rates
	StatWindow = 5 * time.Second // five lab seconds, for percentiles, means and ratios
)

var healthStates = map[string]float64{"up": 0, "slow": 1, "failing": 2, "hung": 3, "down": 4}
var breakerStates = map[string]float64{"closed": 0, "half-open": 1, "open": 2}

// Metrics is the catalogue of every metric name, sorted; `scalelab metrics`
// prints it and expect lines are checked against it.
var Metrics = sortedMetrics([]MetricInfo{
	{Name: "lab.time", Unit: "s", Meaning: "lab seconds since the lab started"},
	{Name: "lab.speed", Unit: "x", Meaning: "lab clock speed factor"},
	{Name: "load.rate", Unit: "req/s", Meaning: "arrival rate the load generator is set to (0 when off or paused)"},
	{Name: "load.arrivals", Unit: "req/s", Meaning: "arrivals actually generated over the last second"},
	{Name: "requests.rate", Unit: "req/s", Meaning: "requests completed per second (last 1 s)"},
	{Name: "requests.total", Unit: "", Meaning: "requests completed since the start, failed or not"},
	{Name: "errors.rate", Unit: "err/s", Meaning: "requests failed per second (last 1 s)"},
	{Name: "errors.ratio", Unit: "0..1", Meaning: "share of completed requests that failed (last 5 s)"},
	{Name: "errors.total", Unit: "", Meaning: "requests failed since the start"},
	{Name: "latency.p50", Unit: "ms", Meaning: "median end-to-end latency (last 5 s)"},
	{Name: "latency.p90", Unit: "ms", Meaning: "90th percentile end-to-end latency (last 5 s)"},
	{Name: "latency.p99", Unit: "ms", Meaning: "99th percentile end-to-end latency (last 5 s)"},
	{Name: "latency.mean", Unit: "ms", Meaning: "mean end-to-end latency (last 5 s)"},
	{Name: "latency.max", Unit: "ms", Meaning: "slowest request (last 5 s, within 3%)"},
	{Name: "lb.routed", Label: "backend", Unit: "req/s", Meaning: "requests the balancer sent to a web server per second (last 1 s)"},
	{Name: "lb.share", Label: "backend", Unit: "0..1", Meaning: "share of routed requests that went to a web server (last 5 s)"},
	{Name: "lb.inflight", Label: "backend", Unit: "", Meaning: "requests routed to a web server and not yet answered"},
	{Name: "lb.healthy", Label: "backend", Unit: "0/1", Meaning: "1 while the balancer's health checks consider the server healthy"},
	{Name: "lb.unroutable", Unit: "req/s", Meaning: "requests failed because no web server was healthy (last 1 s)"},
	{Name: "backend.health", Label: "backend", Unit: "state", Meaning: "server state: up 0, slow 1, failing 2, hung 3, down 4", States: healthStates},
	{Name: "backend.workers", Label: "backend", Unit: "", Meaning: "worker goroutines in the server's pool"},
	{Name: "backend.busy", Label: "backend", Unit: "", Meaning: "workers serving a request right now"},
	{Name: "backend.queued", Label: "backend", Unit: "", Meaning: "requests waiting in the server's accept queue right now"},
	{Name: "backend.utilization", Label: "backend", Unit: "0..1", Meaning: "share of worker time spent serving (last 5 s)"},
	{Name: "backend.rate", Label: "backend", Unit: "req/s", Meaning: "requests the server completed per second (last 1 s)"},
	{Name: "backend.rejected", Label: "backend", Unit: "req/s", Meaning: "requests turned away because the accept queue was full or the server down (last 1 s)"},
	{Name: "backend.errors", Label: "backend", Unit: "req/s", Meaning: "requests the server failed or timed out (last 1 s)"},
	{Name: "backend.queue_wait.mean", Label: "backend", Unit: "ms", Meaning: "mean time requests waited in the accept queue (last 5 s)"},
	{Name: "backend.service.mean", Label: "backend", Unit: "ms", Meaning: "mean time from service start to response (last 5 s)"},
	{Name: "backend.latency.p99", Label: "backend", Unit: "ms", Meaning: "99th percentile of queue wait + service at the server (last 5 s)"},
	{Name: "cache.hit_ratio", Unit: "0..1", Meaning: "share of cache reads that hit (last 5 s)"},
	{Name: "cache.hits", Unit: "/s", Meaning: "cache hits per second (last 1 s)"},
	{Name: "cache.misses", Unit: "/s", Meaning: "cache misses per second (last 1 s)"},
	{Name: "cache.size", Unit: "", Meaning: "entries in the cache"},
	{Name: "cache.capacity", Unit: "", Meaning: "entries the cache can hold"},
	{Name: "cache.evictions", Unit: "/s", Meaning: "entries evicted for room per second (last 1 s)"},
	{Name: "cache.expirations", Unit: "/s", Meaning: "entries found expired per second (last 1 s)"},
	{Name: "cache.stale_ratio", Unit: "0..1", Meaning: "share of reads that returned an older version than the last write (last 5 s)"},
	{Name: "cache.behind.pending", Unit: "", Meaning: "write-behind writes waiting to reach the database"},
	{Name: "cache.behind.lag", Unit: "ms", Meaning: "age of the oldest write-behind write not yet in the database"},
	{Name: "shard.count", Unit: "", Meaning: "database shards"},
	{Name: "shard.keys", Label: "shard", Unit: "", Meaning: "keys stored on a shard"},
	{Name: "shard.reads", Label: "shard", Unit: "/s", Meaning: "reads served by a shard per second (last 1 s)"},
	{Name: "shard.writes", Label: "shard", Unit: "/s", Meaning: "writes stored on a shard per second (last 1 s)"},
	{Name: "shard.moved_keys", Unit: "", Meaning: "keys moved by the last shard change"},
	{Name: "shard.moved_total", Unit: "", Meaning: "keys moved by all shard changes"},
	{Name: "queue.depth", Unit: "", Meaning: "writes waiting in the queue"},
	{Name: "queue.capacity", Unit: "", Meaning: "queue buffer size"},
	{Name: "queue.consumers", Unit: "", Meaning: "consumer goroutines writing queued messages to the database"},
	{Name: "queue.published", Unit: "/s", Meaning: "messages published per second (last 1 s)"},
	{Name: "queue.consumed", Unit: "/s", Meaning: "messages acknowledged per second (last 1 s)"},
	{Name: "queue.rejected", Unit: "/s", Meaning: "publishes refused because the queue was full (last 1 s)"},
	{Name: "queue.retried", Unit: "/s", Meaning: "messages redelivered after a failure per second (last 1 s)"},
	{Name: "queue.dead", Unit: "", Meaning: "messages dead-lettered after their last attempt, since the start"},
	{Name: "queue.oldest", Unit: "ms", Meaning: "age of the oldest waiting message"},
	{Name: "breaker.state", Label: "name", Unit: "state", Meaning: "circuit breaker state: closed 0, half-open 1, open 2", States: breakerStates},
	{Name: "breaker.failures", Label: "name", Unit: "", Meaning: "consecutive failures the breaker has counted"},
	{Name: "breaker.rejected", Label: "name", Unit: "/s", Meaning: "calls failed fast by the breaker per second (last 1 s)"},
	{Name: "breaker.trips", Label: "name", Unit: "", Meaning: "times the breaker opened, since the start"},
	{Name: "trace.sampled", Unit: "/s", Meaning: "requests traced per second (last 1 s)"},
	{Name: "trace.sample", Unit: "0..1", Meaning: "share of requests traced, as set by `trace sample`"},
	{Name: "trace.kept", Unit: "", Meaning: "finished traces held for viewing"},
	{Name: "events.dropped", Unit: "", Meaning: "request events dropped by slow subscribers (other events are never dropped)"},
})

func sortedMetrics(ms []MetricInfo) []MetricInfo {
	sort.Slice(ms, func(i, j int) bool { return ms[i].Name < ms[j].Name })
	return ms
}

// LookupMetric finds the catalogue entry for a full metric name such as
// "lb.routed{backend=web-1}", checking the label key. The label's value is
// checked later against the running lab.
func LookupMetric(full string) (MetricInfo, error) {
	base, label, hasLabel := strings.Cut(full, "{")
	for _, m := range Metrics {
		if m.Name != base {
			continue
		}
		switch {
		case m.Label == "" && hasLabel:
			return m, fmt.Errorf("metric %s takes no label", base)
		case m.Label != "" && !hasLabel:
			return m, fmt.Errorf("metric %s needs a label, like %s{%s=NAME}", base, base, m.Label)
		case hasLabel:
			k, v, ok := strings.Cut(strings.TrimSuffix(label, "}"), "=")
			if !strings.HasSuffix(label, "}") || !ok || k != m.Label || v == "" {
				return m, fmt.Errorf("metric %s: label must be {%s=NAME}", base, m.Label)
			}
		}
		return m, nil
	}
	return MetricInfo{}, fmt.Errorf("unknown metric %q (see `scalelab metrics`)", base)
}

// MetricName renders base{label=value}, or base when label is empty.
func MetricName(base, label, value string) string {
	if label == "" {
		return base
	}
	return base + "{" + label + "=" + value + "}"
}
