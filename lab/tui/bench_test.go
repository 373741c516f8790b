package tui

import (
	"testing"

	"github.com/charmbracelet/lipgloss"
	"github.com/muesli/termenv"
)

// BenchmarkDashboardView is the cost of one full frame: the header, the map,
// all eight panels at 160×48 and the footer, from a model that has had a
// view per lab second for fixtureSeconds seconds (so every chart has
// history). The budget is 2 ms a frame: at 10 Hz that is 2% of a core.
//
// "ascii" is what tests and NO_COLOR users see; "truecolor" adds the escape
// codes a colour terminal gets.
func BenchmarkDashboardView(b *testing.B) {
	for _, bc := range []struct {
		name    string
		profile termenv.Profile
		noColor bool
	}{
		{"ascii", termenv.Ascii, true},
		{"truecolor", termenv.TrueColor, false},
	} {
		b.Run(bc.name, func(b *testing.B) {
			defer lipgloss.SetColorProfile(lipgloss.ColorProfile())
			lipgloss.SetColorProfile(bc.profile)
			lipgloss.SetHasDarkBackground(true) // no terminal query

			src := newFakeSource()
			src.SetView(fixtureView(1))
			m := New(src, &Common{Styles: NewStyles(bc.noColor), Keys: DefaultKeyMap()})
			defer m.Stop()
			m = resized(m, 160, 48)
			for sec := 2; sec <= fixtureSeconds; sec++ {
				m = applyView(m, fixtureView(sec))
			}
			if got := lipgloss.Height(m.View()); got != 48 {
				b.Fatalf("view is %d lines, want 48", got)
			}
			b.ReportAllocs()
			b.ResetTimer()
			for b.Loop() {
				_ = m.View()
			}
		})
	}
}
