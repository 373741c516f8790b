package tui

import (
	"fmt"
	"strings"
)

// The presenter layout is the dashboard for a projector: a large header
// (the clock, the badges a room needs — ❄ frozen, the talk's step, a
// replay's progress — and the health summary in a box), the topology map,
// and one or two panels big enough to read from the back of the room, with
// no footer. It is readable at 100×30. Tab swaps the first panel through
// the others; the second, if chosen, stays.

// DefaultPresenterPanels are the panels the presenter layout shows unless
// others are chosen.
var DefaultPresenterPanels = []string{"latency", "events"}

func defaultPresenterPanels() []int {
	var out []int
	for _, id := range DefaultPresenterPanels {
		out = append(out, lookupPanel(id))
	}
	return out
}

// ParsePresenterPanels reads a comma-separated list of one or two panel
// ids ("latency,events"), as --panels takes it.
func ParsePresenterPanels(list string) ([]string, error) {
	var ids []string
	for _, id := range strings.Split(list, ",") {
		id = strings.TrimSpace(id)
		if lookupPanel(id) < 0 {
			return nil, fmt.Errorf("no panel %q; panels: %s", id, strings.Join(PanelIDs(), ", "))
		}
		ids = append(ids, id)
	}
	if len(ids) > 2 || (len(ids) == 2 && ids[0] == ids[1]) {
		return nil, fmt.Errorf("%q: the presenter layout shows one or two different panels", list)
	}
	return ids, nil
}

// SetPresenter turns the presenter layout on or off; panels (from
// ParsePresenterPanels) are the ones it shows, nil for the ones chosen
// before. The first gets the focus.
func (d *Dashboard) SetPresenter(on bool, panels []string) {
	if panels != nil {
		d.chosen = d.chosen[:0]
		for _, id := range panels {
			if i := lookupPanel(id); i >= 0 {
				d.chosen = append(d.chosen, i)
			}
		}
	}
	d.presenter = on
	if on && len(d.chosen) > 0 {
		d.focus = d.chosen[0]
		d.zoomed = false
	}
	d.layout()
}

// Presenter reports whether the presenter layout is on.
func (d *Dashboard) Presenter() bool { return d.presenter }

// nextFocus is the panel tab (step 1) or shift+tab (-1) moves the focus
// to; in the presenter layout it skips the second panel chosen, which
// stays on screen beside it.
func (d *Dashboard) nextFocus(step int) int {
	n := len(d.panels)
	i := (d.focus + step + n) % n
	if d.presenter && len(d.chosen) == 2 && i == d.chosen[1] {
		i = (i + step + n) % n
	}
	return i
}

// presenterPanels is the panels on screen in the presenter layout.
func (d *Dashboard) presenterPanels() []int {
	if len(d.chosen) == 2 && d.focus != d.chosen[1] {
		return []int{d.focus, d.chosen[1]}
	}
	return []int{d.focus}
}

// presenterHeaderLines is the height of the presenter layout's header.
const presenterHeaderLines = 3

// bigHeader is the presenter layout's header: the header line, bold, in a
// box the width of the screen.
func (d *Dashboard) bigHeader() string {
	s := d.common.Styles
	inner := d.w - s.PresenterHeader.GetHorizontalFrameSize()
	line := d.headerLine(inner)
	return s.PresenterHeader.Width(d.w - s.PresenterHeader.GetHorizontalBorderSize()).Render(padLine(line, inner))
}
