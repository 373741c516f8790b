package tui

import (
	"bytes"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/bubbles/cursor"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/exp/golden"
	"github.com/charmbracelet/x/exp/teatest"

	"github.com/scalelab/scalelab/components/backend"
	"github.com/scalelab/scalelab/lab"
)

// newFixtureModel builds the dashboard over src with fixtureSeconds of
// history (one view per lab second, so charts have lines) ending at the
// fixture's current view, which src then keeps returning.
func newFixtureModel(t testing.TB, src *fakeSource) Model {
	t.Helper()
	src.SetView(fixtureView(1))
	m := New(src, fixtureCommon())
	t.Cleanup(m.Stop)
	// A blinking cursor would hand back a Cmd that sleeps; a steady one
	// looks the same in a snapshot.
	m.bar.input.Cursor.SetMode(cursor.CursorStatic)
	for sec := 2; sec <= fixtureSeconds; sec++ {
		m = applyView(m, fixtureView(sec))
	}
	src.SetView(fixtureView(fixtureSeconds))
	return m
}

// applyView hands the model a new view as a tick would, dropping the next
// tick.
func applyView(m Model, v lab.View) Model {
	next, _ := m.Update(viewMsg{m.dash.id, v})
	return next.(Model)
}

// resized is m after a terminal resize.
func resized(m Model, w, h int) Model {
	next, _ := m.Update(tea.WindowSizeMsg{Width: w, Height: h})
	return next.(Model)
}

// keyMsg is one key press as Bubble Tea delivers it: a name for special keys,
// else the runes typed.
func keyMsg(s string) tea.KeyMsg {
	switch s {
	case "enter":
		return tea.KeyMsg{Type: tea.KeyEnter}
	case "esc":
		return tea.KeyMsg{Type: tea.KeyEsc}
	case "tab":
		return tea.KeyMsg{Type: tea.KeyTab}
	case "shift+tab":
		return tea.KeyMsg{Type: tea.KeyShiftTab}
	case "up":
		return tea.KeyMsg{Type: tea.KeyUp}
	case "down":
		return tea.KeyMsg{Type: tea.KeyDown}
	case "pgdown":
		return tea.KeyMsg{Type: tea.KeyPgDown}
	case "pgup":
		return tea.KeyMsg{Type: tea.KeyPgUp}
	case " ":
		return tea.KeyMsg{Type: tea.KeySpace, Runes: []rune{' '}}
	}
	return tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune(s)}
}

// press sends each key in turn, as separate key messages.
func press(t *testing.T, m Model, keys ...string) Model {
	t.Helper()
	for _, k := range keys {
		m, _ = send(t, m, keyMsg(k))
	}
	return m
}

// typeText types text one rune at a time.
func typeText(t *testing.T, m Model, text string) Model {
	t.Helper()
	for _, r := range text {
		m, _ = send(t, m, tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune{r}})
	}
	return m
}

// send delivers msg and then every message its Cmds produce, as the
// Bubble Tea runtime would (Exec runs inside a Cmd), until none are left.
// Ticks are dropped: the clock is not part of a unit test. It reports
// whether a Cmd asked to quit.
func send(t *testing.T, m Model, msg tea.Msg) (Model, bool) {
	t.Helper()
	quit := false
	queue := []tea.Msg{msg}
	for len(queue) > 0 {
		next, cmd := m.Update(queue[0])
		m = next.(Model)
		queue = queue[1:]
		for _, out := range runCmd(t, cmd) {
			if _, ok := out.(tea.QuitMsg); ok {
				quit = true
				continue
			}
			queue = append(queue, out)
		}
	}
	return m, quit
}

// runCmd runs cmd and the Cmds of any batch it returns, failing the test
// if one blocks.
func runCmd(t *testing.T, cmd tea.Cmd) []tea.Msg {
	t.Helper()
	if cmd == nil {
		return nil
	}
	done := make(chan tea.Msg, 1)
	go func() { done <- cmd() }()
	var msg tea.Msg
	select {
	case msg = <-done:
	case <-time.After(5 * time.Second):
		t.Fatalf("a Cmd did not return within 5s")
	}
	switch msg := msg.(type) {
	case nil, tickMsg:
		return nil
	case tea.BatchMsg:
		var out []tea.Msg
		for _, c := range msg {
			out = append(out, runCmd(t, c)...)
		}
		return out
	}
	return []tea.Msg{msg}
}

// screen is the model's view without styling.
func screen(m Model) string { return ansi.Strip(m.View()) }

// footerText is the screen's last two lines.
func footerText(m Model) string {
	lines := strings.Split(screen(m), "\n")
	return strings.Join(lines[max(len(lines)-2, 0):], "\n")
}

func requireCalls(t *testing.T, src *fakeSource, want ...execCall) {
	t.Helper()
	if got := src.Calls(); !slices.Equal(got, want) {
		t.Fatalf("lab ran %q, want %q", got, want)
	}
}

func TestDashboardGolden(t *testing.T) {
	for _, tc := range []struct {
		name  string
		w, h  int
		ready string
	}{
		{"160x48", 160, 48, "Routing"},
		{"80x24", 80, 24, "Routing"},
		{"70x20_too_small", 70, 20, "too small"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			src := newFakeSource()
			m := newFixtureModel(t, src)
			tm := teatest.NewTestModel(t, m, teatest.WithInitialTermSize(tc.w, tc.h))
			teatest.WaitFor(t, tm.Output(), func(out []byte) bool {
				return bytes.Contains(out, []byte(tc.ready))
			}, teatest.WithDuration(5*time.Second), teatest.WithCheckInterval(10*time.Millisecond))
			tm.Send(keyMsg("q"))
			final := tm.FinalModel(t, teatest.WithFinalTimeout(5*time.Second)).(Model)
			final.Stop()
			view := final.View()
			if got := lipgloss.Height(view); got != tc.h {
				t.Errorf("final view is %d lines, want %d", got, tc.h)
			}
			golden.RequireEqual(t, []byte(view))
		})
	}
}

func TestFaultKeysActOnSelectedServer(t *testing.T) {
	// The fixture's web-2 is slow (backend.health 1), web-1 is up (0).
	for _, tc := range []struct {
		keys []string
		want string
	}{
		{[]string{"2", "k"}, "kill web-2"},
		{[]string{"k"}, "kill web-1"}, // the first server is selected at start
		{[]string{"3", "r"}, "revive web-3"},
		{[]string{"right", "right", "right", "k"}, "kill db-1"},
		{[]string{"6", "k"}, "kill payments"},
		{[]string{"1", "s"}, "slow web-1 +200ms"},
		{[]string{"2", "s"}, "slow web-2 off"},
		{[]string{"1", "e"}, "errors web-1 30%"},
		{[]string{"1", "h"}, "hang web-1"},
	} {
		t.Run(tc.want, func(t *testing.T) {
			src := newFakeSource()
			m := resized(newFixtureModel(t, src), 160, 48)
			for _, k := range tc.keys {
				msg := keyMsg(k)
				if k == "right" {
					msg = tea.KeyMsg{Type: tea.KeyRight}
				}
				m, _ = send(t, m, msg)
			}
			requireCalls(t, src, execCall{tc.want, lab.SourceKey})
			if f := footerText(m); !strings.Contains(f, "✔ "+tc.want) {
				t.Errorf("footer does not report %q:\n%s", tc.want, f)
			}
		})
	}
}

func TestFaultKeysToggleByHealth(t *testing.T) {
	// The same key turns a fault on, or off when the server already shows it.
	for _, tc := range []struct {
		key    string
		health backend.Health
		want   string
	}{
		{"s", backend.Up, "slow web-2 +200ms"},
		{"s", backend.Slow, "slow web-2 off"},
		{"s", backend.Down, "slow web-2 +200ms"},
		{"e", backend.Up, "errors web-2 30%"},
		{"e", backend.Failing, "errors web-2 off"},
		{"h", backend.Up, "hang web-2"},
		{"h", backend.Hung, "hang web-2 off"},
	} {
		t.Run(fmt.Sprintf("%s_health_%s", tc.key, tc.health), func(t *testing.T) {
			src := newFakeSource()
			m := resized(newFixtureModel(t, src), 160, 48)
			v := fixtureView(fixtureSeconds)
			v.Server("web-2").Health = tc.health
			m = applyView(m, v)
			m = press(t, m, "2", tc.key)
			requireCalls(t, src, execCall{tc.want, lab.SourceKey})
		})
	}
}

func TestLoadKeysClimbTheLadder(t *testing.T) {
	for _, tc := range []struct {
		rate float64
		key  string
		want string
	}{
		{500, "+", "load 1000/s"},
		{500, "=", "load 1000/s"},
		{500, "-", "load 200/s"},
		{300, "+", "load 500/s"},
		{300, "-", "load 200/s"},
		{50, "-", "load off"},
		{0, "+", "load 50/s"},
		{0, "-", "load off"},
		{100000, "+", "load 100000/s"},
	} {
		t.Run(fmt.Sprintf("%g%s", tc.rate, tc.key), func(t *testing.T) {
			src := newFakeSource()
			m := resized(newFixtureModel(t, src), 160, 48)
			v := fixtureView(fixtureSeconds)
			v.LoadSpec.Rate = tc.rate
			m = press(t, applyView(m, v), tc.key)
			requireCalls(t, src, execCall{tc.want, lab.SourceKey})
		})
	}
}

func TestSpeedKeysClimbTheLadder(t *testing.T) {
	for _, tc := range []struct {
		speed float64
		key   string
		want  string
	}{
		{1, "]", "speed 2x"},
		{1, "[", "speed 0.5x"},
		{2, "]", "speed 5x"},
		{0.3, "]", "speed 0.5x"}, // nearest rung is 0.25
		{20, "]", "speed 20x"},
		{0.1, "[", "speed 0.1x"},
	} {
		t.Run(fmt.Sprintf("%g%s", tc.speed, tc.key), func(t *testing.T) {
			src := newFakeSource()
			m := resized(newFixtureModel(t, src), 160, 48)
			v := fixtureView(fixtureSeconds)
			v.Speed = tc.speed
			m = press(t, applyView(m, v), tc.key)
			requireCalls(t, src, execCall{tc.want, lab.SourceKey})
		})
	}
}

func TestSpacePausesAndResumes(t *testing.T) {
	src := newFakeSource()
	m := resized(newFixtureModel(t, src), 160, 48)
	m = press(t, m, " ")
	v := fixtureView(fixtureSeconds)
	v.Paused = true
	m = applyView(m, v)
	if !strings.Contains(screen(m), "⏸ paused") {
		t.Errorf("a paused lab does not say so:\n%s", screen(m))
	}
	press(t, m, " ")
	requireCalls(t, src, execCall{"pause", lab.SourceKey}, execCall{"resume", lab.SourceKey})
}

func TestSandboxWithoutLoadSaysHowToStart(t *testing.T) {
	src := newFakeSource()
	m := resized(newFixtureModel(t, src), 100, 30)
	if f := footerText(m); strings.Contains(f, "no load yet") {
		t.Errorf("the hint shows while load runs:\n%s", f)
	}
	v := fixtureView(fixtureSeconds)
	v.LoadSpec.Rate = 0
	m = applyView(m, v)
	if f := footerText(m); !strings.Contains(f, "no load yet: press + for some, or type :load 500/s") {
		t.Errorf("a lab without load does not say how to start it:\n%s", f)
	}
}

func TestCommandBarRunsTypedLine(t *testing.T) {
	src := newFakeSource()
	m := resized(newFixtureModel(t, src), 160, 48)
	m = press(t, m, ":")
	if f := footerText(m); !strings.HasPrefix(f, ":") {
		t.Fatalf("':' did not open the command bar; footer:\n%s", f)
	}
	m = typeText(t, m, "load 700/s")
	if f := footerText(m); !strings.HasPrefix(f, ":load 700/s") || !strings.Contains(f, "load RATE") {
		t.Errorf("bar does not show the line and its usage; footer:\n%s", f)
	}
	requireCalls(t, src) // nothing runs before enter
	m = press(t, m, "enter")
	requireCalls(t, src, execCall{"load 700/s", lab.SourceTyped})
	if f := footerText(m); !strings.HasPrefix(f, "✔ load 700/s") {
		t.Errorf("footer does not report the command; footer:\n%s", f)
	}
	// The bar has closed: keys are dashboard keys again.
	press(t, m, "k")
	requireCalls(t, src, execCall{"load 700/s", lab.SourceTyped}, execCall{"kill web-1", lab.SourceKey})
}

func TestCommandBarShowsParseError(t *testing.T) {
	src := newFakeSource()
	m := resized(newFixtureModel(t, src), 160, 48)
	m = press(t, m, ":")
	m = typeText(t, m, "lod 5")
	m = press(t, m, "enter")
	requireCalls(t, src)
	_, perr := lab.Parse("lod 5")
	if perr == nil {
		t.Fatal(`lab.Parse("lod 5") succeeded`)
	}
	want := truncate("✖ "+perr.Error(), 160)
	lines := strings.Split(footerText(m), "\n")
	if !strings.HasPrefix(lines[0], ":lod 5") {
		t.Errorf("the bar closed or lost the line: %q", lines[0])
	}
	if lines[1] != want || !strings.HasPrefix(want, `✖ col 1: unknown command "lod"`) {
		t.Errorf("error line = %q, want %q", lines[1], want)
	}
	// Fixing the line clears the error and runs it.
	m, _ = send(t, m, tea.KeyMsg{Type: tea.KeyHome})
	m, _ = send(t, m, tea.KeyMsg{Type: tea.KeyRight})
	m, _ = send(t, m, tea.KeyMsg{Type: tea.KeyRight})
	m = typeText(t, m, "a")
	if f := footerText(m); strings.Contains(f, "✖") {
		t.Errorf("editing did not clear the error:\n%s", f)
	}
	press(t, m, "enter")
	requireCalls(t, src, execCall{"load 5", lab.SourceTyped})
}

func TestCommandBarHistory(t *testing.T) {
	src := newFakeSource()
	m := resized(newFixtureModel(t, src), 160, 48)
	for _, line := range []string{"load 700/s", "speed 2x"} {
		m = press(t, m, ":")
		m = typeText(t, m, line)
		m = press(t, m, "enter")
	}
	m = press(t, m, ":", "up")
	if f := footerText(m); !strings.HasPrefix(f, ":speed 2x") {
		t.Errorf("up did not recall the last line; footer:\n%s", f)
	}
	m = press(t, m, "up", "up") // stops at the oldest
	if f := footerText(m); !strings.HasPrefix(f, ":load 700/s") {
		t.Errorf("up up did not recall the first line; footer:\n%s", f)
	}
	m = press(t, m, "down", "down") // past the newest: an empty line
	if f := footerText(m); !strings.HasPrefix(f, ":") || strings.HasPrefix(f, ":speed") || strings.HasPrefix(f, ":load") {
		t.Errorf("down past the newest did not clear the line; footer:\n%s", f)
	}
	m = press(t, m, "up", "up", "enter")
	requireCalls(t, src,
		execCall{"load 700/s", lab.SourceTyped}, execCall{"speed 2x", lab.SourceTyped}, execCall{"load 700/s", lab.SourceTyped})
	_ = m
}

func TestCommandBarTabCyclesMatches(t *testing.T) {
	src := newFakeSource()
	m := resized(newFixtureModel(t, src), 160, 48)
	m = press(t, m, ":")
	m = typeText(t, m, "kill w")
	matches := m.bar.matches("kill w")
	if len(matches) < 3 {
		t.Fatalf("matches for \"kill w\" = %q, want the fixture's web servers", matches)
	}
	if f := footerText(m); !strings.Contains(f, fmt.Sprintf("%d matches", len(matches))) {
		t.Errorf("the matches are not counted under the line:\n%s", f)
	}
	for i, want := range append(matches, matches[0]) { // round to the start
		m = press(t, m, "tab")
		lines := strings.Split(footerText(m), "\n")
		if strings.TrimRight(lines[0], " ") != ":"+want {
			t.Fatalf("tab %d: line %q, want %q", i+1, lines[0], ":"+want)
		}
		if i < len(matches) && !strings.HasPrefix(lines[1], fmt.Sprintf("tab %d/%d:", i+1, len(matches))) {
			t.Errorf("tab %d: the list says %q", i+1, lines[1])
		}
	}
	m = press(t, m, "shift+tab")
	if f := footerText(m); !strings.HasPrefix(f, ":"+matches[len(matches)-1]+" ") {
		t.Errorf("shift+tab did not go back to the last match:\n%s", f)
	}
	// Typing ends the cycle; enter runs the line as shown.
	m = typeText(t, m, "x")
	press(t, m, "enter")
	requireCalls(t, src, execCall{matches[len(matches)-1] + "x", lab.SourceTyped})
}

func TestCommandBarRunsWhatItShows(t *testing.T) {
	// The bar once drew "speed 0.25x" with ".25x" as a ghost suggestion,
	// and enter ran "speed 0".
	src := newFakeSource()
	m := resized(newFixtureModel(t, src), 160, 48)
	m = press(t, m, ":")
	m = typeText(t, m, "speed 0")
	if line := strings.TrimRight(strings.Split(footerText(m), "\n")[0], " "); line != ":speed 0" {
		t.Errorf("the line shows %q, more than was typed", line)
	}
}

func TestCommandBarStaysOpenOnApplyError(t *testing.T) {
	src := newFakeSource()
	src.Refuse("kill nosuch", fmt.Errorf(`no server "nosuch"`))
	m := resized(newFixtureModel(t, src), 160, 48)
	m = press(t, m, ":")
	m = typeText(t, m, "kill nosuch")
	m = press(t, m, "enter")
	lines := strings.Split(footerText(m), "\n")
	if !strings.HasPrefix(lines[0], ":kill nosuch") || !strings.HasPrefix(lines[1], `✖ no server "nosuch"`) {
		t.Fatalf("the bar closed or shows no error:\n%s", footerText(m))
	}
	// Fixing it runs the fixed line and closes the bar.
	m, _ = send(t, m, tea.KeyMsg{Type: tea.KeyBackspace})
	m, _ = send(t, m, tea.KeyMsg{Type: tea.KeyCtrlW})
	m = typeText(t, m, "web-2")
	m = press(t, m, "enter")
	if f := footerText(m); !strings.HasPrefix(f, "✔ kill web-2") {
		t.Errorf("the fixed line did not run and close the bar:\n%s", f)
	}
	requireCalls(t, src, execCall{"kill web-2", lab.SourceTyped})
}

func TestCommandBarKeepsFailedLinesInHistory(t *testing.T) {
	src := newFakeSource()
	m := resized(newFixtureModel(t, src), 160, 48)
	m = press(t, m, ":")
	m = typeText(t, m, "lod 5")
	m = press(t, m, "enter", "esc", ":", "up")
	if f := footerText(m); !strings.HasPrefix(f, ":lod 5") {
		t.Errorf("up did not recall the line that failed to parse:\n%s", f)
	}
}

func TestMultiRuneKeyOpensBarAndTypes(t *testing.T) {
	// tmux send-keys and fast typists deliver several runes in one message.
	src := newFakeSource()
	m := resized(newFixtureModel(t, src), 160, 48)
	m, _ = send(t, m, tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune(":load 300/s")})
	if f := footerText(m); !strings.HasPrefix(f, ":load 300/s") {
		t.Fatalf("bar does not hold the rest of the runes; footer:\n%s", f)
	}
	requireCalls(t, src)
	press(t, m, "enter")
	requireCalls(t, src, execCall{"load 300/s", lab.SourceTyped})

	// Keys before the ':' act as keys.
	src = newFakeSource()
	m = resized(newFixtureModel(t, src), 160, 48)
	m, _ = send(t, m, tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune("2k")})
	requireCalls(t, src, execCall{"kill web-2", lab.SourceKey})
}

func TestEscClosesCommandBar(t *testing.T) {
	src := newFakeSource()
	m := resized(newFixtureModel(t, src), 160, 48)
	m = press(t, m, ":")
	m = typeText(t, m, "kill web-3")
	m = press(t, m, "esc")
	if f := footerText(m); strings.HasPrefix(f, ":") {
		t.Errorf("esc did not close the bar; footer:\n%s", f)
	}
	press(t, m, "enter") // zooms; runs nothing
	requireCalls(t, src)
}

// focusedTitle reports whether the panel titled title is drawn focused (a thick border without colour).
func focusedTitle(t *testing.T, m Model, title string) bool {
	t.Helper()
	for _, l := range strings.Split(screen(m), "\n") {
		if i := strings.Index(l, " "+title); i > 0 {
			return strings.HasSuffix(l[:i], "┃")
		}
	}
	t.Fatalf("no panel titled %q on screen:\n%s", title, screen(m))
	return false
}

func TestTabCyclesFocus(t *testing.T) {
	src := newFakeSource()
	m := resized(newFixtureModel(t, src), 160, 48)
	if !focusedTitle(t, m, "Routing") || focusedTitle(t, m, "Latency") {
		t.Fatalf("Routing is not focused at start:\n%s", screen(m))
	}
	m = press(t, m, "tab")
	if focusedTitle(t, m, "Routing") || !focusedTitle(t, m, "Latency") {
		t.Errorf("tab did not move focus to Latency:\n%s", screen(m))
	}
	m = press(t, m, "shift+tab", "shift+tab")
	if !focusedTitle(t, m, "Events") || focusedTitle(t, m, "Routing") {
		t.Errorf("shift+tab twice did not wrap focus to Events:\n%s", screen(m))
	}
	for range len(panelDefs) - 1 {
		m = press(t, m, "tab")
	}
	if !focusedTitle(t, m, "Traces") {
		t.Errorf("seven tabs from Events did not reach Traces:\n%s", screen(m))
	}
	// The focused panel gets panel keys: t cycles the trace shown.
	m = press(t, m, "t")
	if !strings.Contains(screen(m), "Traces · slowest") {
		t.Errorf("t on the focused traces panel did not show the slowest trace:\n%s", screen(m))
	}
	requireCalls(t, src)
}

func TestTabPagesPanelsOnSmallTerminal(t *testing.T) {
	// 80×24 has room for two panels side by side: focus turns the page.
	src := newFakeSource()
	m := resized(newFixtureModel(t, src), 80, 24)
	if s := screen(m); !strings.Contains(s, "Routing") || !strings.Contains(s, "Latency") || strings.Contains(s, "Shards") {
		t.Fatalf("first page is not Routing and Latency:\n%s", s)
	}
	m = press(t, m, "tab", "tab")
	if s := screen(m); !strings.Contains(s, "Shards") || strings.Contains(s, "Routing ·") {
		t.Errorf("focus on Cache did not show the Cache and Shards page:\n%s", s)
	}
	if !focusedTitle(t, m, "Cache") {
		t.Errorf("Cache is not focused:\n%s", screen(m))
	}
}

func TestEnterZoomsAndEscReturns(t *testing.T) {
	src := newFakeSource()
	m := resized(newFixtureModel(t, src), 160, 48)
	m = press(t, m, "tab", "enter")
	s := screen(m)
	if !strings.Contains(s, "Latency") || strings.Contains(s, "Routing ·") || strings.Contains(s, "Queue") {
		t.Errorf("enter did not zoom the focused Latency panel:\n%s", s)
	}
	line := strings.Split(s, "\n")[1+MapHeight(fixtureTopology)]
	if lipgloss.Width(line) != 160 || !strings.HasPrefix(line, "┏") || !strings.HasSuffix(line, "┓") {
		t.Errorf("zoomed panel does not span the width: %q", line)
	}
	m = press(t, m, "esc")
	s = screen(m)
	for _, title := range []string{"Routing ·", "Latency", "Cache", "Shards", "Queue", "Breaker", "Traces", "Events"} {
		if !strings.Contains(s, title) {
			t.Errorf("after esc, %q is not on screen", title)
		}
	}
	requireCalls(t, src)
}

func TestHelpShowsKeys(t *testing.T) {
	src := newFakeSource()
	m := resized(newFixtureModel(t, src), 160, 48)
	m = press(t, m, "?")
	s := screen(m)
	for _, want := range []string{"Help · any key closes", "kill selected", "revive selected", "more load", "command", "quit"} {
		if !strings.Contains(s, want) {
			t.Errorf("help does not show %q:\n%s", want, s)
		}
	}
	m = press(t, m, "k") // closes help, and does nothing else
	if strings.Contains(screen(m), "Help · any key closes") {
		t.Errorf("a key did not close help")
	}
	requireCalls(t, src)
}

func TestQuitKey(t *testing.T) {
	m := resized(newFixtureModel(t, newFakeSource()), 160, 48)
	if _, quit := send(t, m, keyMsg("q")); !quit {
		t.Errorf("q did not quit")
	}
	m = press(t, m, ":")
	if _, quit := send(t, m, keyMsg("q")); quit {
		t.Errorf("q in the command bar quit instead of typing")
	}
}

func TestViewFillsTerminalExactly(t *testing.T) {
	states := []struct {
		name string
		keys []string
	}{
		{"dashboard", nil},
		{"command bar", []string{":"}},
		{"help", []string{"?"}},
		{"zoomed", []string{"tab", "tab", "tab", "tab", "tab", "tab", "enter"}},
		{"last page", []string{"shift+tab"}},
	}
	for _, size := range [][2]int{{160, 48}, {80, 24}, {120, 30}} {
		for _, st := range states {
			t.Run(fmt.Sprintf("%dx%d %s", size[0], size[1], st.name), func(t *testing.T) {
				m := resized(newFixtureModel(t, newFakeSource()), size[0], size[1])
				m = press(t, m, st.keys...)
				view := m.View()
				lines := strings.Split(view, "\n")
				if len(lines) != size[1] {
					t.Errorf("%d lines, want %d:\n%s", len(lines), size[1], view)
				}
				for i, l := range lines {
					if w := lipgloss.Width(l); w > size[0] {
						t.Errorf("line %d is %d cells wide, want at most %d: %q", i+1, w, size[0], ansi.Strip(l))
					}
				}
			})
		}
	}
}

func TestTerminalTooSmall(t *testing.T) {
	m := resized(newFixtureModel(t, newFakeSource()), 160, 48)
	m = resized(m, 60, 20)
	s := screen(m)
	if !strings.Contains(s, "terminal too small: 60×20") || !strings.Contains(s, "at least 80×24") {
		t.Errorf("60×20 does not say the terminal is too small:\n%s", s)
	}
	if n := lipgloss.Height(s); n != 20 {
		t.Errorf("too-small view is %d lines, want 20", n)
	}
	m = resized(m, 80, 24)
	if !strings.Contains(screen(m), "Routing") {
		t.Errorf("growing back to 80×24 does not draw the dashboard:\n%s", screen(m))
	}
}

func TestCompletions(t *testing.T) {
	got := Completions(fixtureTopology)
	for _, want := range []string{
		"kill web-1", "kill web-3", "kill db-2", "kill payments",
		"breaker payments", "expect latency.p99", "expect lb.routed{backend=",
	} {
		if !slices.Contains(got, want) {
			t.Errorf("Completions lacks %q", want)
		}
	}
	for _, bad := range []string{"breaker web-1", "kill web-4"} {
		if slices.Contains(got, bad) {
			t.Errorf("Completions offers %q", bad)
		}
	}
	noPayments := fixtureTopology
	noPayments.Payments = false
	if slices.Contains(Completions(noPayments), "kill payments") {
		t.Errorf("Completions offers payments in a lab without it")
	}
}

// manyServers is the fixture's view with n web servers and m shards (some
// of them down and ejected), as `scale web N` and `shard add` make.
func manyServers(n, m int) lab.View {
	v := fixtureView(fixtureSeconds)
	var servers []lab.ServerStats
	v.Topology.Webs, v.Topology.DBs = nil, nil
	for i := 1; i <= n; i++ {
		name := fmt.Sprintf("web-%d", i)
		st := lab.ServerStats{Name: name, Role: lab.RoleWeb, Rate: 10, Routing: &lab.RoutingStats{Routed: 10, Healthy: i%7 != 0}}
		if i%7 == 0 {
			st.Health = backend.Down
		}
		servers = append(servers, st)
		v.Topology.Webs = append(v.Topology.Webs, name)
	}
	for i := 1; i <= m; i++ {
		name := fmt.Sprintf("db-%d", i)
		servers = append(servers, lab.ServerStats{Name: name, Role: lab.RoleDB, Shard: &lab.ShardLoad{Keys: 100}})
		v.Topology.DBs = append(v.Topology.DBs, name)
	}
	v.Servers = append(servers, *v.Server("payments"))
	return v
}

// Many servers fold on the map instead of pushing the grid to a negative
// height (which panicked), at every size.
func TestManyServersFoldOnTheMap(t *testing.T) {
	for _, size := range [][2]int{{80, 24}, {100, 30}, {160, 48}, {200, 40}} {
		for _, n := range [][2]int{{19, 2}, {40, 16}, {64, 32}} {
			src := newFakeSource()
			m := resized(newFixtureModel(t, src), size[0], size[1])
			m = applyView(m, manyServers(n[0], n[1]))
			m = press(t, m, "7") // select web-7, which is down
			view := m.View()
			if h := lipgloss.Height(view); h != size[1] {
				t.Errorf("%v with %v servers: %d lines", size, n, h)
			}
			for i, line := range strings.Split(view, "\n") {
				if w := lipgloss.Width(line); w != size[0] {
					t.Errorf("%v with %v servers: line %d is %d wide", size, n, i, w)
					break
				}
			}
			s := screen(m)
			want := fmt.Sprintf("web-1..%d (%d)", n[0], n[0])
			if !strings.Contains(s, want) || !strings.Contains(s, "▸ web-7 ✖ down") || !strings.Contains(s, "ejected") {
				t.Errorf("%v with %v servers: the map does not fold to %q with the selection:\n%s", size, n, want, s)
			}
		}
	}
}

// panicky is a panel whose View panics.
type panicky struct{ *RoutingPanel }

func (panicky) View() string { panic("boom") }

func TestPanelPanicIsShownNotFatal(t *testing.T) {
	m := resized(newFixtureModel(t, newFakeSource()), 160, 48)
	m.dash.panels[0] = panicky{m.dash.panels[0].(*RoutingPanel)}
	s := ansi.Strip(m.View())
	if !strings.Contains(s, "render error") || !strings.Contains(s, "this panel failed to draw: boom") || !strings.Contains(s, "Latency") {
		t.Fatalf("a panicking panel took the screen down:\n%s", s)
	}
}
