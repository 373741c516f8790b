package lab

// What an outside scraper reads (lab/prom serves it to Prometheus): every
// row of the metric table under a name in Prometheus' conventions, in base
// units, and the latency histograms cumulative since the start. The names
// are derived from the table, so a new row is scraped with no other change.

import (
	"fmt"
	"strings"
	"time"
)

// Read calls emit with the row's value (or one per label value) in s, in
// the row's unit: what expect and the session log see.
func (m MetricInfo) Read(s *Snapshot, emit func(label string, v float64)) { m.read(s, emit) }

// PromMetric is how a row of the metric table is named and scaled for
// Prometheus.
type PromMetric struct {
	Name    string  // like scalelab_latency_p99_seconds
	Counter bool    // a cumulative count (the row says "since the start"); else a gauge
	Scale   float64 // multiply the row's value by it: 0.001 for ms to seconds, else 1
}

// PromPrefix begins every Prometheus name of the lab's.
const PromPrefix = "scalelab_"

// Prom names a row by Prometheus' conventions: "scalelab_", the row's name
// with dots and dashes as underscores, then the base unit — milliseconds
// become _seconds (the value scaled), seconds _seconds, a share _ratio,
// a per-second rate _per_second — and a row whose meaning counts "since
// the start" (or whose name ends in total) is a counter, ending in _total (requests.total is
// scalelab_requests_total; backend.queue_wait.total, in seconds, is
// scalelab_backend_queue_wait_seconds_total). A name ending in count
// (kept for histograms in Prometheus) is the plural: shard.count is
// scalelab_shards. A state is its value's number, its words in the help
// text.
func (m MetricInfo) Prom() PromMetric {
	p := PromMetric{Counter: strings.Contains(m.Meaning, "since the start") || strings.HasSuffix(m.Name, "total"), Scale: 1}
	base := strings.NewReplacer(".", "_", "-", "_").Replace(m.Name)
	if p.Counter {
		base = strings.TrimSuffix(base, "_total")
	}
	if c, ok := strings.CutSuffix(base, "_count"); ok { // _count is a histogram's: shard.count is scalelab_shards
		base = c
		if !strings.HasSuffix(base, "s") {
			base += "s"
		}
	}
	suffix := ""
	switch m.Unit {
	case UnitMS:
		suffix, p.Scale = "_seconds", 0.001
	case UnitSeconds:
		suffix = "_seconds"
	case UnitShare:
		suffix = "_ratio"
	case UnitPerSec, UnitReqPerS, "err/s":
		suffix = "_per_second"
	}
	if !strings.HasSuffix(base, suffix) {
		base += suffix
	}
	if p.Counter {
		base += "_total"
	}
	p.Name = PromPrefix + base
	return p
}

// PromHelp is the help text of a row's Prometheus metric.
func (m MetricInfo) PromHelp() string {
	h := m.Meaning
	if m.Unit == UnitMS {
		h += " (in seconds)"
	}
	return h + " [lab metric " + m.Name + "]"
}

// HistogramInfo is one of the lab's latency histograms, as scraped:
// cumulative since the start (the panels show windows of the same data).
type HistogramInfo struct {
	Name    string // the registry's name; per server: backend.latency{NAME}
	Label   string // the label key for a per-server histogram; "" for none
	Prom    string // the Prometheus name
	Meaning string
}

// Histograms are the lab's latency histograms.
var Histograms = []HistogramInfo{
	{"latency", "", PromPrefix + "latency_seconds", "end-to-end latency of requests that succeeded"},
	{"latency.failed", "", PromPrefix + "latency_failed_seconds", "time to fail, of requests that failed"},
	{"backend.latency", labelBackend, PromPrefix + "backend_latency_seconds", "queue wait + service of the requests a server answered"},
}

// HistogramEdges are bucket bounds that are exact in the lab's histogram
// (edges of its buckets): 64 µs and up, two a doubling (64, 96, 128, 192 µs
// …), to about 25 s. The count at an edge is of the observations below it
// (recorded to the microsecond), so Prometheus' "at most" is off only for
// one exactly at the edge.
func HistogramEdges() []time.Duration {
	var out []time.Duration
	for us := uint64(64); us <= 25_000_000; us *= 2 {
		out = append(out, time.Duration(us)*time.Microsecond, time.Duration(us*3/2)*time.Microsecond)
	}
	return out
}

// HistogramCounts is one histogram's counts since the start.
type HistogramCounts struct {
	Label  string        // the server, for a per-server histogram
	Counts []uint64      // observations below each edge asked for (cumulative)
	Count  uint64        // every observation
	Sum    time.Duration // of every observation, to the microsecond
}

// ReadHistograms calls fn for each latency histogram the lab has now, with
// its counts at edges (which should be HistogramEdges: other bounds are
// rounded to the bucket edge below, within 3%). It reads the live
// counters, not a frame: the scrape sees every request finished so far.
func (l *Lab) ReadHistograms(edges []time.Duration, fn func(HistogramInfo, HistogramCounts)) {
	type found struct {
		info  HistogramInfo
		label string
		h     *Histogram
	}
	var hs []found
	l.reg.mu.Lock()
	for _, s := range l.reg.hists {
		if s == nil {
			continue
		}
		base, label, _ := strings.Cut(s.name, "{")
		for _, info := range Histograms {
			if info.Name == base {
				hs = append(hs, found{info, strings.TrimSuffix(label, "}"), s.h})
			}
		}
	}
	l.reg.mu.Unlock()
	idx := make([]int, len(edges))
	for i, e := range edges {
		idx[i] = bucketOf(uint64(e / time.Microsecond))
	}
	for _, f := range hs {
		var fr histFrame
		f.h.frame(&fr)
		c := HistogramCounts{Label: f.label, Counts: make([]uint64, len(edges)), Sum: time.Duration(fr.sum) * time.Microsecond}
		k := 0
		for i, n := range fr.counts {
			for k < len(idx) && idx[k] <= i {
				c.Counts[k] = c.Count
				k++
			}
			c.Count += n
		}
		for ; k < len(idx); k++ {
			c.Counts[k] = c.Count
		}
		fn(f.info, c)
	}
}

// PromTable is the lab-to-Prometheus name mapping as Markdown, for the
// docs: every row of the metric table and every histogram.
func PromTable() string {
	var b strings.Builder
	b.WriteString("| lab metric | Prometheus | type |\n|---|---|---|\n")
	for _, h := range Histograms {
		name, labels := h.Name, ""
		if h.Label != "" {
			name, labels = h.Name+"{NAME}", fmt.Sprintf(`{%s="…"}`, h.Label)
		}
		fmt.Fprintf(&b, "| `%s` (histogram) | `%s%s` | histogram |\n", name, h.Prom, labels)
	}
	for _, m := range Metrics {
		p := m.Prom()
		name, labels := m.Name, ""
		if m.Label != "" {
			name += "{" + m.Label + "=…}"
			labels = fmt.Sprintf(`{%s="…"}`, m.Label)
		}
		kind := "gauge"
		if p.Counter {
			kind = "counter"
		}
		fmt.Fprintf(&b, "| `%s` | `%s%s` | %s |\n", name, p.Name, labels, kind)
	}
	return b.String()
}
