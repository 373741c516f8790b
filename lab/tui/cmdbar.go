package tui

import (
	"fmt"
	"strings"

	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/bubbles/textinput"
	tea "github.com/charmbracelet/bubbletea"

	"github.com/scalelab/scalelab/lab"
)

// CommandBar is the `:` prompt: it reads one line of the command language,
// completes it from the command table and the live topology, keeps a
// history, and checks the line before it runs, showing the parser's
// precise error inline.
type CommandBar struct {
	common  *Common
	input   textinput.Model
	active  bool
	err     string
	history []string
	pos     int // index into history while browsing; len(history) when not
	w       int
	names   string // the topology's server names the completions were made for
}

// runLineMsg asks the root to run a line typed in the bar.
type runLineMsg struct{ line string }

// NewCommandBar builds the bar.
func NewCommandBar(c *Common) CommandBar {
	in := textinput.New()
	in.Prompt = ":"
	in.PromptStyle = c.Styles.CmdPrompt
	in.ShowSuggestions = true
	in.CharLimit = 512
	return CommandBar{common: c, input: in}
}

// Active reports whether the bar has the keyboard.
func (b *CommandBar) Active() bool { return b.active }

// Open gives the bar the keyboard.
func (b *CommandBar) Open() tea.Cmd {
	b.active, b.err = true, ""
	b.input.SetValue("")
	b.pos = len(b.history)
	return b.input.Focus()
}

func (b *CommandBar) close() {
	b.active = false
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
	names := strings.Join(t.Webs, ",") + ";" + strings.Join(t.DBs, ",") + ";" + fmt.Sprint(t.Payments)
	if names == b.names {
		return
	}
	b.names = names
	b.input.SetSuggestions(Completions(t))
}

// Completions lists lines the bar can complete to: every command's example
// and the completions its declaration generates, with the servers, shards
// and breakers the lab has now. Nothing here knows a command: a new one
// completes for free.
func Completions(t lab.Topology) []string {
	names := func(target string) []string {
		switch target {
		case lab.TargetServer:
			out := append(append([]string(nil), t.Webs...), t.DBs...)
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

// Update handles keys while the bar is active.
func (b CommandBar) Update(msg tea.Msg) (CommandBar, tea.Cmd) {
	k, ok := msg.(tea.KeyMsg)
	if !ok {
		var cmd tea.Cmd
		b.input, cmd = b.input.Update(msg)
		return b, cmd
	}
	switch {
	case key.Matches(k, b.common.Keys.Cancel):
		b.close()
		return b, nil
	case k.Type == tea.KeyEnter:
		line := strings.TrimSpace(b.input.Value())
		if line == "" {
			b.close()
			return b, nil
		}
		if _, err := lab.Parse(line); err != nil {
			b.err = err.Error() // stay open so the line can be fixed
			return b, nil
		}
		b.history = append(b.history, line)
		b.close()
		return b, func() tea.Msg { return runLineMsg{line} }
	case k.Type == tea.KeyUp:
		if b.pos > 0 {
			b.pos--
			b.input.SetValue(b.history[b.pos])
			b.input.CursorEnd()
		}
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
		return b, nil
	}
	var cmd tea.Cmd
	b.input, cmd = b.input.Update(msg)
	b.err = ""
	return b, cmd
}

// View renders the bar and, under it, the parse error or the usage of the
// command being typed: two lines.
func (b CommandBar) View() string {
	s := b.common.Styles
	second := ""
	switch {
	case b.err != "":
		second = s.Err.Render("✖ " + b.err)
	default:
		if f := strings.Fields(b.input.Value()); len(f) > 0 {
			if spec := lab.LookupSpec(f[0]); spec != nil {
				second = s.Dim.Render(spec.Usage() + " — " + spec.Summary)
			}
		}
		if second == "" {
			second = s.Dim.Render("tab completes · ↑/↓ history · enter runs · esc closes")
		}
	}
	return truncate(b.input.View(), b.w) + "\n" + truncate(second, b.w)
}
