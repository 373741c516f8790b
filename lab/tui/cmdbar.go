package tui

import (
	"cmp"
	"fmt"
	"slices"
	"strings"

	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/bubbles/textinput"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"

	"github.com/scalelab/scalelab/lab"
)

// CommandBar is the `:` prompt: it reads one line of the command language,
// completes it from the command table and the live topology, keeps a
// history, and checks the line before it runs, showing the parser's
// precise error inline.
//
// What the input shows is what runs: completions are not drawn as ghost
// text after the cursor but listed under it, and tab puts one in the line.
// A line that fails, to parse or to apply (kill nosuch), keeps the bar
// open with the error, so it can be fixed; every line entered goes to the
// history, failed ones too.
type CommandBar struct {
	common      *Common
	input       textinput.Model
	active      bool
	err         string
	history     []string
	pos         int // index into history while browsing; len(history) when not
	w           int
	names       string   // the topology's server names the completions were made for
	completions []string // every line the bar completes to
	cycle       []string // the matches tab is cycling through, or nil
	at          int      // the match in the line while cycling
	pending     string   // a line sent to run whose outcome keeps the bar open or closes it
}

// runLineMsg asks the root to run a line typed in the bar.
type runLineMsg struct{ line string }

// NewCommandBar builds the bar.
func NewCommandBar(c *Common) CommandBar {
	in := textinput.New()
	in.Prompt = ":"
	in.PromptStyle = c.Styles.CmdPrompt
	in.CharLimit = 512
	return CommandBar{common: c, input: in}
}

// Active reports whether the bar has the keyboard.
func (b *CommandBar) Active() bool { return b.active }

// Open gives the bar the keyboard.
func (b *CommandBar) Open() tea.Cmd {
	b.active, b.err, b.pending, b.cycle = true, "", "", nil
	b.input.SetValue("")
	b.pos = len(b.history)
	return b.input.Focus()
}

func (b *CommandBar) close() {
	b.active, b.pending, b.cycle = false, "", nil
	b.input.Blur()
}

// SetWidth sets the bar's width.
func (b *CommandBar) SetWidth(w int) {
	b.w = w
	b.input.Width = max(w-4, 10)
}

// SetTopology refreshes completions for the servers the lab has now (only
// when they changed: it is called on every tick).
func (b *CommandBar) SetTopology(t lab.Topology) {
	names := strings.Join(t.Webs, ",") + ";" + strings.Join(t.DBs, ",") + ";" + strings.Join(t.DBServers, ",") + ";" + fmt.Sprint(t.Payments)
	if names == b.names {
		return
	}
	b.names = names
	b.completions = Completions(t)
}

// matches lists the completions that extend prefix, each once, shortest
// first and then in order (so web-2 comes before web-10).
func (b *CommandBar) matches(prefix string) []string {
	if strings.TrimSpace(prefix) == "" {
		return nil
	}
	var out []string
	seen := map[string]bool{}
	for _, c := range b.completions {
		if len(c) > len(prefix) && strings.HasPrefix(c, prefix) && !seen[c] {
			seen[c] = true
			out = append(out, c)
		}
	}
	slices.SortFunc(out, func(a, b string) int { return cmp.Or(cmp.Compare(len(a), len(b)), strings.Compare(a, b)) })
	return out
}

// complete puts the next (or, back, the previous) match in the line: the
// first tab lists the matches of what is typed and takes the first, each
// further tab the next, round to the start.
func (b *CommandBar) complete(back bool) {
	if b.cycle == nil || b.input.Value() != b.cycle[b.at] {
		b.cycle = b.matches(b.input.Value())
		if len(b.cycle) == 0 {
			b.cycle = nil
			return
		}
		b.at = 0
		if back {
			b.at = len(b.cycle) - 1
		}
	} else if back {
		b.at = (b.at + len(b.cycle) - 1) % len(b.cycle)
	} else {
		b.at = (b.at + 1) % len(b.cycle)
	}
	b.input.SetValue(b.cycle[b.at])
	b.input.CursorEnd()
}

// Completions lists lines the bar can complete to: every command's example
// and the completions its declaration generates, with the servers, shards
// and breakers the lab has now. Nothing here knows a command: a new one
// completes for free.
func Completions(t lab.Topology) []string {
	names := func(target string) []string {
		switch target {
		case lab.TargetServer:
			out := append(append([]string(nil), t.Webs...), t.DBServers...)
			if t.Payments {
				out = append(out, "payments")
			}
			return out
		case lab.TargetShard:
			return t.DBs
		case lab.TargetBreaker:
			if t.Payments {
				return []string{"payments"}
			}
		}
		return nil
	}
	var out []string
	for _, s := range lab.Specs() {
		out = append(out, s.Example)
		out = append(out, s.Completions(names)...)
	}
	return out
}

// Update handles keys while the bar is active, and the outcome of the
// line it sent to run.
func (b CommandBar) Update(msg tea.Msg) (CommandBar, tea.Cmd) {
	if done, ok := msg.(execMsg); ok {
		b.ran(done)
		return b, nil
	}
	k, ok := msg.(tea.KeyMsg)
	if !ok {
		var cmd tea.Cmd
		b.input, cmd = b.input.Update(msg)
		return b, cmd
	}
	if b.pending != "" {
		return b, nil // the line is running; it is over in a moment
	}
	switch {
	case key.Matches(k, b.common.Keys.Cancel):
		b.close()
		return b, nil
	case k.Type == tea.KeyTab, k.Type == tea.KeyShiftTab:
		b.complete(k.Type == tea.KeyShiftTab)
		return b, nil
	case k.Type == tea.KeyEnter:
		return b.enter()
	case k.Type == tea.KeyUp:
		if b.pos > 0 {
			b.pos--
			b.input.SetValue(b.history[b.pos])
			b.input.CursorEnd()
		}
		b.err, b.cycle = "", nil
		return b, nil
	case k.Type == tea.KeyDown:
		if b.pos < len(b.history)-1 {
			b.pos++
			b.input.SetValue(b.history[b.pos])
		} else {
			b.pos = len(b.history)
			b.input.SetValue("")
		}
		b.input.CursorEnd()
		b.err, b.cycle = "", nil
		return b, nil
	}
	var cmd tea.Cmd
	b.input, cmd = b.input.Update(msg)
	b.err, b.cycle = "", nil
	return b, cmd
}

// enter runs the line. One that does not parse stays with its error; one
// that blocks (wait, expect … within) closes the bar and runs on; any
// other runs at once, and the bar waits for its outcome (see ran).
func (b CommandBar) enter() (CommandBar, tea.Cmd) {
	line := strings.TrimSpace(b.input.Value())
	b.cycle = nil
	if line == "" {
		b.close()
		return b, nil
	}
	if n := len(b.history); n == 0 || b.history[n-1] != line {
		b.history = append(b.history, line)
	}
	b.pos = len(b.history)
	c, err := lab.Parse(line)
	if err != nil {
		b.err = err.Error()
		return b, nil
	}
	run := func() tea.Msg { return runLineMsg{line} }
	if c == nil || c.Blocking() {
		b.close()
		return b, run
	}
	b.pending = line
	return b, run
}

// ran takes a command's outcome: if it is the line the bar is waiting
// for, the bar closes, or stays open with the error.
func (b *CommandBar) ran(m execMsg) {
	if b.pending == "" || m.line != b.pending || m.source != lab.SourceTyped {
		return
	}
	b.pending = ""
	if m.err != nil {
		b.err = m.err.Error()
		return
	}
	b.close()
}

// View renders the bar and, under it, the error, the matches tab is
// cycling through, or the usage of the command being typed: two lines.
func (b CommandBar) View() string {
	s := b.common.Styles
	var second string
	switch {
	case b.err != "":
		second = s.Err.Render("✖ " + b.err)
	case b.cycle != nil:
		second = b.matchList(b.cycle, b.at)
	default:
		line := b.input.Value()
		if f := strings.Fields(line); len(f) > 0 {
			m := b.matches(line)
			if spec := lab.LookupSpec(f[0]); spec != nil {
				second = spec.Usage() + " — " + spec.Summary
				if len(m) > 0 {
					second = fmt.Sprintf("tab: %d matches · %s", len(m), second)
				}
				second = s.Dim.Render(second)
			} else if len(m) > 0 {
				second = b.matchList(m, -1)
			}
		}
		if second == "" {
			second = s.Dim.Render("tab completes · ↑/↓ history · enter runs · esc closes")
		}
	}
	return truncate(b.input.View(), b.w) + "\n" + truncate(second, b.w)
}

// matchList shows matches on one line, the one at cur (if any) marked,
// as many as fit from the one before it.
func (b CommandBar) matchList(m []string, cur int) string {
	s := b.common.Styles
	from := max(cur-1, 0)
	parts := []string{s.Dim.Render(fmt.Sprintf("tab %d/%d:", cur+1, len(m)))}
	if cur < 0 {
		parts[0] = s.Dim.Render(fmt.Sprintf("tab: %d matches:", len(m)))
	}
	width := lipgloss.Width(parts[0])
	for i := from; i < len(m); i++ {
		item := s.Dim.Render(m[i])
		if i == cur {
			item = s.CmdPrompt.Render(m[i])
		}
		if width+1+lipgloss.Width(item) > b.w-2 && i > from {
			parts = append(parts, s.Dim.Render("…"))
			break
		}
		parts = append(parts, item)
		width += 1 + lipgloss.Width(item)
	}
	return strings.Join(parts, " ")
}
