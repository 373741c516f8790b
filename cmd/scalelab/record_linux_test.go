package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
	"unsafe"

	tea "github.com/charmbracelet/bubbletea"
)

// openPTY opens a pseudo-terminal pair: the test holds the master side,
// the program under test writes to the slave, a terminal like any other.
func openPTY(t *testing.T) (master, slave *os.File) {
	t.Helper()
	master, err := os.OpenFile("/dev/ptmx", os.O_RDWR|syscall.O_NOCTTY, 0)
	if err != nil {
		t.Skipf("no pseudo-terminal: %v", err)
	}
	t.Cleanup(func() { master.Close() })
	var unlock int32
	if err := ioctl(master, syscall.TIOCSPTLCK, unsafe.Pointer(&unlock)); err != nil {
		t.Fatalf("unlockpt: %v", err)
	}
	var n uint32
	if err := ioctl(master, syscall.TIOCGPTN, unsafe.Pointer(&n)); err != nil {
		t.Fatalf("ptsname: %v", err)
	}
	slave, err = os.OpenFile(fmt.Sprintf("/dev/pts/%d", n), os.O_RDWR|syscall.O_NOCTTY, 0)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { slave.Close() })
	go func() { _, _ = io.Copy(io.Discard, master) }() // a full terminal would block the program
	return master, slave
}

// setSize sets the terminal's window size, as a terminal emulator does
// when its window is resized.
func setSize(t *testing.T, tty *os.File, cols, rows int) {
	t.Helper()
	ws := struct{ rows, cols, x, y uint16 }{uint16(rows), uint16(cols), 0, 0}
	if err := ioctl(tty, syscall.TIOCSWINSZ, unsafe.Pointer(&ws)); err != nil {
		t.Fatalf("set window size: %v", err)
	}
}

func ioctl(f *os.File, req uintptr, arg unsafe.Pointer) error {
	if _, _, e := syscall.Syscall(syscall.SYS_IOCTL, f.Fd(), req, uintptr(arg)); e != 0 {
		return e
	}
	return nil
}

// sizeProbe is a model that reports every window size it is given and
// shows the last one.
type sizeProbe struct {
	sizes chan<- tea.WindowSizeMsg
	w, h  int
}

func (m sizeProbe) Init() tea.Cmd { return nil }

func (m sizeProbe) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	if msg, ok := msg.(tea.WindowSizeMsg); ok {
		m.w, m.h = msg.Width, msg.Height
		select {
		case m.sizes <- msg:
		default: // a repeated size the test no longer waits for
		}
	}
	return m, nil
}

func (m sizeProbe) View() string { return fmt.Sprintf("probe %dx%d", m.w, m.h) }

// TestRecordedProgramSeesTheTerminal runs a Bubble Tea program on the
// output --record gives it, on a real (pseudo-)terminal: the program must
// learn the terminal's size, and its resizes, as it does without --record
// (Bubble Tea asks only a term.File output for them), and the frames it
// draws must reach the log.
func TestRecordedProgramSeesTheTerminal(t *testing.T) {
	master, tty := openPTY(t)
	setSize(t, master, 100, 30)
	file := filepath.Join(t.TempDir(), "rec.jsonl")
	sl := &sessionLogs{flags: &logFlags{file: file, record: true}, mode: "tui", tui: true, errOut: io.Discard}
	out := sl.output(tty)
	l := newTestLab(t)
	sl.start(l, nil)

	sizes := make(chan tea.WindowSizeMsg, 4)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	p := tea.NewProgram(sizeProbe{sizes: sizes}, tea.WithInput(nil), tea.WithOutput(out), tea.WithContext(ctx))
	done := make(chan error, 1)
	go func() { _, err := p.Run(); done <- err }()
	// waitSize waits for the program to be told cols×rows, calling nudge
	// (if any) every tick until it is.
	waitSize := func(cols, rows int, nudge func()) {
		t.Helper()
		tick := time.NewTicker(100 * time.Millisecond)
		defer tick.Stop()
		timeout := time.After(5 * time.Second)
		for {
			select {
			case s := <-sizes:
				if s.Width != cols || s.Height != rows {
					t.Fatalf("the program was told %dx%d, want %dx%d", s.Width, s.Height, cols, rows)
				}
				return
			case err := <-done:
				t.Fatalf("the program ended (%v) without being told the terminal's size", err)
			case <-timeout:
				t.Fatalf("the program was not told the terminal's size (%dx%d) with --record", cols, rows)
			case <-tick.C:
				if nudge != nil {
					nudge()
				}
			}
		}
	}
	waitSize(100, 30, nil)
	setSize(t, master, 120, 40)
	// The kernel signals only the terminal's own processes, so the test
	// sends SIGWINCH itself, again until the program has started listening.
	winch := func() { _ = syscall.Kill(os.Getpid(), syscall.SIGWINCH) }
	winch()
	waitSize(120, 40, winch)
	p.Quit()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	l.Stop()
	sl.close()
	if got := frameText(readLogFile(t, file)); !strings.Contains(got, "probe 120x40") {
		t.Errorf("recorded frames %q do not show the resized view", got)
	}
}
