package tui

import (
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/ansi"

	"github.com/scalelab/scalelab/lab"
	"github.com/scalelab/scalelab/lab/talk"
)

// await runs cmd (and the Cmds of batches it returns) until one yields a
// message of type M, and returns it; it fails after a few seconds.
func await[M tea.Msg](t *testing.T, cmd tea.Cmd) M {
	t.Helper()
	found := make(chan M, 1)
	var run func(tea.Cmd)
	run = func(c tea.Cmd) {
		if c == nil {
			return
		}
		go func() {
			switch msg := c().(type) {
			case tea.BatchMsg:
				for _, c := range msg {
					run(c)
				}
			case M:
				select {
				case found <- msg:
				default:
				}
			}
		}()
	}
	run(cmd)
	select {
	case m := <-found:
		return m
	case <-time.After(10 * time.Second):
		var zero M
		t.Fatalf("no %T in 10s", zero)
		return zero
	}
}

// The presenter's keys: n runs the next step line by line (its wait in
// lab time), the header says which step is next, and p builds a new lab
// brought back to where the last step began.
func TestTalkViewStepsAndGoesBack(t *testing.T) {
	tk, err := talk.Parse("t.lab", strings.NewReader("# A talk\n\nload 100/s\nwait 1s\n\nkill web-2\n\nrevive web-2\n"))
	if err != nil {
		t.Fatal(err)
	}
	newLab := func() (*lab.Lab, error) { return lab.New(lab.Config{Speed: 20}) }
	l, _ := newLab()
	m := NewTalkView(tk, l, newLab, fixtureCommon())
	defer func() { m.dash.Stop(); m.labs.stopAll() }()
	next, _ := m.Update(tea.WindowSizeMsg{Width: 100, Height: 30})
	m = next.(TalkView)
	if h := ansi.Strip(m.dash.Header()); !strings.Contains(h, "step 1/3 next") {
		t.Fatalf("header %q, want step 1/3 next", h)
	}
	var cmd tea.Cmd
	m, cmd = m.handleKey(keyMsg("n"))
	if !strings.Contains(ansi.Strip(m.dash.Header()), "▶ step 1/3") || !strings.Contains(ansi.Strip(m.View()), "running step 1/3") {
		t.Fatalf("while step 1 runs: %q", ansi.Strip(m.dash.Header()))
	}
	for m.running != nil {
		next, c := m.Update(await[talkLineMsg](t, cmd))
		m, cmd = next.(TalkView), c
	}
	if got := m.lab.Since(); got < time.Second {
		t.Errorf("step 1's wait 1s ended at lab time %v", got)
	}
	m, cmd = m.handleKey(keyMsg("n"))
	for m.running != nil {
		next, c := m.Update(await[talkLineMsg](t, cmd))
		m, cmd = next.(TalkView), c
	}
	if v, _ := m.lab.Value("backend.health{backend=web-2}"); v == 0 {
		t.Fatal("step 2 did not kill web-2")
	}
	if m.stepper.Done() != 2 || !strings.Contains(ansi.Strip(m.dash.Header()), "step 3/3 next") {
		t.Fatalf("after two steps: done %d, header %q", m.stepper.Done(), ansi.Strip(m.dash.Header()))
	}
	old := m.lab
	m, cmd = m.handleKey(keyMsg("p"))
	next, cmd = m.Update(await[talkLabMsg](t, cmd))
	m = next.(TalkView)
	next, _ = m.Update(await[talkRebuiltMsg](t, cmd))
	m = next.(TalkView)
	if m.lab == old || m.rebuilding {
		t.Fatal("p did not bring a new lab")
	}
	if v, _ := m.lab.Value("backend.health{backend=web-2}"); v != 0 {
		t.Error("the rebuilt lab has web-2 down: it was rebuilt past the step undone")
	}
	if s, _ := m.lab.Load(); s.Rate != 100 || m.stepper.Done() != 1 || !strings.Contains(ansi.Strip(m.dash.Header()), "step 2/3 next") {
		t.Errorf("rebuilt: load %v, done %d, header %q", s.Rate, m.stepper.Done(), ansi.Strip(m.dash.Header()))
	}
}
