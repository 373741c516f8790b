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

	// Renderer renders the styles for the terminal drawn on, when it is
	// not the process's (an SSH session's, from wish's MakeRenderer); nil:
	// the process's terminal.
	Renderer *lipgloss.Renderer
	// ProgramOptions replace In and Out when set (an SSH session's input
	// and output).
	ProgramOptions []tea.ProgramOption

	// Crash is the scope of the labs this program shows: a panic on one of
	// their goroutines ends this program. nil: the process's handler.
	Crash *crash.Scope

	Presenter bool     // open in the presenter layout
	Panels    []string // its panels (ParsePresenterPanels); nil: DefaultPresenterPanels

	// Started, if set, is called once the dashboard listens to the lab's
	// events, before it draws: an event published from it shows in the
	// events panel.
	Started func()
}

// Run shows the dashboard for src until the user quits. The terminal is
// restored on every exit (see runProgram).
func Run(src Source, opt Options) (err error) {
	if opt.NoColor {
		lipgloss.SetColorProfile(termenv.Ascii)
	}
	m := New(src, &Common{Styles: opt.styles(), Keys: DefaultKeyMap()})
	m.SetPresenter(opt.Presenter, opt.Panels)
	defer m.Stop()
	if opt.Started != nil {
		opt.Started()
	}
	_, err = runProgram(m, "dashboard", opt)
	return err
}

// styles is the style sheet for the terminal drawn on.
func (opt Options) styles() *Styles {
	if opt.Renderer != nil {
		return NewStylesFor(opt.Renderer, opt.NoColor)
	}
	return NewStyles(opt.NoColor)
}

// program makes the full-screen program for model on the terminal opt
// names.
func (opt Options) program(model tea.Model) *tea.Program {
	io := []tea.ProgramOption{tea.WithInput(opt.In), tea.WithOutput(opt.Out)}
	if opt.ProgramOptions != nil {
		io = opt.ProgramOptions
	}
	return tea.NewProgram(model, append([]tea.ProgramOption{tea.WithAltScreen()}, io...)...)
}

// Program is a screen made to run on a terminal that is not the process's
// (an SSH session), by a runner that calls Run itself (wish's bubbletea
// middleware). Call Finish once it has ended: it stops every lab the
// screen started and saves what is left to save.
type Program struct {
	*tea.Program
	finish func() error
}

// Finish ends what the program leaves behind once it has stopped.
func (p *Program) Finish() error { return p.finish() }

// newProgram makes model's program; a panic on a goroutine of opt.Crash
// kills it (the runner then returns), and Finish calls done.
func newProgram(model tea.Model, opt Options, done func() error) *Program {
	p := opt.program(model)
	restore := opt.Crash.Handle(func(any, []byte) { p.Kill() })
	return &Program{Program: p, finish: func() error { restore(); return done() }}
}

// runProgram runs model full-screen until it quits and returns its final
// model. The terminal is restored on every exit: Bubble Tea restores it
// when Update or View panic; a panic anywhere else on this goroutine is
// recovered after the program has shut down; and a panic on one of the
// lab's goroutines (those started with crash.Go) kills the program, which
// restores the terminal before Run returns. Each of the last two comes
// back as an error naming what crashed, with the goroutine's stack.
func runProgram(model tea.Model, name string, opt Options) (final tea.Model, err error) {
	p := opt.program(model)
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
