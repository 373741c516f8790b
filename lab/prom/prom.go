// Package prom serves a lab's metrics to Prometheus: a collector that, at
// each scrape, takes one lab snapshot and reports every row of the lab's
// metric table (named by lab.MetricInfo.Prom) and the lab's latency
// histograms, cumulative since the start. Nothing is counted twice: the
// lab's registry is the only bookkeeping.
package prom

import (
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/scalelab/scalelab/lab"
)

// Collector reads a lab at each scrape. It is safe for concurrent use.
type Collector struct {
	lab   *lab.Lab
	rows  []row
	hists map[string]*prometheus.Desc // by lab histogram name
	edges []time.Duration             // bucket bounds
	les   []float64                   // the same, in seconds
}

type row struct {
	info  lab.MetricInfo
	prom  lab.PromMetric
	desc  *prometheus.Desc
	vtype prometheus.ValueType
}

// NewCollector returns a collector over l's metric table.
func NewCollector(l *lab.Lab) *Collector {
	c := &Collector{lab: l, hists: map[string]*prometheus.Desc{}}
	for _, m := range lab.Metrics {
		p := m.Prom()
		var labels []string
		if m.Label != "" {
			labels = []string{m.Label}
		}
		vt := prometheus.GaugeValue
		if p.Counter {
			vt = prometheus.CounterValue
		}
		c.rows = append(c.rows, row{info: m, prom: p, desc: prometheus.NewDesc(p.Name, m.PromHelp(), labels, nil), vtype: vt})
	}
	for _, h := range lab.Histograms {
		var labels []string
		if h.Label != "" {
			labels = []string{h.Label}
		}
		c.hists[h.Name] = prometheus.NewDesc(h.Prom, h.Meaning+" (cumulative since the start) [lab histogram "+h.Name+"]", labels, nil)
	}
	c.edges = lab.HistogramEdges()
	for _, e := range c.edges {
		c.les = append(c.les, e.Seconds())
	}
	return c
}

// Describe sends every metric's description.
func (c *Collector) Describe(ch chan<- *prometheus.Desc) {
	for _, r := range c.rows {
		ch <- r.desc
	}
	for _, d := range c.hists {
		ch <- d
	}
}

// Collect reads one snapshot of the lab and sends every value in it.
func (c *Collector) Collect(ch chan<- prometheus.Metric) {
	s := c.lab.Snapshot()
	for _, r := range c.rows {
		r.info.Read(&s, func(label string, v float64) {
			var lv []string
			if r.info.Label != "" {
				lv = []string{label}
			}
			ch <- prometheus.MustNewConstMetric(r.desc, r.vtype, v*r.prom.Scale, lv...)
		})
	}
	c.lab.ReadHistograms(c.edges, func(h lab.HistogramInfo, hc lab.HistogramCounts) {
		buckets := make(map[float64]uint64, len(c.les))
		for i, e := range c.les {
			buckets[e] = hc.Counts[i]
		}
		var lv []string
		if h.Label != "" {
			lv = []string{hc.Label}
		}
		ch <- prometheus.MustNewConstHistogram(c.hists[h.Name], hc.Count, hc.Sum.Seconds(), buckets, lv...)
	})
}

// Handler serves l's metrics in the Prometheus exposition format.
func Handler(l *lab.Lab) http.Handler {
	reg := prometheus.NewRegistry()
	reg.MustRegister(NewCollector(l))
	return promhttp.HandlerFor(reg, promhttp.HandlerOpts{ErrorHandling: promhttp.ContinueOnError})
}
