package tui

import (
	"strings"
	"testing"

	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/ansi"
	"github.com/muesli/termenv"
)

// Prose wraps at spaces, never inside a name like db-1, and never leaves a
// lone word on a line where a styled span met the edge.
func TestProseWrapsAtSpaces(t *testing.T) {
	md := "db-1 does about six times the work of db-2: add load and db-1 fills up\nwhile db-2 idles. Change the shard strategy so that the reads spread over\nboth shards. The goal: **db-2 serves more than 35 reads a second and db-1\nfewer than 100**, with the same load.\n\n- a list item that is long enough to wrap around the width of sixty columns here\n\n```\ncode line\nsecond line\n```\n"
	for _, profile := range []termenv.Profile{termenv.Ascii, lipgloss.ColorProfile()} { // the second as a terminal reports it (Ascii under test)
		out := newProseRenderer(profile, true).render(proseKey{"x", 0, 60}, md)
		lines := strings.Split(ansi.Strip(out), "\n")
		for i, l := range lines {
			if w := ansi.StringWidth(l); w > 60 {
				t.Errorf("line %d is %d wide: %q", i, w, l)
			}
			if strings.HasSuffix(strings.TrimSpace(l), "db-") || strings.TrimSpace(l) == "more" {
				t.Errorf("bad break at line %d: %q\n%s", i, l, ansi.Strip(out))
			}
		}
		plain := ansi.Strip(out)
		for _, want := range []string{"serves more than 35 reads a second", "  of sixty columns here", "code line\n", "second line"} {
			if !strings.Contains(plain, want) {
				t.Errorf("rendering lacks %q:\n%s", want, plain)
			}
		}
	}
}
