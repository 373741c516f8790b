package tui

import (
	"fmt"
	"math"
	"strings"

	"github.com/NimbleMarkets/ntcharts/canvas"
	"github.com/NimbleMarkets/ntcharts/canvas/runes"
	"github.com/NimbleMarkets/ntcharts/linechart"
	"github.com/NimbleMarkets/ntcharts/linechart/streamlinechart"
	"github.com/NimbleMarkets/ntcharts/sparkline"
	"github.com/charmbracelet/lipgloss"

	"github.com/scalelab/scalelab/lab"
)

// This file holds what the charting panels share: a memory of values over
// lab time, a cache of rendered charts, and the chart drawing itself.

// seriesStyle is the i-th chart series style (plain if the sheet has too
// few).
func seriesStyle(s *Styles, i int) lipgloss.Style {
	if i < len(s.Series) {
		return s.Series[i]
	}
	return lipgloss.NewStyle()
}

// historyPoints and historyWindow bound a panel's chart memory: one point
// per lab second over the last 60 lab seconds.
const (
	historyPoints = 60
	historyWindow = 60.0 // lab seconds
)

// labHistory is a panel's memory of a few values over lab time, one sample
// per lab second, the last 60 lab seconds kept. It is fed from successive
// views, so it costs nothing on the lab's side.
type labHistory struct {
	t    []float64   // lab seconds, increasing
	vals [][]float64 // vals[i] are the values sampled at t[i]
}

// add records vals at lab time t if t is in a later lab second than the
// last sample, and reports whether it did. A lab time before the last
// sample means a new lab: the history starts afresh.
func (h *labHistory) add(t float64, vals ...float64) bool {
	if n := len(h.t); n > 0 {
		last := h.t[n-1]
		switch {
		case t < last:
			h.t, h.vals = nil, nil
		case math.Floor(t) <= math.Floor(last):
			return false
		}
	}
	h.t = append(h.t, t)
	h.vals = append(h.vals, vals)
	drop := 0
	for drop < len(h.t)-1 && (len(h.t)-drop > historyPoints || h.t[drop] < t-historyWindow) {
		drop++
	}
	if drop > 0 {
		h.t = append([]float64(nil), h.t[drop:]...)
		h.vals = append([][]float64(nil), h.vals[drop:]...)
	}
	return true
}

// len is the number of samples held.
func (h *labHistory) len() int { return len(h.t) }

// max is the largest value of series k held (0 when empty).
func (h *labHistory) max(k int) float64 {
	var m float64
	for _, v := range h.vals {
		if k < len(v) {
			m = max(m, v[k])
		}
	}
	return m
}

// columns resamples series k onto n columns spanning the last 60 lab
// seconds (59 s from the first sample to the last), the newest at the
// right, interpolating between samples.
// Columns older than the first sample are left out, so the result may be
// shorter than n and is meant to be drawn right-aligned.
func (h *labHistory) columns(k, n int) []float64 {
	if len(h.t) == 0 || n <= 0 {
		return nil
	}
	end := h.t[len(h.t)-1]
	val := func(i int) float64 {
		if k < len(h.vals[i]) {
			return h.vals[i][k]
		}
		return 0
	}
	const span = historyWindow - 1
	out := make([]float64, 0, n)
	j := 0
	for c := range n {
		tc := end
		if n > 1 {
			tc = end - span + span*float64(c)/float64(n-1)
		}
		if tc < h.t[0]-1e-9 {
			continue
		}
		for j+1 < len(h.t) && h.t[j+1] < tc {
			j++
		}
		if j+1 >= len(h.t) {
			out = append(out, val(j))
			continue
		}
		t0, t1 := h.t[j], h.t[j+1]
		f := 0.0
		if t1 > t0 {
			f = min(max((tc-t0)/(t1-t0), 0), 1)
		}
		out = append(out, val(j)+(val(j+1)-val(j))*f)
	}
	return out
}

// chartCache holds a rendered chart and the size and scale it was drawn
// at, so a chart is redrawn only when its data, size or scale changes.
type chartCache struct {
	text  string
	w, h  int
	scale float64
	valid bool
}

// invalidate marks the chart's data changed.
func (c *chartCache) invalidate() { c.valid = false }

// get returns the chart at w×h and the given scale (any number the
// drawing depends on beyond the data), drawing it with draw if needed.
func (c *chartCache) get(w, h int, scale float64, draw func(w, h int) string) string {
	if !c.valid || c.w != w || c.h != h || c.scale != scale {
		c.text, c.w, c.h, c.scale, c.valid = draw(w, h), w, h, scale, true
	}
	return c.text
}

// lineChart draws the given series of hist (one line each, in order, each
// in its style) as a w×h streamline chart over the last 60 lab seconds,
// with a Y axis from 0 to top on the left labelled at 0, top and (when a
// row falls there) top/2.
func lineChart(s *Styles, hist *labHistory, series []int, styles []lipgloss.Style, w, h int, top float64) string {
	format := "%.0f"
	if top < 10 {
		format = "%.1f"
	}
	rows := h - 1 // the streamline puts 0 on the bottom row and top on row h-1 above it
	label := func(i int, _ float64) string {
		switch {
		case i == 0:
			return "0"
		case i == rows:
			return fmt.Sprintf(format, top)
		case rows >= 4 && rows%2 == 0 && i == rows/2:
			return fmt.Sprintf(format, top/2)
		}
		return ""
	}
	lc := linechart.New(w, h, 0, 1, 0, top,
		linechart.WithXYSteps(0, 1),
		linechart.WithStyles(s.Dim, s.Dim, lipgloss.NewStyle()),
		linechart.WithYLabelFormatter(label))
	m := streamlinechart.New(w, h, streamlinechart.WithLineChart(&lc))
	cols := m.Width() - m.Origin().X // the stream's width, Y axis included
	names := make([]string, len(series))
	for i, k := range series {
		names[i] = fmt.Sprint("s", i)
		m.SetDataSetStyles(names[i], runes.ArcLineStyle, styles[i])
		for _, y := range hist.columns(k, cols) {
			m.PushDataSet(names[i], min(y, top))
		}
	}
	if hist.len() == 0 {
		m.DrawXYAxisAndLabel()
	} else {
		m.DrawDataSets(names)
	}
	return canvasText(&m.Canvas)
}

// sparkChart draws series k of hist as a w×h sparkline over the last 60 lab
// seconds, scaled from 0 to top.
func sparkChart(hist *labHistory, k, w, h int, top float64, style lipgloss.Style) string {
	if top <= 0 {
		top = 1
	}
	m := sparkline.New(w, h, sparkline.WithMaxValue(top), sparkline.WithNoAutoMaxValue(), sparkline.WithStyle(style))
	for _, y := range hist.columns(k, w) {
		m.Push(min(y, top))
	}
	m.Draw()
	return canvasText(&m.Canvas)
}

// canvasText renders a chart's canvas with one style sequence per run of
// like-looking cells, where the canvas's own View writes one per cell;
// blank cells join whatever run they are in (a foreground colour does not
// show on a space). The text is several times shorter, and so is the cost
// of framing it on every frame.
func canvasText(c *canvas.Model) string {
	var b strings.Builder
	var run []rune
	var look lipgloss.Style
	styled := false // whether look was set by a visible cell of the run
	flush := func() {
		if len(run) > 0 {
			if styled {
				b.WriteString(look.Render(string(run)))
			} else {
				b.WriteString(string(run))
			}
			run, styled = run[:0], false
		}
	}
	for y := range c.Height() {
		if y > 0 {
			b.WriteByte('\n')
		}
		for x := range c.Width() {
			cell := c.Cell(canvas.Point{X: x, Y: y})
			blank := cell.Rune == 0 || cell.Rune == ' '
			if blank {
				cell.Rune = ' '
			}
			if _, bg := cell.Style.GetBackground().(lipgloss.NoColor); !blank || !bg {
				if styled && !sameLook(cell.Style, look) {
					flush()
				}
				if !styled {
					look, styled = cell.Style, true
				}
			}
			run = append(run, cell.Rune)
		}
		flush()
	}
	return b.String()
}

// sameLook reports whether two cell styles draw alike (the only properties
// charts here set).
func sameLook(a, b lipgloss.Style) bool {
	return a.GetForeground() == b.GetForeground() && a.GetBackground() == b.GetBackground() &&
		a.GetBold() == b.GetBold() && a.GetFaint() == b.GetFaint()
}

// niceCeil rounds x up to 1, 2 or 5 times a power of ten (1 for x ≤ 0), so
// a chart's scale moves in steps a reader can take in.
func niceCeil(x float64) float64 {
	if x <= 0 || math.IsNaN(x) || math.IsInf(x, 0) {
		return 1
	}
	e := math.Pow(10, math.Floor(math.Log10(x)))
	for _, m := range []float64{1, 2, 5, 10} {
		if m*e >= x*(1-1e-12) {
			return m * e
		}
	}
	return 10 * e
}

// charted is what a panel that charts its own history keeps: the last
// view, one sample of its values per lab second, the chart as last drawn
// and the rendered body. The panel gives it sample (the values to chart
// from a view, and whether the view has them) and render (rebuilds body).
type charted struct {
	panelBase
	view   lab.View
	hist   labHistory
	chart  chartCache
	body   string
	sample func(lab.View) ([]float64, bool)
	render func()
}

// SetSize sets the panel's outer size and re-renders it.
func (p *charted) SetSize(w, h int) { p.w, p.h = w, h; p.render() }

// SetView gives the panel the latest lab view, records one point of
// history per lab second, and re-renders it.
func (p *charted) SetView(v lab.View) {
	p.view = v
	if vals, ok := p.sample(v); ok && p.hist.add(v.T.Seconds(), vals...) {
		p.chart.invalidate()
	}
	p.render()
}
