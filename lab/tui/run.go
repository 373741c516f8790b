package tui

import (
	"fmt"
	"io"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/muesli/termenv"
)

// Options for Run.
type Options struct {
	In      io.Reader
	Out     io.Writer
	NoColor bool
}

// Run shows the dashboard for src until the user quits. The terminal is
// restored on every exit: Bubble Tea restores it when Update or View panic,
// and a panic anywhere else on this goroutine is recovered here after the
// program has shut down, and returned as an error.
func Run(src Source, opt Options) (err error) {
	if opt.NoColor {
		lipgloss.SetColorProfile(termenv.Ascii)
	}
	m := New(src, &Common{Styles: NewStyles(opt.NoColor), Keys: DefaultKeyMap()})
	defer m.Stop()
	p := tea.NewProgram(m, tea.WithAltScreen(), tea.WithInput(opt.In), tea.WithOutput(opt.Out))
	defer func() {
		if r := recover(); r != nil {
			p.Kill()
			_ = p.ReleaseTerminal()
			err = fmt.Errorf("dashboard crashed: %v", r)
		}
	}()
	_, err = p.Run()
	return err
}
