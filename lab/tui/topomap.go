package tui

import (
	"fmt"
	"strings"

	"github.com/charmbracelet/lipgloss"

	"github.com/scalelab/scalelab/components/backend"
	"github.com/scalelab/scalelab/lab"
)

// MapPanel draws the topology as columns — load, balancer, web servers, the
// middle tier (cache, queue, breaker), databases and payments — each node
// with its live state (symbol and word; "out" for a web server the
// balancer's health checks ejected) and the requests it served per second,
// and keeps the selection that fault keys act on.
type MapPanel struct {
	common   *Common
	w, h     int
	view     lab.View
	selected string // server name; "" until the first view
}

// NewMapPanel builds the map.
func NewMapPanel(c *Common) MapPanel { return MapPanel{common: c} }

// SetSize sets the map's outer size.
func (p *MapPanel) SetSize(w, h int) { p.w, p.h = w, h }

// SetView gives the map the latest view, keeping the selection valid.
func (p *MapPanel) SetView(v lab.View) {
	p.view = v
	names := p.servers()
	for _, n := range names {
		if n == p.selected {
			return
		}
	}
	p.selected = ""
	if len(names) > 0 {
		p.selected = names[0]
	}
}

// servers lists the selectable servers in map order.
func (p *MapPanel) servers() []string {
	t := p.view.Topology
	names := append(append([]string(nil), t.Webs...), p.primaries()...)
	if t.Payments {
		names = append(names, "payments")
	}
	return names
}

// Selected is the server fault keys act on.
func (p *MapPanel) Selected() string { return p.selected }

// Move shifts the selection by delta, wrapping.
func (p *MapPanel) Move(delta int) {
	names := p.servers()
	if len(names) == 0 {
		return
	}
	i := 0
	for j, n := range names {
		if n == p.selected {
			i = j
		}
	}
	p.selected = names[((i+delta)%len(names)+len(names))%len(names)]
}

// SelectIndex selects the i-th server (0-based), if there is one.
func (p *MapPanel) SelectIndex(i int) {
	if names := p.servers(); i >= 0 && i < len(names) {
		p.selected = names[i]
	}
}

// mapRows is the most rows a column of the map takes: a tier with more
// servers than that is folded into a summary (see fold).
const mapRows = 6

// cacheRows is the most rows the distributed cache tier's nodes take.
const cacheRows = 3

// MapHeight is the map's height for the current topology: its tallest
// column (folded to mapRows) plus the frame.
func MapHeight(t lab.Topology) int {
	mid := b2i(t.Cache) + min(len(t.CacheNodes), cacheRows) + b2i(t.Queue) + b2i(t.Payments)
	tallest := max(min(len(t.Webs), mapRows), min(len(t.DBs)+b2i(t.Payments), mapRows), mid, 3)
	return tallest + 3
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

// View renders the map at exactly its size.
func (p MapPanel) View() string {
	s := p.common.Styles
	v := p.view
	t := v.Topology
	node := func(name string) string {
		st := v.Server(name)
		if st == nil {
			st = &lab.ServerStats{Name: name}
		}
		mark := s.healthMark(st.Health)
		if word := fleetMark(v, name); word != "" && st.Health == backend.Up {
			// Warming up, draining or not in the registry: not getting
			// traffic, though up.
			mark = s.Warn.Render(word)
		} else if st.Routing != nil && !st.Routing.Healthy && st.Health != backend.Down && st.Health != backend.Hung {
			// Ejected by the balancer's health checks: in the mark's place,
			// so the column keeps its width (a suffix shifted the tiers
			// right of it). The routing panel has the server's own state.
			mark = s.Bad.Render(symOut + " out")
		}
		mark += strings.Repeat(" ", max(0, 6-lipgloss.Width(mark))) // align rates: "● up" pads to "✖ down"; only "▲ failing" is wider
		line := fmt.Sprintf("%s %s %5.0f/s", name, mark, st.Rate) + p.common.Styles.Dim.Render(p.replicaMark(name))
		if name == p.selected {
			return s.NodeSelected.Render("▸ "+name) + " " + strings.TrimPrefix(line, name+" ")
		}
		return "  " + line
	}
	// Widest form first; narrower terminals drop the load column (the header
	// shows the load) and then shorten the middle tier.
	var body string
	for compact := 0; compact < 3; compact++ {
		body = p.columns(node, compact)
		if lipgloss.Width(body) <= p.w-4 {
			break
		}
	}
	title := "Map · " + t.Title + s.Dim.Render(" · n/s served")
	if p.selected != "" {
		title += s.Dim.Render("  selected: ") + p.selected + s.Dim.Render("  (←/→ or 1-9; k r s e h)")
	}
	return frame(s, title, false, p.w, p.h, body)
}

// fold is the map's column for a tier: a node per server when they fit in
// mapRows, else the tier's range and how many servers are in each state
// ("web-1..19", "17 ● up", "1 ✖ down", "1 ejected"), and the selected
// server's node when it is one of them. It never returns more than rows
// lines.
func (p MapPanel) fold(names []string, node func(string) string, rows int) []string {
	if len(names) <= rows {
		out := make([]string, len(names))
		for i, n := range names {
			out[i] = node(n)
		}
		return out
	}
	s := p.common.Styles
	counts := map[backend.Health]int{}
	ejected := 0
	selected := ""
	for _, n := range names {
		if st := p.view.Server(n); st != nil {
			counts[st.Health]++
			if st.Routing != nil && !st.Routing.Healthy {
				ejected++
			}
		}
		if n == p.selected {
			selected = n
		}
	}
	out := []string{fmt.Sprintf("  %s..%s (%d)", names[0], strings.TrimPrefix(names[len(names)-1], tierPrefix(names[0])), len(names))}
	for h := backend.Up; h <= backend.Down; h++ {
		if counts[h] > 0 {
			out = append(out, fmt.Sprintf("  %3d %s", counts[h], s.healthMark(h)))
		}
	}
	if ejected > 0 {
		out = append(out, s.Bad.Render(fmt.Sprintf("  %3d ejected", ejected)))
	}
	room := rows
	if selected != "" {
		room--
	}
	if len(out) > room {
		out = out[:room]
	}
	if selected != "" {
		out = append(out, node(selected))
	}
	return out
}

// primaries lists the server taking each shard's writes, in shard order:
// the map draws a shard as its primary.
func (p MapPanel) primaries() []string {
	sh := p.view.Shards
	if sh == nil || len(sh.Shards) == 0 {
		return p.view.Topology.DBs
	}
	out := make([]string, len(sh.Shards))
	for i, s := range sh.Shards {
		out[i] = s.Primary
	}
	return out
}

// replicaMark is " +2r" for a primary with two read replicas, else "".
func (p MapPanel) replicaMark(name string) string {
	if sh := p.view.Shards; sh != nil {
		for _, s := range sh.Shards {
			if s.Primary == name && len(s.Replicas) > 0 {
				return fmt.Sprintf(" +%dr", len(s.Replicas))
			}
		}
	}
	return ""
}

// tierPrefix is a server name's tier part: "web-" of "web-12".
func tierPrefix(name string) string {
	if i := strings.LastIndex(name, "-"); i >= 0 {
		return name[:i+1]
	}
	return ""
}

func keyDetail(l lab.LoadSpec) string {
	switch l.Dist {
	case lab.KeysZipf:
		return fmt.Sprintf(" s=%.2g", l.ZipfS)
	case lab.KeysHotspot:
		return fmt.Sprintf(" %.0f%% hot", 100*l.HotFrac)
	}
	return fmt.Sprintf(" %d keys", l.Keys)
}

// columns lays the map out left to right; compact 0 is the full form, 1
// drops the load column, 2 also shortens the middle tier.
func (p MapPanel) columns(node func(string) string, compact int) string {
	s := p.common.Styles
	v := p.view
	t := v.Topology
	var cols []string
	if compact == 0 {
		load := "load off"
		if v.LoadSpec.Rate > 0 {
			load = fmt.Sprintf("load %.0f/s", v.LoadSpec.Rate)
		}
		loadCol := []string{s.Bold.Render(load), s.Dim.Render(v.LoadSpec.Dist.String() + keyDetail(v.LoadSpec)), s.Dim.Render(fmt.Sprintf("%.0f%% reads", 100*v.LoadSpec.Reads))}
		if v.Paused {
			loadCol[0] = s.Warn.Render("⏸ paused")
		}
		cols = append(cols, strings.Join(loadCol, "\n"))
	}
	if e := v.CDN; e != nil && compact < 2 { // the narrowest map leaves the edge to the Cache panel
		edge := []string{s.Bold.Render("cdn edge"), fmt.Sprintf("%3.0f%% hit", 100*e.HitRatio)}
		if compact == 0 {
			edge = append(edge, s.Dim.Render(fmt.Sprintf("%.0f%% stale", 100*e.StaleRatio)))
		}
		cols = append(cols, strings.Join(edge, "\n"))
	}
	if lim := v.Limit; lim.On && compact < 2 {
		what := rateText(lim.Rate) + "/s"
		if lim.PerKey {
			what += " a key"
		}
		cols = append(cols, strings.Join([]string{s.Bold.Render("limit"), what, s.Dim.Render(pctText(lim.Ratio) + " refused")}, "\n"))
	}
	cols = append(cols, strings.Join([]string{s.Bold.Render("balancer"), s.Dim.Render(t.Policy), s.Dim.Render(fmt.Sprintf("%.0f/s", v.Requests.Rate))}, "\n"))
	cols = append(cols, strings.Join(p.fold(t.Webs, node, mapRows), "\n"))
	var mid []string
	if c := v.Cache; c != nil {
		shape := c.Mode.String()
		if c.Tier != lab.TierGlobal {
			shape = fmt.Sprintf("%s×%d", c.Tier, len(c.Nodes))
		}
		if compact < 2 {
			mid = append(mid, fmt.Sprintf("cache %s %3.0f%% hit", s.Dim.Render(shape), 100*c.HitRatio))
		} else {
			mid = append(mid, fmt.Sprintf("cache %3.0f%%", 100*c.HitRatio))
		}
		mid = append(mid, p.fold(t.CacheNodes, node, cacheRows)...)
	}
	if q := v.Queue; q != nil {
		if compact < 2 {
			mid = append(mid, fmt.Sprintf("queue %4d deep %s", q.Depth, s.Dim.Render(fmt.Sprintf("%d dead", q.Dead))))
		} else {
			mid = append(mid, fmt.Sprintf("queue %d", q.Depth))
		}
	}
	for _, br := range v.Breakers {
		word := "breaker "
		if compact >= 2 {
			word = "brk "
		}
		mid = append(mid, word+s.breakerBadge(br))
	}
	if len(mid) > 0 {
		cols = append(cols, strings.Join(mid, "\n"))
	}
	back := p.fold(p.primaries(), node, mapRows-b2i(t.Payments)) // a row for payments
	if t.Payments {
		back = append(back, node("payments"))
	}
	if len(back) > 0 {
		cols = append(cols, strings.Join(back, "\n"))
	}
	arrow := s.Dim.Render(" ─▶ ")
	if compact > 0 {
		arrow = s.Dim.Render("▶")
	}
	var parts []string
	for i, c := range cols {
		if i > 0 {
			parts = append(parts, arrow)
		}
		parts = append(parts, c)
	}
	return lipgloss.JoinHorizontal(lipgloss.Top, parts...)
}
