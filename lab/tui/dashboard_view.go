package tui

import (
	"fmt"
	"strings"
	"time"

	"github.com/charmbracelet/lipgloss"

	"github.com/scalelab/scalelab/components/backend"
	"github.com/scalelab/scalelab/lab"
)

// layout sizes the map and the panels; called on resize, focus, zoom and
// topology change. No size it computes is ever negative.
func (d *Dashboard) layout() {
	headerH := d.headerHeight()
	d.mapH = 0
	if d.showMap {
		d.mapH = min(MapHeight(d.view.Topology), max(d.h-headerH, 0))
	}
	d.gridH = max(d.h-headerH-d.mapH, 0) // header, map
	d.topo.SetSize(d.w, d.mapH)
	d.cols = min(max(d.w/40, 1), 4)
	d.rows = 1
	if d.gridH >= 2*12 {
		d.rows = 2
	}
	switch {
	case d.presenter:
		d.cols, d.rows = len(d.presenterPanels()), 1
	case d.zoomed:
		d.cols, d.rows = 1, 1
	}
	d.enableKeys()
	for i, p := range d.panels {
		p.SetFocused(i == d.focus)
	}
	// sizes: columns share the width, rows the grid height
	for i, p := range d.visible() {
		col, row := i%d.cols, i/d.cols
		w := d.w / d.cols
		if col == d.cols-1 {
			w = d.w - w*(d.cols-1)
		}
		h := d.gridH / d.rows
		if row == d.rows-1 {
			h = d.gridH - h*(d.rows-1)
		}
		d.panels[p].SetSize(w, h)
	}
}

// headerHeight is the header's height: one line, or the presenter
// layout's box (when the screen has room for it).
func (d *Dashboard) headerHeight() int {
	if d.presenter && d.h >= presenterHeaderLines+MinHeight/2 {
		return presenterHeaderLines
	}
	return 1
}

// visible is the page of panels on screen: the one holding the focus
// (in the presenter layout, the one or two chosen).
func (d *Dashboard) visible() []int {
	if d.presenter {
		return d.presenterPanels()
	}
	per := d.cols * d.rows
	first := d.focus / per * per
	var out []int
	for p := first; p < first+per && p < len(d.panels); p++ {
		out = append(out, p)
	}
	return out
}

// View draws the header, the map (when shown) and the page of panels:
// exactly the size it was given.
func (d *Dashboard) View() string {
	if d.w <= 0 || d.h <= 0 {
		return ""
	}
	out := padLine(d.Header(), d.w)
	if d.headerHeight() > 1 {
		out = d.bigHeader()
	}
	if d.mapH > 0 {
		out += "\n" + d.topo.View()
	}
	if d.gridH > 0 {
		out += "\n" + d.grid()
	}
	return out
}

// grid is the page of panels on screen, exactly d.w × d.gridH.
func (d *Dashboard) grid() string {
	var rows []string
	vis := d.visible()
	for r := 0; r < d.rows; r++ {
		var cells []string
		for c := 0; c < d.cols; c++ {
			if i := r*d.cols + c; i < len(vis) {
				cells = append(cells, d.panelView(d.panels[vis[i]]))
			}
		}
		if len(cells) > 0 {
			rows = append(rows, lipgloss.JoinHorizontal(lipgloss.Top, cells...))
		}
	}
	return fit(strings.Join(rows, "\n"), d.w, d.gridH)
}

// panelView is a panel's View; a panel that panics while drawing shows
// the panic in its place instead of ending the session (the panic is a
// bug, and this keeps the lab and its log running while it is reported).
func (d *Dashboard) panelView(p Panel) (out string) {
	defer func() {
		if r := recover(); r != nil {
			w, h := p.Size()
			out = frame(d.common.Styles, "render error", false, w, h, d.common.Styles.Err.Render(fmt.Sprintf("this panel failed to draw: %v", r)))
		}
	}()
	return p.View()
}

// Header is one line: title, lab clock, speed, the badges (❄ frozen, a
// replay's progress, a talk's step), load, health summary.
func (d *Dashboard) Header() string { return d.headerLine(d.w) }

// headerLine is the header at most w wide.
func (d *Dashboard) headerLine(w int) string {
	s := d.common.Styles
	v := d.view
	t := v.Topology
	up := func(role lab.Role) string {
		servers := v.Role(role)
		n := 0
		for _, sv := range servers {
			if sv.Health == backend.Up {
				n++
			}
		}
		st := s.OK
		if n < len(servers) {
			st = s.Bad
		}
		return st.Render(fmt.Sprintf("%d/%d", n, len(servers)))
	}
	parts := []string{
		s.Title.Render("scalelab") + " " + s.Bold.Render(t.Title),
		"t=" + formatLabTime(v.T),
		fmt.Sprintf("×%g", v.Speed),
	}
	if v.Pace.Behind(v.Speed) {
		// The machine cannot keep up: said plainly, where the speed is.
		parts[2] = s.Warn.Render(fmt.Sprintf("⚠ behind ×%g — running at ×%.2g", v.Pace.Asked, v.Speed))
	}
	parts = append(parts, d.badges()...)
	if v.Paused {
		parts = append(parts, s.Warn.Render("⏸ paused"))
	} else {
		parts = append(parts, fmt.Sprintf("load %.0f/s", v.LoadSpec.Rate))
	}
	// The health summary, most telling first after the web tier: errors,
	// then the databases, then each breaker.
	health := []string{"web " + up(lab.RoleWeb) + " up"}
	if er := v.Requests.ErrorRatio; er > 0 {
		health = append(health, s.Bad.Render(fmt.Sprintf("%.1f%% errors", 100*er)))
	}
	if len(t.DBs) > 0 {
		health = append(health, "db "+up(lab.RoleDB)+" up")
	}
	for _, br := range v.Breakers {
		health = append(health, "breaker "+s.breakerBadge(br))
	}
	join := func(sep string) string {
		return strings.Join(append(parts[:len(parts):len(parts)], strings.Join(health, " · ")), s.Dim.Render(sep))
	}
	line := join("  │  ")
	if lipgloss.Width(line) <= w {
		return line
	}
	// Narrower: tighter separators and shorter words, then without the
	// program's name, then whole items dropped from the end (a breaker,
	// the databases); never a word cut in half.
	short := strings.NewReplacer(" up", "", "breaker ", "brk ", " errors", " err")
	for i := range health {
		health[i] = short.Replace(health[i])
	}
	if line = join(" │ "); lipgloss.Width(line) > w {
		parts[0] = s.Bold.Render(t.Title)
	}
	for line = join(" │ "); lipgloss.Width(line) > w && len(health) > 1; line = join(" │ ") {
		health = health[:len(health)-1]
	}
	return line
}

// badges are the header's marks for a room: the frozen clock, a replay
// and how far it has got, and the badge the screen around the dashboard
// set (a talk's step).
func (d *Dashboard) badges() []string {
	s, v := d.common.Styles, d.view
	var out []string
	if d.badge != "" {
		out = append(out, s.Accent.Render(d.badge))
	}
	if v.Frozen {
		out = append(out, s.Accent.Render("❄ frozen"))
	}
	if p := v.Playback; p != nil {
		if p.Finished {
			out = append(out, s.Dim.Render("■ "+p.Source+" finished"))
		} else {
			out = append(out, s.Accent.Render(fmt.Sprintf("▶ %s %d/%d", p.Source, p.Done, p.Total)))
		}
	}
	return out
}

func formatLabTime(t time.Duration) string { return t.Round(100 * time.Millisecond).String() }
