// Package tui is scalelab's terminal interface: a Bubble Tea program that
// shows a running lab — a topology map with live state, and panels for
// routing, latency, the cache, shards, the queue, the breaker, traces and
// events — turns keystrokes and a command bar into lab commands, and runs
// lessons beside it.
//
// It follows the shape of Charm's own apps (glow, soft-serve): a Dashboard
// component (dashboard.go) that both the sandbox (app.go) and the lesson
// page (lessonview.go) embed; panels as a registered slice (panels.go), one
// file each; one keymap, one style sheet. Panels render only from the last
// lab.View they were given; the dashboard fetches a View on a tick (10 Hz)
// in a Cmd, so render cost never grows with request rate and View never
// touches a lock the request path holds.
package tui

import (
	"time"

	"github.com/scalelab/scalelab/lab"
)

// Source is the lab as the screens see it. *lab.Lab is one; tests use a
// fixed one.
type Source interface {
	View() lab.View                            // a snapshot and the structure around it
	Exec(line, source string) error            // run one command-language line
	Subscribe(requests bool) *lab.Subscription // events (commands, faults, state changes)
	Publish(lab.Event)                         // put an event on the lab's bus (lesson progress)
	Since() time.Duration                      // lab time now
}

// Common is what every panel is built with: the styles and keys, shared,
// never global.
type Common struct {
	Styles *Styles
	Keys   *KeyMap
}
