package tui

import (
	"fmt"
	"io"
	"sync"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/muesli/termenv"

	"github.com/scalelab/scalelab/components/crash"
)

// Options for Run.
type Options struct {
	In      io.Reader
	Out     io.Writer
	NoColor bool

	// Crash is the scope of the labs this program shows: a panic on one of
	// their goroutines ends this program. nil: the process's handler.
	Crash *crash.Scope

	Presenter bool     // open in the presenter layout
	Panels    []string // its panels (ParsePresenterPanels); nil: DefaultPresenterPanels
}

// Run shows the dashboard for src until the user quits. The terminal is
// restored on every exit (see runProgram).
func Run(src Source, opt Options) (err error) {
	if opt.NoColor {
		lipgloss.SetColorProfile(termenv.Ascii)
	}
	m := New(src, &Common{Styles: NewStyles(opt.NoColor), Keys: DefaultKeyMap()})
	m.SetPresenter(opt.Presenter, opt.Panels)
	defer m.Stop()
	_, err = runProgram(m, "dashboard", opt)
	return err
}

// runProgram runs model full-screen until it quits and returns its final
// model. The terminal is restored on every exit: Bubble Tea restores it
// when Update or View panic; a panic anywhere else on this goroutine is
// recovered after the program has shut down; and a panic on one of the
// lab's goroutines (those started with crash.Go) kills the program, which
// restores the terminal before Run returns. Each of the last two comes
// back as an error naming what crashed, with the goroutine's stack.
func runProgram(model tea.Model, name string, opt Options) (final tea.Model, err error) {
	p := tea.NewProgram(model, tea.WithAltScreen(), tea.WithInput(opt.In), tea.WithOutput(opt.Out))
	var mu sync.Mutex
	var crashed error
	restore := opt.Crash.Handle(func(v any, stack []byte) {
		mu.Lock()
		if crashed == nil {
			crashed = fmt.Errorf("%s crashed: a lab goroutine panicked: %v\n\n%s", name, v, stack)
		}
		mu.Unlock()
		p.Kill()
	})
	defer restore()
	defer func() {
		if r := recover(); r != nil {
			p.Kill()
			_ = p.ReleaseTerminal()
			err = fmt.Errorf("%s crashed: %v", name, r)
		}
	}()
	final, err = p.Run()
	mu.Lock()
	defer mu.Unlock()
	if crashed != nil {
		return final, crashed
	}
	return final, err
}
