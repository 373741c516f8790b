package tui

import (
	"bytes"
	"io"
	"strings"
	"testing"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/scalelab/scalelab/components/crash"
)

// idle is a model that waits for ever; only a kill ends it.
type idle struct{ started chan<- struct{} }

func (m idle) Init() tea.Cmd {
	return func() tea.Msg { close(m.started); return nil }
}
func (m idle) Update(tea.Msg) (tea.Model, tea.Cmd) { return m, nil }
func (m idle) View() string                        { return "idle" }

func TestLabGoroutinePanicEndsTheProgram(t *testing.T) {
	in, keys := io.Pipe() // sends no key
	defer keys.Close()    // ends the program's read loop, which a kill leaves waiting
	var out bytes.Buffer
	started := make(chan struct{})
	errc := make(chan error, 1)
	go func() {
		_, err := runProgram(idle{started}, "dashboard", Options{In: in, Out: &out})
		errc <- err
	}()
	<-started
	crash.Go(func() { panic("lost a lock") })
	err := <-errc
	if err == nil || !strings.Contains(err.Error(), "dashboard crashed") ||
		!strings.Contains(err.Error(), "lost a lock") || !strings.Contains(err.Error(), "run_test.go") {
		t.Fatalf("runProgram returned %v, want the panic with its stack", err)
	}
	// The alternate screen was left: the terminal is usable again.
	if !strings.Contains(out.String(), "\x1b[?1049l") {
		t.Errorf("the program did not leave the alternate screen: %q", out.String())
	}
	// The handler went with the program.
	defer func() {
		if recover() == nil {
			t.Error("a panic after the program ended was still caught")
		}
	}()
	func() {
		defer crash.Recover()
		panic("after")
	}()
}
