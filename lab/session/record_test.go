package session

import (
	"bytes"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf8"
)

// fakeClock returns times a quarter second apart.
func fakeClock() func() time.Time {
	t := time.Date(2025, 3, 1, 10, 0, 0, 0, time.UTC)
	return func() time.Time {
		now := t
		t = t.Add(250 * time.Millisecond)
		return now
	}
}

func TestFrameTee(t *testing.T) {
	var term bytes.Buffer
	var frames []Frame
	tee := newFrameTee(&term, func(f Frame) { frames = append(frames, f) }, fakeClock())
	bar := []byte("█") // 3 bytes
	writes := [][]byte{
		[]byte("\x1b[2Jhello"),
		append([]byte("cache "), bar[:1]...), // cut inside █
		append(bar[1:], '\n'),
		[]byte("\x1b[?25h"),
	}
	for _, p := range writes {
		if n, err := tee.Write(p); n != len(p) || err != nil {
			t.Fatalf("Write(%q) = %d, %v", p, n, err)
		}
	}
	if term.String() != "\x1b[2Jhellocache █\n\x1b[?25h" {
		t.Errorf("terminal got %q", term.String())
	}
	want := []Frame{
		{Kind: KindFrame, W: 0.25, Data: "\x1b[2Jhello"},
		{Kind: KindFrame, W: 0.5, Data: "cache "},
		{Kind: KindFrame, W: 0.75, Data: "█\n"},
		{Kind: KindFrame, W: 1, Data: "\x1b[?25h"},
	}
	if len(frames) != len(want) {
		t.Fatalf("frames = %+v, want %+v", frames, want)
	}
	for i := range want {
		if frames[i] != want[i] {
			t.Errorf("frame %d = %+v, want %+v", i, frames[i], want[i])
		}
	}
}

// shortWriter accepts at most n bytes per write.
type shortWriter struct{ n int }

func (w shortWriter) Write(p []byte) (int, error) {
	if len(p) > w.n {
		return w.n, errors.New("short write")
	}
	return len(p), nil
}

func TestFrameTeeShortWrite(t *testing.T) {
	var frames []Frame
	tee := NewFrameTee(shortWriter{3}, func(f Frame) { frames = append(frames, f) })
	n, err := tee.Write([]byte("abcdef"))
	if n != 3 || err == nil {
		t.Errorf("Write = %d, %v; want 3 and the terminal's error", n, err)
	}
	if len(frames) != 1 || frames[0].Data != "abc" {
		t.Errorf("frames = %+v, want only the bytes the terminal took", frames)
	}
}

func TestFrameTeeConcurrent(t *testing.T) {
	var term bytes.Buffer
	var frames []Frame
	tee := NewFrameTee(&term, func(f Frame) { frames = append(frames, f) })
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for range 50 {
				if _, err := tee.Write([]byte("é frame\n")); err != nil {
					t.Error(err)
				}
			}
		})
	}
	wg.Wait()
	var all strings.Builder
	for i, f := range frames {
		if i > 0 && f.W < frames[i-1].W {
			t.Errorf("frame %d at %v before frame %d at %v", i, f.W, i-1, frames[i-1].W)
		}
		if !utf8.ValidString(f.Data) {
			t.Errorf("frame %d is not valid UTF-8: %q", i, f.Data)
		}
		all.WriteString(f.Data)
	}
	if all.String() != term.String() || len(frames) != 400 {
		t.Errorf("%d frames holding %d bytes; terminal got %d bytes", len(frames), all.Len(), term.Len())
	}
}
