package session

// Recording the TUI: a tee on the program's output writer that passes every
// byte to the terminal and hands a copy, stamped with wall time, to the log.
// The tee must still look like the terminal to Bubble Tea, which asks its
// output for a file descriptor (charmbracelet/x/term.File) before it reads
// the window size or listens for resizes: an output that is only an
// io.Writer gets no tea.WindowSizeMsg, and a dashboard waiting for its size
// draws nothing.

import (
	"io"
	"sync"
	"time"
	"unicode/utf8"
)

// NewFrameTee returns a writer that writes through to w and, after each
// Write, calls emit with a Frame holding the bytes written and the wall
// seconds since NewFrameTee was called. A multi-byte UTF-8 character split
// across two writes is held back and emitted whole with the next write, so
// every frame is valid text. Safe for concurrent use; emit is called with
// the tee's lock held, in write order, so it must not write to the tee.
//
// When w is a file (an *os.File such as os.Stdout: it has Fd, Read and
// Close), so is the tee: Fd, Read and Close are w's own, and only Write is
// teed. A program given the tee as its output then finds the terminal
// behind it exactly as it would find w.
func NewFrameTee(w io.Writer, emit func(Frame)) io.Writer {
	t := newFrameTee(w, emit, time.Now)
	if f, ok := w.(terminalFile); ok {
		return fileTee{f, t}
	}
	return t
}

// terminalFile is what Bubble Tea requires of an output before it treats
// it as a terminal: charmbracelet/x/term.File, which *os.File satisfies.
type terminalFile interface {
	io.ReadWriteCloser
	Fd() uintptr
}

// fileTee is a file whose writes go through a frameTee.
type fileTee struct {
	terminalFile
	tee *frameTee
}

func (t fileTee) Write(p []byte) (int, error) { return t.tee.Write(p) }

func newFrameTee(w io.Writer, emit func(Frame), now func() time.Time) *frameTee {
	return &frameTee{w: w, emit: emit, now: now, start: now()}
}

type frameTee struct {
	w     io.Writer
	emit  func(Frame)
	now   func() time.Time
	start time.Time

	mu      sync.Mutex
	pending []byte // the start of a UTF-8 character cut off by the last write
}

func (t *frameTee) Write(p []byte) (int, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	n, err := t.w.Write(p)
	data := append(t.pending, p[:n]...)
	t.pending = nil
	if cut := incompleteTail(data); cut > 0 {
		t.pending = append([]byte(nil), data[len(data)-cut:]...)
		data = data[:len(data)-cut]
	}
	if len(data) > 0 {
		t.emit(Frame{Kind: KindFrame, W: t.now().Sub(t.start).Seconds(), Data: string(data)})
	}
	return n, err
}

// incompleteTail returns how many bytes at the end of b begin a UTF-8
// character that is not complete yet (0 if none).
func incompleteTail(b []byte) int {
	for i := 1; i < utf8.UTFMax && i <= len(b); i++ {
		c := b[len(b)-i]
		if c < utf8.RuneSelf {
			return 0 // ASCII: nothing pending
		}
		if utf8.RuneStart(c) {
			if !utf8.FullRune(b[len(b)-i:]) {
				return i
			}
			return 0
		}
	}
	return 0
}
