package tui

import (
	"fmt"
	"strings"

	"github.com/charmbracelet/lipgloss"

	"github.com/scalelab/scalelab/lab"
)

// ordersLines renders the event store of orders for the Breaker panel,
// which shows the checkout path: how many orders and events, the events
// per order, the snapshot setting, what the store holds, what a rebuild
// replays on average and its p99, and the snapshot line of the order with
// the longest history, w cells wide:
//
//	order 3 ··········S■■■■ 200+40
//
// (· the events folded into its newest snapshot S, ■ the events after it,
// which its next rebuild replays; then how many of each).
func ordersLines(s *Styles, o *lab.OrdersStats, w int) []string {
	every := s.Warn.Render("snapshots off")
	if o.SnapshotEvery > 0 {
		every = fmt.Sprintf("snapshot every %d", o.SnapshotEvery)
	}
	lines := wrapTokens([]string{
		s.Bold.Render("orders") + fmt.Sprintf(" %d", o.Orders),
		fmt.Sprintf("%d events", o.Events),
		lab.FormatMeasure(o.PerOrder) + "/order",
		every,
		fmt.Sprintf("kept %d", o.Kept),
		"rebuilds replay " + lab.FormatMeasure(o.Replayed) + " · p99 " + msText(o.RebuildP99),
	}, w, "  ")
	if line := snapshotLine(s, o.Longest.ID, o.Longest.Version, o.Longest.Snapshot, w); line != "" {
		lines = append(lines, line)
	}
	return lines
}

// snapshotLine draws one order's stream scaled to w cells: its id, its
// history with the newest snapshot marked, and the events up to the
// snapshot and after it. Empty for an order with no events, or no room.
func snapshotLine(s *Styles, id, version, snapshot uint64, w int) string {
	if version == 0 {
		return ""
	}
	head := fmt.Sprintf("order %d ", id)
	tail := fmt.Sprintf(" %d+%d", snapshot, version-snapshot)
	bw := w - lipgloss.Width(head) - lipgloss.Width(tail)
	if bw < 6 {
		return ""
	}
	mark := 0 // cells before the snapshot's mark
	if snapshot > 0 {
		mark = min(int(float64(bw-1)*float64(snapshot)/float64(version)+0.5), bw-1)
	}
	var b strings.Builder
	b.WriteString(head)
	if snapshot > 0 {
		b.WriteString(s.Dim.Render(strings.Repeat("·", mark)))
		b.WriteString(s.OK.Render("S"))
		mark++
	}
	b.WriteString(s.Warn.Render(strings.Repeat("■", bw-mark)))
	b.WriteString(tail)
	return b.String()
}
