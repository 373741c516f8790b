package tui

import (
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/charmbracelet/bubbles/help"
	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"

	"github.com/scalelab/scalelab/lab"
)

// Minimum terminal size; below it the dashboard says so instead of drawing.
const (
	MinWidth  = 80
	MinHeight = 24
)

// TickEvery is how often the dashboard reads the lab: 10 Hz, whatever the
// request rate.
const TickEvery = 100 * time.Millisecond

type (
	tickMsg   struct{}
	viewMsg   lab.View
	eventsMsg []lab.Event
	execMsg   struct {
		line string
		err  error
	}
)

// Model is the root of the dashboard: it owns layout, focus and the
// selection, routes keys (global first, then the focused panel) and data
// (views to every panel, events to the events panel), and turns keys into
// command lines that run in Cmds.
type Model struct {
	src    Source
	common *Common
	sub    *lab.Subscription
	quit   chan struct{}

	w, h     int
	focus    PanelID
	zoomed   bool
	showHelp bool
	status   string
	statusOK bool
	view     lab.View

	topo    MapPanel
	routing RoutingPanel
	latency LatencyPanel
	cache   CachePanel
	shards  ShardsPanel
	queue   QueuePanel
	breaker BreakerPanel
	traces  TracesPanel
	events  EventsPanel
	bar     CommandBar
	help    help.Model

	// layout, computed on resize
	mapH, gridH, cols, rows int
}

// New builds the dashboard over src. Close Done when the program ends so the
// event reader stops.
func New(src Source, c *Common) Model {
	m := Model{
		src: src, common: c, sub: src.Subscribe(false), quit: make(chan struct{}),
		topo: NewMapPanel(c), routing: NewRoutingPanel(c), latency: NewLatencyPanel(c), cache: NewCachePanel(c),
		shards: NewShardsPanel(c), queue: NewQueuePanel(c), breaker: NewBreakerPanel(c), traces: NewTracesPanel(c),
		events: NewEventsPanel(c), bar: NewCommandBar(c), help: help.New(),
	}
	m.help.ShowAll = true
	m.applyView(src.View())
	return m
}

// Stop ends the model's background event reader. Call it after the program
// returns.
func (m Model) Stop() {
	select {
	case <-m.quit:
	default:
		close(m.quit)
	}
	m.sub.Unsubscribe()
}

// Init starts the tick and the event reader.
func (m Model) Init() tea.Cmd {
	return tea.Batch(tick(), m.waitForEvents())
}

func tick() tea.Cmd {
	return tea.Tick(TickEvery, func(time.Time) tea.Msg { return tickMsg{} })
}

// fetchView reads the lab off the UI goroutine.
func (m Model) fetchView() tea.Cmd {
	src := m.src
	return func() tea.Msg { return viewMsg(src.View()) }
}

// waitForEvents delivers the next batch of events; re-issued after each.
func (m Model) waitForEvents() tea.Cmd {
	sub, quit := m.sub, m.quit
	return func() tea.Msg {
		for {
			select {
			case <-sub.Ready():
				// A wake-up can find the queue already drained; only a
				// non-empty batch is a message (nil means quitting).
				if batch := sub.Drain(); len(batch) > 0 {
					return eventsMsg(batch)
				}
			case <-quit:
				return nil
			}
		}
	}
}

// run executes a command line from source in a Cmd (wait and expect may
// block; the UI must not).
func (m Model) run(line, source string) tea.Cmd {
	src := m.src
	return func() tea.Msg { return execMsg{line, src.Exec(line, source)} }
}

func (m *Model) applyView(v lab.View) {
	m.view = v
	m.topo.SetView(v)
	for _, p := range m.panels() {
		p.SetView(v)
	}
	m.bar.SetTopology(v.Topology)
	if m.w > 0 && MapHeight(v.Topology) != m.mapH {
		m.layout()
	}
}

// Update routes a message.
func (m Model) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		m.w, m.h = msg.Width, msg.Height
		m.layout()
		return m, nil
	case tickMsg:
		return m, m.fetchView()
	case viewMsg:
		m.applyView(lab.View(msg))
		return m, tick()
	case eventsMsg:
		if msg == nil {
			return m, nil // quitting
		}
		m.events.AddEvents(msg)
		return m, m.waitForEvents()
	case execMsg:
		if msg.err != nil {
			m.status, m.statusOK = msg.line+": "+msg.err.Error(), false
		} else {
			m.status, m.statusOK = msg.line, true
		}
		return m, nil
	case runLineMsg:
		return m, m.run(msg.line, lab.SourceTyped)
	case tea.KeyMsg:
		if msg.Type == tea.KeyRunes && len(msg.Runes) > 1 && !msg.Paste && !m.bar.Active() {
			return m.handleRunes(msg.Runes)
		}
		return m.handleKey(msg)
	}
	if m.bar.Active() {
		var cmd tea.Cmd
		m.bar, cmd = m.bar.Update(msg)
		return m, cmd
	}
	return m, nil
}

// handleRunes handles keys that arrived in one read (fast typing, tmux
// send-keys) one at a time, as if typed slowly: ":load 300/s" opens the bar
// and types into it instead of being one unknown key.
func (m Model) handleRunes(runes []rune) (tea.Model, tea.Cmd) {
	var cmds []tea.Cmd
	var model tea.Model = m
	for i, r := range runes {
		cur := model.(Model)
		if cur.bar.Active() { // the rest is the command line
			var cmd tea.Cmd
			cur.bar, cmd = cur.bar.Update(tea.KeyMsg{Type: tea.KeyRunes, Runes: runes[i:]})
			return cur, tea.Batch(append(cmds, cmd)...)
		}
		var cmd tea.Cmd
		model, cmd = cur.handleKey(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune{r}})
		cmds = append(cmds, cmd)
	}
	return model, tea.Batch(cmds...)
}

func (m Model) handleKey(k tea.KeyMsg) (tea.Model, tea.Cmd) {
	keys := m.common.Keys
	if m.bar.Active() {
		var cmd tea.Cmd
		m.bar, cmd = m.bar.Update(k)
		return m, cmd
	}
	if m.showHelp {
		if key.Matches(k, keys.Quit) && k.String() == "ctrl+c" {
			return m, tea.Quit
		}
		m.showHelp = false // any key closes help
		return m, nil
	}
	sel := m.topo.Selected()
	switch {
	case key.Matches(k, keys.Quit):
		return m, tea.Quit
	case key.Matches(k, keys.Help):
		m.showHelp = true
		return m, nil
	case key.Matches(k, keys.Command):
		return m, m.bar.Open()
	case key.Matches(k, keys.Next):
		m.setFocus((m.focus + 1) % numPanels)
		return m, nil
	case key.Matches(k, keys.Prev):
		m.setFocus((m.focus + numPanels - 1) % numPanels)
		return m, nil
	case key.Matches(k, keys.Zoom):
		m.zoomed = true
		m.layout()
		return m, nil
	case key.Matches(k, keys.Back):
		m.zoomed = false
		m.layout()
		return m, nil
	case key.Matches(k, keys.SelectLeft):
		m.topo.Move(-1)
		return m, nil
	case key.Matches(k, keys.SelectRight):
		m.topo.Move(1)
		return m, nil
	case key.Matches(k, keys.Select):
		m.topo.SelectIndex(int(k.String()[0] - '1'))
		return m, nil
	case key.Matches(k, keys.Kill) && sel != "":
		return m, m.run("kill "+sel, lab.SourceKey)
	case key.Matches(k, keys.Revive) && sel != "":
		return m, m.run("revive "+sel, lab.SourceKey)
	case key.Matches(k, keys.Slow) && sel != "":
		return m, m.run(toggle(m.view, sel, 1, "slow "+sel+" off", "slow "+sel+" +200ms"), lab.SourceKey)
	case key.Matches(k, keys.Errors) && sel != "":
		return m, m.run(toggle(m.view, sel, 2, "errors "+sel+" off", "errors "+sel+" 30%"), lab.SourceKey)
	case key.Matches(k, keys.Hang) && sel != "":
		return m, m.run(toggle(m.view, sel, 3, "hang "+sel+" off", "hang "+sel), lab.SourceKey)
	case key.Matches(k, keys.LoadUp):
		return m, m.run(loadStep(m.view.Load.Rate, true), lab.SourceKey)
	case key.Matches(k, keys.LoadDown):
		return m, m.run(loadStep(m.view.Load.Rate, false), lab.SourceKey)
	case key.Matches(k, keys.SpeedUp):
		return m, m.run(speedStep(metric(m.view, "lab.speed"), true), lab.SourceKey)
	case key.Matches(k, keys.SpeedDown):
		return m, m.run(speedStep(metric(m.view, "lab.speed"), false), lab.SourceKey)
	case key.Matches(k, keys.Pause):
		if m.view.Paused {
			return m, m.run("resume", lab.SourceKey)
		}
		return m, m.run("pause", lab.SourceKey)
	}
	return m.updateFocused(k)
}

// updateFocused sends a key to the focused panel.
func (m Model) updateFocused(msg tea.Msg) (tea.Model, tea.Cmd) {
	var cmd tea.Cmd
	switch m.focus {
	case PanelTraces:
		m.traces, cmd = m.traces.Update(msg)
	case PanelEvents:
		m.events, cmd = m.events.Update(msg)
	}
	return m, cmd
}

// toggle picks the "off" line when the server already shows that fault.
func toggle(v lab.View, server string, health float64, off, on string) string {
	if metric(v, labelled("backend.health", "backend", server)) == health {
		return off
	}
	return on
}

// loadStep is the next rate on a 1-2-5 ladder (50, 100, 200, 500, 1k …).
func loadStep(rate float64, up bool) string {
	ladder := []float64{0, 50, 100, 200, 500, 1000, 2000, 5000, 10000, 20000, 50000, 100000}
	i := 0
	for i < len(ladder)-1 && ladder[i+1] <= rate+1e-9 {
		i++
	}
	switch {
	case up && i < len(ladder)-1:
		i++
	case !up && i > 0 && ladder[i] == rate:
		i--
	}
	if ladder[i] == 0 {
		return "load off"
	}
	return fmt.Sprintf("load %.0f/s", ladder[i])
}

// speedStep is the next speed on the ladder 0.1 … 20.
func speedStep(speed float64, up bool) string {
	ladder := []float64{0.1, 0.25, 0.5, 1, 2, 5, 10, 20}
	i := 0
	for j, x := range ladder {
		if math.Abs(x-speed) < math.Abs(ladder[i]-speed) {
			i = j
		}
	}
	if up && i < len(ladder)-1 {
		i++
	} else if !up && i > 0 {
		i--
	}
	return fmt.Sprintf("speed %gx", ladder[i])
}

func (m *Model) setFocus(p PanelID) {
	m.focus = p
	m.layout()
}

// enableKeys disables bindings that do nothing right now, so help shows only
// what works: panel keys follow focus, fault keys need a selected server.
func (m *Model) enableKeys() {
	k := m.common.Keys
	k.TraceChoice.SetEnabled(m.focus == PanelTraces)
	k.ScrollUp.SetEnabled(m.focus == PanelEvents)
	k.ScrollDown.SetEnabled(m.focus == PanelEvents)
	sel := m.topo.Selected() != ""
	for _, b := range []*key.Binding{&k.Kill, &k.Revive, &k.Slow, &k.Errors, &k.Hang} {
		b.SetEnabled(sel)
	}
	k.Back.SetEnabled(m.zoomed)
	k.Zoom.SetEnabled(!m.zoomed)
}

// layout sizes everything; called on resize, focus, zoom and topology change.
func (m *Model) layout() {
	m.mapH = MapHeight(m.view.Topology)
	m.gridH = m.h - 1 - 2 - m.mapH // header, footer (2), map
	m.topo.SetSize(m.w, m.mapH)
	m.bar.SetWidth(m.w)
	m.help.Width = m.w
	m.cols = min(max(m.w/40, 1), 4)
	m.rows = 1
	if m.gridH >= 2*12 {
		m.rows = 2
	}
	if m.zoomed {
		m.cols, m.rows = 1, 1
	}
	m.enableKeys()
	panels := m.panels()
	for i, p := range panels {
		p.SetFocused(PanelID(i) == m.focus)
	}
	// sizes: columns share the width, rows the grid height
	vis := m.visible()
	for i, p := range vis {
		col, row := i%m.cols, i/m.cols
		w := m.w / m.cols
		if col == m.cols-1 {
			w = m.w - w*(m.cols-1)
		}
		h := m.gridH / m.rows
		if row == m.rows-1 {
			h = m.gridH - h*(m.rows-1)
		}
		panels[p].SetSize(w, h)
	}
}

// visible is the page of panels on screen: the one holding the focus.
func (m *Model) visible() []PanelID {
	per := m.cols * m.rows
	first := int(m.focus) / per * per
	var out []PanelID
	for p := first; p < first+per && p < int(numPanels); p++ {
		out = append(out, PanelID(p))
	}
	return out
}

// panel is what the root needs of every panel besides Update (which returns
// each panel's concrete type and is routed by focus in updateFocused).
type panel interface {
	SetSize(w, h int)
	SetFocused(bool)
	SetView(lab.View)
	View() string
}

// panels lists the panels by PanelID.
func (m *Model) panels() [numPanels]panel {
	return [numPanels]panel{&m.routing, &m.latency, &m.cache, &m.shards, &m.queue, &m.breaker, &m.traces, &m.events}
}

// View draws the dashboard: exactly the terminal's size.
func (m Model) View() string {
	if m.w == 0 {
		return ""
	}
	s := m.common.Styles
	if m.w < MinWidth || m.h < MinHeight {
		msg := fmt.Sprintf("terminal too small: %d×%d\nscalelab needs at least %d×%d", m.w, m.h, MinWidth, MinHeight)
		return lipgloss.Place(m.w, m.h, lipgloss.Center, lipgloss.Center, s.Warn.Render(msg))
	}
	header := truncate(m.header(), m.w)
	var grid string
	if m.showHelp {
		grid = frame(s, "Help · any key closes", false, m.w, m.gridH+m.mapH, m.help.View(m.common.Keys))
	} else {
		grid = m.topo.View() + "\n" + m.grid()
	}
	return header + "\n" + grid + "\n" + m.footer()
}

// grid is the page of panels on screen, exactly m.w × m.gridH (the lesson
// view draws it without the map).
func (m Model) grid() string {
	var rows []string
	vis := m.visible()
	panels := m.panels()
	for r := 0; r < m.rows; r++ {
		var cells []string
		for c := 0; c < m.cols; c++ {
			if i := r*m.cols + c; i < len(vis) {
				cells = append(cells, panels[vis[i]].View())
			}
		}
		if len(cells) > 0 {
			rows = append(rows, lipgloss.JoinHorizontal(lipgloss.Top, cells...))
		}
	}
	return fit(strings.Join(rows, "\n"), m.w, m.gridH)
}

// header is one line: title, lab clock, speed, load, health summary.
func (m Model) header() string {
	s := m.common.Styles
	v := m.view
	t := v.Topology
	up := func(names []string) string {
		n := 0
		for _, name := range names {
			if metric(v, labelled("backend.health", "backend", name)) == 0 {
				n++
			}
		}
		st := s.OK
		if n < len(names) {
			st = s.Bad
		}
		return st.Render(fmt.Sprintf("%d/%d", n, len(names)))
	}
	parts := []string{
		s.Title.Render("scalelab") + " " + s.Bold.Render(t.Title),
		fmt.Sprintf("t=%s", formatLabTime(metric(v, "lab.time"))),
		fmt.Sprintf("×%g", metric(v, "lab.speed")),
	}
	if v.Paused {
		parts = append(parts, s.Warn.Render("⏸ paused"))
	} else {
		parts = append(parts, fmt.Sprintf("load %.0f/s", v.Load.Rate))
	}
	health := "web " + up(t.Webs) + " up"
	if len(t.DBs) > 0 {
		health += " · db " + up(t.DBs) + " up"
	}
	if t.Payments {
		health += " · breaker " + s.breakerMark(metric(v, "breaker.state{name=payments}"))
	}
	if er := metric(v, "errors.ratio"); er > 0 {
		health += " · " + s.Bad.Render(fmt.Sprintf("%.1f%% errors", 100*er))
	}
	parts = append(parts, health)
	line := strings.Join(parts, s.Dim.Render("  │  "))
	if lipgloss.Width(line) > m.w { // compact: tighter separators, shorter words
		parts[len(parts)-1] = strings.NewReplacer(" up", "", "breaker ", "brk ", " errors", " err").Replace(health)
		line = strings.Join(parts, s.Dim.Render(" │ "))
	}
	return line
}

func formatLabTime(sec float64) string {
	d := time.Duration(sec * float64(time.Second)).Round(100 * time.Millisecond)
	return d.String()
}

// footer is two lines: the command bar, or the last command's outcome and
// the short help.
func (m Model) footer() string {
	s := m.common.Styles
	if m.bar.Active() {
		return m.bar.View()
	}
	status := s.Dim.Render("press : for a command, ? for help")
	if m.status != "" {
		if m.statusOK {
			status = s.OK.Render("✔ ") + m.status
		} else {
			status = s.Err.Render("✖ " + m.status)
		}
	}
	short := m.help
	short.ShowAll = false
	return truncate(status, m.w) + "\n" + truncate(short.ShortHelpView(m.common.Keys.ShortHelp()), m.w)
}
