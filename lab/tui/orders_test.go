package tui

import (
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/ansi"

	"github.com/scalelab/scalelab/components/eventstore"
	"github.com/scalelab/scalelab/lab"
)

// ordersTestView is breakerTestView with an event store: snapshots every
// 50, the longest order at v240 with its snapshot at v200.
func ordersTestView() lab.View {
	v := breakerTestView()
	v.Orders = &lab.OrdersStats{
		SnapshotEvery: 50, Base: time.Millisecond, Replay: 50 * time.Microsecond,
		Orders: 20, Events: 4032, Kept: 480, PerOrder: 201.6,
		Longest:  eventstore.Stream{ID: 3, Version: 240, Snapshot: 200, Kept: 40},
		Replayed: 24.4, RebuildP99: 3400 * time.Microsecond, Snapshots: 1.6, Rebuilds: 40,
	}
	return v
}

func TestBreakerPanelShowsOrders(t *testing.T) {
	for _, tc := range []struct {
		name string
		w, h int
		want []string
	}{
		{"small", 40, 14, []string{
			"breaker ✖ open", "orders 20  4032 events  202/order", "snapshot every 50  kept 480",
			"rebuilds replay 24.4 · p99 3.4ms", "S■■■ 200+40", "t=20.0s closed → open",
		}},
		{"large", 80, 24, []string{
			"breaker ✖ open  failures 5  trips 2  rejected 120/s",
			"orders 20  4032 events  202/order  snapshot every 50  kept 480",
			"rebuilds replay 24.4 · p99 3.4ms", "order 3 ······", "S■■■■■■■■■■ 200+40",
			"last 60s", "t=10.0s closed → open",
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out := breakerTestRender(t, ordersTestView(), tc.w, tc.h)
			for _, want := range tc.want {
				if !strings.Contains(out, want) {
					t.Errorf("missing %q in\n%s", want, out)
				}
			}
			// The breaker's own numbers come first, the orders after them.
			if strings.Index(out, "orders 20") < strings.Index(out, "breaker ✖ open") {
				t.Errorf("orders above the breaker:\n%s", out)
			}
		})
	}
}

func TestBreakerPanelOrdersSnapshotsOff(t *testing.T) {
	v := ordersTestView()
	v.Orders.SnapshotEvery = 0
	v.Orders.Longest = eventstore.Stream{ID: 7, Version: 1300, Kept: 1300}
	out := breakerTestRender(t, v, 40, 14)
	for _, want := range []string{"snapshots off", "order 7 ■■■■", "■ 0+1300"} {
		if !strings.Contains(out, want) {
			t.Errorf("missing %q in\n%s", want, out)
		}
	}
	if strings.Contains(out, "S") && strings.Contains(out, "·S") {
		t.Errorf("a snapshot mark with no snapshot:\n%s", out)
	}
}

func TestSnapshotLine(t *testing.T) {
	s := breakerTestCommon().Styles
	for _, tc := range []struct {
		name                  string
		id, version, snapshot uint64
		w                     int
		want                  string
	}{
		{"no snapshot", 1, 10, 0, 24, "order 1 ■■■■■■■■■■■ 0+10"},
		{"snapshot half way", 2, 100, 50, 26, "order 2 ······S■■■■■ 50+50"},
		{"nothing after the snapshot", 3, 40, 40, 26, "order 3 ············S 40+0"},
		{"no events", 4, 0, 0, 40, ""},
		{"too narrow", 5, 100, 50, 18, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := ansi.Strip(snapshotLine(s, tc.id, tc.version, tc.snapshot, tc.w))
			if got != tc.want {
				t.Errorf("got %q, want %q", got, tc.want)
			}
			if got != "" && lipgloss.Width(got) != tc.w {
				t.Errorf("%q is %d wide, want %d", got, lipgloss.Width(got), tc.w)
			}
		})
	}
}

// The dashboard with the Breaker panel in focus still fits the smallest
// and a large terminal exactly, with the orders in it.
func TestDashboardFitsWithOrders(t *testing.T) {
	for _, sz := range [][2]int{{80, 24}, {160, 48}} {
		src := newFakeSource()
		m := resized(newFixtureModel(t, src), sz[0], sz[1])
		m.dash.Focus("breaker")
		view := m.View()
		if w, h := lipgloss.Width(view), lipgloss.Height(view); w != sz[0] || h != sz[1] {
			t.Errorf("%dx%d: the view is %dx%d", sz[0], sz[1], w, h)
		}
		plain := ansi.Strip(view)
		for _, want := range []string{"orders 240", "snapshot every 100", "rebuilds replay 3.5 · p99 5.9ms", "100+20"} {
			if !strings.Contains(plain, want) {
				t.Errorf("%dx%d: missing %q in\n%s", sz[0], sz[1], want, plain)
			}
		}
	}
}
