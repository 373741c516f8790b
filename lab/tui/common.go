// Package tui is scalelab's dashboard: a Bubble Tea program that shows a
// running lab — a topology map with live state, and panels for routing,
// latency, the cache, shards, the queue, the breaker, traces and events —
// and turns keystrokes and a command bar into lab commands.
//
// It follows the shape of Charm's own apps (glow, soft-serve): a root model
// that owns layout, focus and routing, one file per panel, one keymap, one
// style sheet. Panels render only from the last lab.View they were given;
// the root fetches a View on a tick (10 Hz) in a Cmd, so render cost never
// grows with request rate and View never touches a lock the request path
// holds.
package tui

import (
	"github.com/scalelab/scalelab/lab"
)

// Source is the lab as the dashboard sees it. *lab.Lab is one; tests use a
// fixed one.
type Source interface {
	View() lab.View                            // a snapshot and the structure around it
	Exec(line, source string) error            // run one command-language line
	Subscribe(requests bool) *lab.Subscription // events (commands, faults, state changes)
}

// Common is what every panel is built with: the styles and keys, shared,
// never global.
type Common struct {
	Styles *Styles
	Keys   *KeyMap
}

// PanelID names a panel.
type PanelID int

// The panels, in focus order.
const (
	PanelRouting PanelID = iota
	PanelLatency
	PanelCache
	PanelShards
	PanelQueue
	PanelBreaker
	PanelTraces
	PanelEvents
	numPanels
)

func (p PanelID) String() string {
	switch p {
	case PanelRouting:
		return "Routing"
	case PanelLatency:
		return "Latency"
	case PanelCache:
		return "Cache"
	case PanelShards:
		return "Shards"
	case PanelQueue:
		return "Queue"
	case PanelBreaker:
		return "Breaker"
	case PanelTraces:
		return "Traces"
	case PanelEvents:
		return "Events"
	}
	return "?"
}

// metric reads a value from a view's snapshot (0 when absent).
func metric(v lab.View, name string) float64 { return v.Values[name] }

// labelled is base{label=value}.
func labelled(base, label, value string) string { return lab.MetricName(base, label, value) }
