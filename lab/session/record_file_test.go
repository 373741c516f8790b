package session

import (
	"bytes"
	"io"
	"os"
	"testing"
)

// TestFrameTeeKeepsTheFile: Bubble Tea finds the terminal behind its output
// only if the output has a file descriptor, so a tee on a file must still be
// that file (same Fd) while its writes are teed; a tee on a plain writer
// must not pretend to be one.
func TestFrameTeeKeepsTheFile(t *testing.T) {
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	var frames []Frame
	tee := NewFrameTee(w, func(f Frame) { frames = append(frames, f) })
	f, ok := tee.(interface {
		io.ReadWriteCloser
		Fd() uintptr
	})
	if !ok {
		t.Fatalf("a tee on %T is a %T, without Fd, Read and Close: Bubble Tea would not see the terminal", w, tee)
	}
	if f.Fd() != w.Fd() {
		t.Errorf("tee Fd %d, file Fd %d", f.Fd(), w.Fd())
	}
	if _, err := io.WriteString(tee, "frame █"); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil { // closes the file itself
		t.Fatal(err)
	}
	got, _ := io.ReadAll(r)
	if string(got) != "frame █" || len(frames) != 1 || frames[0].Data != "frame █" {
		t.Errorf("the file got %q and the log %+v; want the write in both", got, frames)
	}

	if _, ok := NewFrameTee(&bytes.Buffer{}, func(Frame) {}).(interface{ Fd() uintptr }); ok {
		t.Error("a tee on a bytes.Buffer has an Fd")
	}
}
