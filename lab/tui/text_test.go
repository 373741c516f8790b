package tui

import (
	"strings"
	"testing"

	"github.com/charmbracelet/x/ansi"
)

func TestHangWrap(t *testing.T) {
	const red = "\x1b[31m"
	for _, tc := range []struct {
		line   string
		w      int
		indent int
		want   []string // stripped
	}{
		{"short", 10, 2, []string{"short"}},
		{"t=  1.0s  state    web-2 healthy → ejected (probes)", 24, 10,
			[]string{"t=  1.0s  state    web-2", "          healthy →", "          ejected", "          (probes)"}},
		{"abcdefghijklmnopqrstuvwxyz", 20, 4, []string{"abcdefghijklmnopqrst", "    uvwxyz"}}, // no space: cut
		{"too narrow to wrap", 9, 4, []string{"too narrow to wrap"}},
	} {
		got := hangWrap(tc.line, tc.w, tc.indent)
		plain := make([]string, len(got))
		for i, g := range got {
			plain[i] = ansi.Strip(g)
			if i > 0 && ansi.StringWidth(g) > tc.w {
				t.Errorf("hangWrap(%q, %d): piece %q is wider than %d", tc.line, tc.w, plain[i], tc.w)
			}
		}
		if strings.Join(plain, "|") != strings.Join(tc.want, "|") {
			t.Errorf("hangWrap(%q, %d, %d) = %q, want %q", tc.line, tc.w, tc.indent, plain, tc.want)
		}
	}
	// A colour that spans a break is closed at the end of each piece and
	// open at the start of the next.
	got := hangWrap(red+"one two three four five"+ansi.ResetStyle, 12, 2)
	if len(got) < 2 {
		t.Fatalf("no wrap: %q", got)
	}
	for i, g := range got {
		if !strings.Contains(g, red) || !strings.HasSuffix(g, ansi.ResetStyle) {
			t.Errorf("piece %d %q does not carry its colour and reset it", i, g)
		}
	}
}
