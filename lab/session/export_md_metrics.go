package session

import (
	"cmp"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/scalelab/scalelab/lab"
)

// This file is the report's numbers over time: the metrics table and the
// sparkline charts.

func mdMetricsTable(b *strings.Builder, l *Log) {
	if len(l.Metrics) == 0 {
		return
	}
	step := float64(mdInterval)
	if rows := math.Ceil(l.end() / step); rows > mdMaxRows {
		step = math.Ceil(l.end()/mdMaxRows/mdInterval) * mdInterval
	}
	fmt.Fprintf(b, "## Metrics every %s lab s\n\n", strconv.FormatFloat(step, 'f', -1, 64))
	b.WriteString("Rates are the interval's mean; latency, error and hit ratios are over the last 5 lab s at the row's time.\n\n")
	b.WriteString("| lab time | load req/s | done/s | err % | p50 ms | p99 ms | hit % | queue | breaker |\n")
	b.WriteString("|---:|---:|---:|---:|---:|---:|---:|---:|---|\n")
	for _, bucket := range bucketMetrics(l.Metrics, step) {
		last := bucket[len(bucket)-1]
		get := func(name string, scale float64) string {
			if v, ok := last.Metrics[name]; ok {
				return lab.FormatMeasure(v * scale)
			}
			return "—"
		}
		done, n := 0.0, 0
		for _, m := range bucket {
			if v, ok := m.Metrics["requests.rate"]; ok {
				done += v
				n++
			}
		}
		doneS := "—"
		if n > 0 {
			doneS = lab.FormatMeasure(done / float64(n))
		}
		fmt.Fprintf(b, "| %s | %s | %s | %s | %s | %s | %s | %s | %s |\n", mdTime(last.T),
			get("load.rate", 1), doneS, get("errors.ratio", 100), get("latency.p50", 1), get("latency.p99", 1),
			get("cache.hit_ratio", 100), get("queue.depth", 1), mdBreakers(last.Metrics))
	}
	b.WriteString("\n")
}

// bucketMetrics groups snapshots in time order into intervals (0, step],
// (step, 2·step], …; empty intervals are left out.
func bucketMetrics(ms []Metrics, step float64) [][]Metrics {
	ms = slices.Clone(ms)
	slices.SortStableFunc(ms, func(x, y Metrics) int { return cmp.Compare(x.T, y.T) })
	var out [][]Metrics
	prev := math.Inf(-1)
	for _, m := range ms {
		k := math.Ceil(m.T/step - 1e-9)
		if k != prev || len(out) == 0 {
			out = append(out, nil)
			prev = k
		}
		out[len(out)-1] = append(out[len(out)-1], m)
	}
	return out
}

// mdBreakers names every breaker's state, like "payments open".
func mdBreakers(m map[string]float64) string {
	var out []string
	for name, v := range m {
		rest, ok := strings.CutPrefix(name, "breaker.state{name=")
		if !ok {
			continue
		}
		out = append(out, strings.TrimSuffix(rest, "}")+" "+lab.FormatMetric(name, v))
	}
	if len(out) == 0 {
		return "—"
	}
	slices.Sort(out)
	return strings.Join(out, ", ")
}

// mdCharts draws p50 and p99 latency and the cache hit ratio as sparklines,
// one column per lab second or per bucket of seconds.
func mdCharts(b *strings.Builder, l *Log) {
	ms := slices.Clone(l.Metrics)
	slices.SortStableFunc(ms, func(x, y Metrics) int { return cmp.Compare(x.T, y.T) })
	series := func(name string) []float64 {
		vs := make([]float64, len(ms))
		seen := false
		for i, m := range ms {
			v, ok := m.Metrics[name]
			if !ok {
				v = math.NaN()
			}
			seen = seen || ok
			vs[i] = v
		}
		if !seen {
			return nil
		}
		return vs
	}
	p50, p99, hit := series("latency.p50"), series("latency.p99"), series("cache.hit_ratio")
	if p50 == nil && p99 == nil && hit == nil {
		return
	}
	per := max(1, int(math.Ceil(float64(len(ms))/mdChartCols)))
	b.WriteString("## Charts\n\n")
	if per == 1 {
		b.WriteString("One column per metrics snapshot (each lab second); bars start at zero.\n\n")
	} else {
		fmt.Fprintf(b, "One column per %d snapshots: latency shows each column's highest value, hit ratio its mean; bars start at zero.\n\n", per)
	}
	b.WriteString("```text\n")
	const label = "%-8s "
	if p50 != nil || p99 != nil {
		top := max(seriesMax(p50), seriesMax(p99))
		for _, s := range []struct {
			name string
			vs   []float64
		}{{"p99 ms", p99}, {"p50 ms", p50}} {
			if s.vs != nil {
				fmt.Fprintf(b, label+"%s  max %s\n", s.name, sparkline(downsample(s.vs, per, slices.Max), top), lab.FormatMeasure(seriesMax(s.vs)))
			}
		}
	}
	if hit != nil {
		pct := make([]float64, len(hit))
		for i, v := range hit {
			pct[i] = v * 100
		}
		fmt.Fprintf(b, label+"%s  0–100\n", "hit %", sparkline(downsample(pct, per, mean), 100))
	}
	cols := (len(ms) + per - 1) / per
	first, last := mdTime(ms[0].T), mdTime(ms[len(ms)-1].T)
	axis := fmt.Sprintf(label+"%s", "lab time", first)
	if pad := cols - len([]rune(first)) - len([]rune(last)); pad > 0 {
		axis += strings.Repeat(" ", pad) + last
	} else {
		axis += " … " + last
	}
	b.WriteString(axis + "\n```\n\n")
}

// downsample reduces vs to one value per group of n, combining the group's
// known (non-NaN) values with f; a group with none stays NaN.
func downsample(vs []float64, n int, f func([]float64) float64) []float64 {
	var out []float64
	for i := 0; i < len(vs); i += n {
		group := slices.DeleteFunc(slices.Clone(vs[i:min(i+n, len(vs))]), math.IsNaN)
		if len(group) == 0 {
			out = append(out, math.NaN())
			continue
		}
		out = append(out, f(group))
	}
	return out
}

func mean(vs []float64) float64 {
	s := 0.0
	for _, v := range vs {
		s += v
	}
	return s / float64(len(vs))
}

// seriesMax is the largest known value in vs, or 0.
func seriesMax(vs []float64) float64 {
	top := 0.0
	for _, v := range vs {
		if !math.IsNaN(v) {
			top = max(top, v)
		}
	}
	return top
}

var sparks = []rune("▁▂▃▄▅▆▇█")

// sparkline draws each value as a bar from 0 to top; unknown values are
// blanks.
func sparkline(vs []float64, top float64) string {
	var b strings.Builder
	for _, v := range vs {
		switch {
		case math.IsNaN(v):
			b.WriteRune(' ')
		case top <= 0:
			b.WriteRune(sparks[0])
		default:
			i := int(math.Round(v / top * float64(len(sparks)-1)))
			b.WriteRune(sparks[min(max(i, 0), len(sparks)-1)])
		}
	}
	return b.String()
}
