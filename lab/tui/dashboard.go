package tui

import (
	"fmt"
	"math"
	"sync/atomic"
	"time"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"

	"github.com/scalelab/scalelab/components/backend"
	"github.com/scalelab/scalelab/lab"
)

// TickEvery is how often the dashboard reads the lab: 10 Hz, whatever the
// request rate.
const TickEvery = 100 * time.Millisecond

// dashboards numbers dashboards, so a closed one's ticks, views and
// events die out instead of reaching the next.
var dashboards atomic.Int64

type (
	tickMsg struct{ dash int64 }
	viewMsg struct {
		dash int64
		view lab.View
	}
	eventsMsg struct {
		dash   int64
		events []lab.Event
	}
	// execMsg is a command's outcome: its line and source, the lab time
	// after it ran, and its error.
	execMsg struct {
		dash         int64
		line, source string
		at           time.Duration
		err          error
	}
)

// Dashboard is the live view of one lab: a header, the topology map and a
// grid of panels, with focus, zoom, the server selection that fault keys
// act on, and the keys that turn into commands. The sandbox and the lesson
// page both embed one; they own the command bar, the help screen and the
// footer around it.
//
// It reads the lab on a tick (a View fetched in a Cmd) and its events from
// a subscription, so rendering never waits on the request path.
type Dashboard struct {
	id     int64
	src    Source
	common *Common
	sub    *lab.Subscription
	quit   chan struct{}

	w, h     int
	showMap  bool
	zoomed   bool
	focus    int
	status   string
	statusOK bool
	view     lab.View
	badge    string // the header's mark from the screen around (a talk's step)

	// The presenter layout: a large header, the map and one or two
	// panels: the focused one and, with two, the second one chosen.
	presenter bool
	chosen    []int // panel indices, 1 or 2

	topo   MapPanel
	panels []Panel

	// layout, computed on resize
	mapH, gridH, cols, rows int
}

// NewDashboard builds a dashboard over src, with the map shown. Call Stop
// when it is no longer shown.
func NewDashboard(src Source, c *Common) Dashboard {
	d := Dashboard{
		id: dashboards.Add(1), src: src, common: c, sub: src.Subscribe(false), quit: make(chan struct{}),
		showMap: true, topo: NewMapPanel(c), chosen: defaultPresenterPanels(),
	}
	for _, def := range panelDefs {
		d.panels = append(d.panels, def.New(c))
	}
	d.applyView(src.View())
	return d
}

// Stop ends the dashboard's event reader.
func (d *Dashboard) Stop() {
	select {
	case <-d.quit:
	default:
		close(d.quit)
	}
	d.sub.Unsubscribe()
}

// Init starts the tick and the event reader.
func (d *Dashboard) Init() tea.Cmd { return tea.Batch(d.tick(), d.waitForEvents()) }

func (d *Dashboard) tick() tea.Cmd {
	id := d.id
	return tea.Tick(TickEvery, func(time.Time) tea.Msg { return tickMsg{id} })
}

// fetchView reads the lab off the UI goroutine.
func (d *Dashboard) fetchView() tea.Cmd {
	src, id := d.src, d.id
	return func() tea.Msg { return viewMsg{id, src.View()} }
}

// waitForEvents delivers the next batch of events; re-issued after each.
func (d *Dashboard) waitForEvents() tea.Cmd {
	sub, quit, id := d.sub, d.quit, d.id
	return func() tea.Msg {
		for {
			select {
			case <-sub.Ready():
				// A wake-up can find the queue already drained; only a
				// non-empty batch is a message.
				if batch := sub.Drain(); len(batch) > 0 {
					return eventsMsg{id, batch}
				}
			case <-quit:
				return nil
			}
		}
	}
}

// Run executes a command line from source in a Cmd (wait and expect may
// block; the UI must not); its outcome becomes the status.
func (d *Dashboard) Run(line, source string) tea.Cmd {
	src, id := d.src, d.id
	return func() tea.Msg {
		err := src.Exec(line, source)
		return execMsg{dash: id, line: line, source: source, at: src.Since(), err: err}
	}
}

// SetBadge sets a mark the header shows after the speed ("step 3/7"); ""
// shows none.
func (d *Dashboard) SetBadge(b string) { d.badge = b }

// LabView returns the last lab view the dashboard read.
func (d *Dashboard) LabView() lab.View { return d.view }

// Status is the last command's outcome: its line, or its line and error.
func (d *Dashboard) Status() (text string, ok bool) { return d.status, d.statusOK }

func (d *Dashboard) applyView(v lab.View) {
	d.view = v
	d.topo.SetView(v)
	for _, p := range d.panels {
		p.SetView(v)
	}
	if d.w > 0 && d.showMap && MapHeight(v.Topology) != d.mapH {
		d.layout()
	}
}

// Update handles the dashboard's own messages (ticks, views, events,
// command outcomes; others' are ignored) and keys: the dashboard's keys,
// then the focused panel's.
func (d *Dashboard) Update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case tickMsg:
		if msg.dash == d.id {
			return d.fetchView()
		}
	case viewMsg:
		if msg.dash == d.id {
			d.applyView(msg.view)
			return d.tick()
		}
	case eventsMsg:
		if msg.dash == d.id {
			for _, p := range d.panels {
				if sink, ok := p.(eventSink); ok {
					sink.AddEvents(msg.events)
				}
			}
			return d.waitForEvents()
		}
	case execMsg:
		if msg.dash == d.id {
			d.status, d.statusOK = msg.line, msg.err == nil
			if msg.err != nil {
				d.status += ": " + msg.err.Error()
			}
		}
	case tea.KeyMsg:
		return d.handleKey(msg)
	}
	return nil
}

func (d *Dashboard) handleKey(k tea.KeyMsg) tea.Cmd {
	keys := d.common.Keys
	sel := d.topo.Selected()
	switch {
	case key.Matches(k, keys.Next):
		d.setFocus(d.nextFocus(1))
	case key.Matches(k, keys.Prev):
		d.setFocus(d.nextFocus(-1))
	case key.Matches(k, keys.Zoom):
		d.Zoom(true)
	case key.Matches(k, keys.Back):
		d.Zoom(false)
	case key.Matches(k, keys.SelectLeft):
		d.topo.Move(-1)
	case key.Matches(k, keys.SelectRight):
		d.topo.Move(1)
	case key.Matches(k, keys.Select):
		d.topo.SelectIndex(int(k.String()[0] - '1'))
	case key.Matches(k, keys.Kill) && sel != "":
		return d.Run("kill "+sel, lab.SourceKey)
	case key.Matches(k, keys.Revive) && sel != "":
		return d.Run("revive "+sel, lab.SourceKey)
	case key.Matches(k, keys.Slow) && sel != "":
		return d.Run(d.toggle(sel, backend.Slow, "slow "+sel+" off", "slow "+sel+" +200ms"), lab.SourceKey)
	case key.Matches(k, keys.Errors) && sel != "":
		return d.Run(d.toggle(sel, backend.Failing, "errors "+sel+" off", "errors "+sel+" 30%"), lab.SourceKey)
	case key.Matches(k, keys.Hang) && sel != "":
		return d.Run(d.toggle(sel, backend.Hung, "hang "+sel+" off", "hang "+sel), lab.SourceKey)
	case key.Matches(k, keys.LoadUp):
		return d.Run(loadStep(d.view.LoadSpec.Rate, true), lab.SourceKey)
	case key.Matches(k, keys.LoadDown):
		return d.Run(loadStep(d.view.LoadSpec.Rate, false), lab.SourceKey)
	case key.Matches(k, keys.SpeedUp):
		return d.Run(speedStep(d.view.Speed, true), lab.SourceKey)
	case key.Matches(k, keys.SpeedDown):
		return d.Run(speedStep(d.view.Speed, false), lab.SourceKey)
	case key.Matches(k, keys.Freeze):
		if d.view.Frozen {
			return d.Run("thaw", lab.SourceKey)
		}
		return d.Run("freeze", lab.SourceKey)
	case key.Matches(k, keys.Pause):
		if d.view.Paused {
			return d.Run("resume", lab.SourceKey)
		}
		return d.Run("pause", lab.SourceKey)
	default:
		var cmd tea.Cmd
		d.panels[d.focus], cmd = d.panels[d.focus].Update(k)
		return cmd
	}
	d.enableKeys()
	return nil
}

// toggle picks the "off" line when the server already shows that fault.
func (d *Dashboard) toggle(server string, fault backend.Health, off, on string) string {
	if s := d.view.Server(server); s != nil && s.Health == fault {
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

// Focus puts the panel with the given id in focus, and reports whether
// there is one.
func (d *Dashboard) Focus(id string) bool {
	i := lookupPanel(id)
	if i < 0 {
		return false
	}
	d.setFocus(i)
	return true
}

// Focused is the id of the panel in focus.
func (d *Dashboard) Focused() string { return panelDefs[d.focus].ID }

func (d *Dashboard) setFocus(i int) {
	d.focus = i
	d.layout()
}

// Zoom shows the focused panel alone (true) or the grid (false).
func (d *Dashboard) Zoom(on bool) {
	d.zoomed = on
	d.layout()
}

// ShowMap shows or hides the topology map.
func (d *Dashboard) ShowMap(on bool) {
	d.showMap = on
	d.layout()
}

// SetSize sets the area the dashboard draws in: View is exactly w×h.
func (d *Dashboard) SetSize(w, h int) {
	d.w, d.h = w, h
	d.layout()
}

// enableKeys disables bindings that do nothing right now, so help shows
// only what works: fault keys need a selected server, zoom and back follow
// the zoom.
func (d *Dashboard) enableKeys() {
	k := d.common.Keys
	sel := d.topo.Selected() != ""
	for _, b := range []*key.Binding{&k.Kill, &k.Revive, &k.Slow, &k.Errors, &k.Hang} {
		b.SetEnabled(sel)
	}
	k.Back.SetEnabled(d.zoomed)
	k.Zoom.SetEnabled(!d.zoomed)
}

// ShortHelp is the dashboard's keys and the focused panel's, for a footer.
func (d *Dashboard) ShortHelp() []key.Binding {
	k := d.common.Keys
	return append([]key.Binding{k.Next, k.Zoom, k.Back, k.Kill, k.Revive, k.LoadUp, k.Pause}, d.panels[d.focus].ShortHelp()...)
}

// FullHelp is the dashboard's keys in columns, then the focused panel's.
func (d *Dashboard) FullHelp() [][]key.Binding {
	return append(d.common.Keys.FullHelp(), d.panels[d.focus].FullHelp()...)
}
