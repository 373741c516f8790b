package tui

import (
	"strings"
	"testing"

	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/ansi"

	"github.com/scalelab/scalelab/lab"
)

// The header tells a room what the clock and a replay are doing, at every
// width from 80 columns up.
func TestHeaderBadges(t *testing.T) {
	for _, tc := range []struct {
		name string
		edit func(*lab.View)
		want string
	}{
		{"frozen", func(v *lab.View) { v.Frozen = true }, "❄ frozen"},
		{"replaying", func(v *lab.View) { v.Playback = &lab.Playback{Source: lab.SourceReplay, Done: 12, Total: 40} }, "▶ replay 12/40"},
		{"replayed", func(v *lab.View) {
			v.Playback = &lab.Playback{Source: lab.SourceReplay, Done: 40, Total: 40, Finished: true}
		}, "■ replay finished"},
	} {
		src := newFakeSource()
		v := fixtureView(fixtureSeconds)
		tc.edit(&v)
		for _, w := range []int{80, 100, 160} {
			m := applyView(resized(newFixtureModel(t, src), w, 30), v)
			h := m.dash.Header()
			if !strings.Contains(ansi.Strip(h), tc.want) || lipgloss.Width(h) > w {
				t.Errorf("%s at %d columns: header %q (%d wide), want %q in it", tc.name, w, ansi.Strip(h), lipgloss.Width(h), tc.want)
			}
		}
	}
}

// The presenter layout: a boxed header, the map and the chosen panels, no
// footer, exactly the screen's size; P toggles it; tab swaps the first
// panel and keeps the second.
func TestPresenterLayout(t *testing.T) {
	src := newFakeSource()
	m := resized(newFixtureModel(t, src), 100, 30)
	m.dash.SetBadge("step 3/7")
	m = press(t, m, "P")
	if !m.dash.Presenter() {
		t.Fatal("P did not turn the presenter layout on")
	}
	view := m.View()
	lines := strings.Split(view, "\n")
	if len(lines) != 30 {
		t.Fatalf("presenter view is %d lines, want 30", len(lines))
	}
	for i, l := range lines {
		if w := lipgloss.Width(l); w != 100 {
			t.Fatalf("line %d is %d wide, want 100: %q", i+1, w, ansi.Strip(l))
		}
	}
	plain := ansi.Strip(view)
	if !strings.HasPrefix(lines[0], "╔") || !strings.Contains(ansi.Strip(lines[1]), "step 3/7") {
		t.Errorf("no boxed header with the step badge:\n%s", plain)
	}
	for _, want := range []string{"Latency", "Events", "web-1"} {
		if !strings.Contains(plain, want) {
			t.Errorf("presenter view lacks %q:\n%s", want, plain)
		}
	}
	if strings.Contains(plain, "press : for a command") {
		t.Errorf("presenter view has the footer:\n%s", plain)
	}
	if got := m.dash.presenterPanels(); len(got) != 2 || panelDefs[got[0]].ID != "latency" || panelDefs[got[1]].ID != "events" {
		t.Fatalf("panels %v, want latency and events", got)
	}
	m = press(t, m, "tab")
	if got := m.dash.presenterPanels(); panelDefs[got[0]].ID != "cache" || panelDefs[got[1]].ID != "events" {
		t.Errorf("after tab: %v, want cache then events", got)
	}
	// The command bar draws over the last lines, and the size stays.
	m = press(t, m, ":")
	if lines := strings.Split(m.View(), "\n"); len(lines) != 30 {
		t.Errorf("with the bar open: %d lines, want 30", len(lines))
	}
	m = press(t, m, "esc")
	m = press(t, m, "P")
	if m.dash.Presenter() || !strings.Contains(ansi.Strip(m.View()), "press : for a command") {
		t.Errorf("P again did not bring back the usual layout:\n%s", ansi.Strip(m.View()))
	}
}

func TestParsePresenterPanels(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want string // joined ids, or the error's start
	}{
		{"latency", "latency"},
		{"cache, events", "cache,events"},
		{"nope", "no panel"},
		{"a,b,c", "no panel"},
		{"cache,events,routing", "the presenter layout shows one or two"},
		{"cache,cache", "the presenter layout shows one or two"},
		{"", "no panel"},
	} {
		ids, err := ParsePresenterPanels(tc.in)
		got := strings.Join(ids, ",")
		if err != nil {
			got = err.Error()
		}
		if !strings.Contains(got, tc.want) {
			t.Errorf("ParsePresenterPanels(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}
