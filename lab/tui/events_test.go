package tui

import (
	"fmt"
	"strings"
	"testing"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/ansi"
	"github.com/muesli/termenv"

	"github.com/scalelab/scalelab/lab"
)

// upperBadCommon makes the Bad style upper-case, so tests can see it
// without changing widths.
func upperBadCommon() *Common {
	lipgloss.SetColorProfile(termenv.Ascii)
	s := NewStyles(true)
	s.Bad = lipgloss.NewStyle().Transform(strings.ToUpper)
	return &Common{Styles: s, Keys: DefaultKeyMap()}
}

func eventsTestRender(t *testing.T, p *EventsPanel, w, h int) string {
	t.Helper()
	p.SetSize(w, h)
	out := p.View()
	if gw, gh := lipgloss.Width(out), lipgloss.Height(out); gw != w || gh != h {
		t.Fatalf("size %dx%d, want %dx%d:\n%s", gw, gh, w, h, out)
	}
	return ansi.Strip(out)
}

// eventsTestNumbered is n commands, "cmd-000" at t=0 onwards.
func eventsTestNumbered(from, n int) []lab.Event {
	var evs []lab.Event
	for i := from; i < from+n; i++ {
		evs = append(evs, lab.Event{T: float64(i), Kind: lab.KindCommand, Source: "script", Line: fmt.Sprintf("cmd-%03d", i)})
	}
	return evs
}

var (
	eventsKeyUp   = tea.KeyMsg{Type: tea.KeyUp}
	eventsKeyDown = tea.KeyMsg{Type: tea.KeyDown}
)

func TestEventsPanelWrapsNotCuts(t *testing.T) {
	// At 36 columns a state change once read "web-2 healthy → ": the new
	// state, the point of the line, was cut off.
	p := NewEventsPanel(upperBadCommon())
	p.AddEvents([]lab.Event{{T: 14, Kind: lab.KindState, Component: "web-2", From: "healthy", To: "ejected", Detail: "balancer: 2 probes failed"}})
	out := eventsTestRender(t, p, 40, 10)
	for _, want := range []string{"t=  14.0s  state    web-2 healthy →", "EJECTED", "(balancer: 2", "probes failed)"} {
		if !strings.Contains(out, want) {
			t.Errorf("missing %q in\n%s", want, out)
		}
	}
}

func TestEventsPanelLines(t *testing.T) {
	p := NewEventsPanel(upperBadCommon())
	v := 43.2
	p.AddEvents([]lab.Event{
		{T: 12.3, Kind: lab.KindCommand, Source: "key", Line: "kill web-2"},
		{T: 12.3, Kind: lab.KindFault, Component: "web-2", Detail: "down"},
		{T: 12.4, Kind: lab.KindRequest, ID: 7, Op: "read", LatencyMS: 3},
		{T: 14, Kind: lab.KindState, Component: "web-2", From: "healthy", To: "ejected", Detail: "balancer: 2 probes failed"},
		{T: 15, Kind: lab.KindState, Component: "shards", Detail: "shard add: 120 keys moved"},
	})
	p.AddEvents([]lab.Event{
		{T: 16, Kind: lab.KindExpect, Line: "expect latency.p99 < 100", Value: &v},
		{T: 17, Kind: lab.KindExpect, Line: "expect errors.ratio < 0.01", Err: "expect errors.ratio < 0.01 failed now: is 0.3"},
		{T: 123.45, Kind: lab.KindCommand, Source: "typed", Line: "kil web-2", Err: `unknown command "kil"`},
	})
	for _, sz := range [][2]int{{80, 20}, {40, 10}} {
		out := eventsTestRender(t, p, sz[0], sz[1])
		if strings.Contains(out, "read") {
			t.Errorf("%v: request event shown:\n%s", sz, out)
		}
		if sz[0] == 40 {
			// 36 columns: long events wrap under their time, the newest
			// whole at the bottom; older ones scroll off the top.
			lines := strings.Split(out, "\n")
			if got := lines[len(lines)-3]; !strings.Contains(got, "T= 123.5S  COMMAND  TYPED: KIL WEB-2") {
				t.Errorf("%v: the newest event does not start two lines from the bottom:\n%s", sz, out)
			}
			if got := lines[len(lines)-2]; !strings.Contains(got, `│            ✖ UNKNOWN COMMAND "KIL"`) {
				t.Errorf("%v: the newest event's error is not continued under its time:\n%s", sz, out)
			}
			continue
		}
		for _, want := range []string{
			"t=  12.3s  command  key: kill web-2",
			"t=  12.3s  fault    web-2: down",
			"t=  14.0s  state    web-2 healthy → EJECTED (balancer: 2 probes failed)",
			"t=  15.0s  state    shards: shard add: 120 keys moved",
			"t=  16.0s  expect   ✔ expect latency.p99 < 100 (43.2ms)",
			"T=  17.0S  EXPECT   ✖ EXPECT ERRORS.RATIO < 0.01 FAILED NOW: IS 0.3",
			`T= 123.5S  COMMAND  TYPED: KIL WEB-2 ✖ UNKNOWN COMMAND "KIL"`,
		} {
			if !strings.Contains(out, want) {
				t.Errorf("%v: missing %q in\n%s", sz, want, out)
			}
		}
		if strings.Index(out, "kill web-2") > strings.Index(out, "KIL WEB-2") {
			t.Errorf("newest should be at the bottom:\n%s", out)
		}
	}
}

func TestEventsPanelEmpty(t *testing.T) {
	p := NewEventsPanel(upperBadCommon())
	for _, sz := range [][2]int{{80, 20}, {40, 10}} {
		if out := eventsTestRender(t, p, sz[0], sz[1]); !strings.Contains(out, "no events yet") {
			t.Errorf("%v: want the empty note:\n%s", sz, out)
		}
	}
}

func TestEventsPanelScroll(t *testing.T) {
	p := NewEventsPanel(upperBadCommon())
	p.SetSize(80, 20) // 17 rows
	p.AddEvents(eventsTestNumbered(0, 30))
	out := eventsTestRender(t, p, 80, 20)
	if !strings.Contains(out, "cmd-013") || strings.Contains(out, "cmd-012") || !strings.Contains(out, "cmd-029") {
		t.Fatalf("want cmd-013..cmd-029:\n%s", out)
	}

	// Not focused: keys do nothing.
	p.Update(eventsKeyUp)
	if out := eventsTestRender(t, p, 80, 20); strings.Contains(out, "newer") {
		t.Fatalf("scrolled while not focused:\n%s", out)
	}

	p.SetFocused(true)
	for range 3 {
		p.Update(eventsKeyUp)
	}
	// 16 rows and the hint: cmd-011..cmd-026.
	out = eventsTestRender(t, p, 80, 20)
	for _, want := range []string{"cmd-011", "cmd-026", "↓ 3 newer", "Events · scrolled"} {
		if !strings.Contains(out, want) {
			t.Errorf("scrolled 3: missing %q in\n%s", want, out)
		}
	}
	if strings.Contains(out, "cmd-010") || strings.Contains(out, "cmd-027") {
		t.Errorf("scrolled 3: wrong window:\n%s", out)
	}

	// New events while scrolled: the window stays, the hint counts them.
	p.AddEvents(eventsTestNumbered(30, 2))
	out = eventsTestRender(t, p, 80, 20)
	for _, want := range []string{"cmd-011", "cmd-026", "↓ 5 newer"} {
		if !strings.Contains(out, want) {
			t.Errorf("after new events: missing %q in\n%s", want, out)
		}
	}
	if strings.Contains(out, "cmd-027") || strings.Contains(out, "cmd-031") {
		t.Errorf("after new events: window jumped:\n%s", out)
	}

	// Down to the bottom follows the newest again.
	for range 9 {
		p.Update(eventsKeyDown)
	}
	out = eventsTestRender(t, p, 80, 20)
	if !strings.Contains(out, "cmd-015") || !strings.Contains(out, "cmd-031") || strings.Contains(out, "newer") {
		t.Errorf("at bottom: want cmd-015..cmd-031 and no hint:\n%s", out)
	}

	// Up past the top stops at the oldest.
	for range 100 {
		p.Update(eventsKeyUp)
	}
	out = eventsTestRender(t, p, 80, 20)
	if !strings.Contains(out, "t=   0.0s  command  script: cmd-000") || !strings.Contains(out, "↓ 16 newer") {
		t.Errorf("at top: want cmd-000 first and 16 newer:\n%s", out)
	}
}

func TestEventsPanelKeepsLast500(t *testing.T) {
	p := NewEventsPanel(upperBadCommon())
	p.SetSize(40, 10) // 7 rows
	p.SetFocused(true)
	p.AddEvents(eventsTestNumbered(0, 300))
	p.AddEvents(eventsTestNumbered(300, 300))
	if len(p.lines) != eventsKeep {
		t.Fatalf("kept %d events, want %d", len(p.lines), eventsKeep)
	}
	for range 1000 {
		p.Update(eventsKeyUp)
	}
	out := eventsTestRender(t, p, 40, 10)
	if !strings.Contains(out, "cmd-100") || strings.Contains(out, "cmd-099") || !strings.Contains(out, "↓ 494 newer") {
		t.Errorf("top of history: want cmd-100 first, 494 newer:\n%s", out)
	}
}

func TestLessonEventText(t *testing.T) {
	right, wrong := true, false
	for _, tc := range []struct {
		e    lab.Event
		want string
	}{
		{lab.Event{Step: 2, What: lab.LessonPassed}, "step 2 passed"},
		{lab.Event{Step: 1, What: lab.LessonQuiz, Choice: 2, Correct: &right}, "step 1 quiz: choice 2 (right)"},
		{lab.Event{Step: 1, What: lab.LessonQuiz, Choice: 3, Correct: &wrong}, "step 1 quiz: choice 3 (wrong)"},
		{lab.Event{Step: 3, What: lab.LessonHint, Hint: 1}, "step 3 hint 1"},
		{lab.Event{Step: 3, What: lab.LessonDone}, "lesson done"},
	} {
		if got := lessonText(tc.e); got != tc.want {
			t.Errorf("%+v: %q, want %q", tc.e, got, tc.want)
		}
	}
}
