package tui

import (
	"strings"
	"testing"

	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/ansi"

	"github.com/scalelab/scalelab/components/backend"
)

func TestHeaderDropsWholeItemsWhenNarrow(t *testing.T) {
	// At 80 columns the header once ended "· 1": the error share cut
	// after its first digit.
	src := newFakeSource()
	v := fixtureView(fixtureSeconds)
	v.Requests.ErrorRatio = 0.478
	v.Speed = 20
	src.SetView(v)
	for _, w := range []int{160, 100, 80, 60} {
		m := resized(newFixtureModel(t, src), w, 30)
		m = applyView(m, v)
		h := m.dash.Header()
		plain := ansi.Strip(h)
		if lipgloss.Width(h) > w {
			t.Errorf("%d columns: the header is %d wide: %q", w, lipgloss.Width(h), plain)
		}
		if !strings.Contains(plain, "47.8% err") {
			t.Errorf("%d columns: the error share is missing: %q", w, plain)
		}
		last := plain[strings.LastIndex(plain, "│")+len("│"):]
		for _, item := range strings.Split(last, "·") {
			item = strings.TrimSpace(item)
			if !strings.HasPrefix(item, "web ") && !strings.HasPrefix(item, "db ") && !strings.HasPrefix(item, "br") && !strings.HasSuffix(item, "errors") && !strings.HasSuffix(item, "err") {
				t.Errorf("%d columns: a cut item %q in %q", w, item, plain)
			}
		}
	}
}

func TestMapKeepsItsColumnsWhenAServerIsEjected(t *testing.T) {
	// " ejected" after a web server widened its column and shifted the
	// tiers right of it.
	src := newFakeSource()
	m := resized(newFixtureModel(t, src), 100, 30)
	before := strings.Split(ansi.Strip(m.dash.topo.View()), "\n")
	v := fixtureView(fixtureSeconds)
	for i := range v.Servers {
		if v.Servers[i].Name == "web-3" {
			v.Servers[i].Health = backend.Up
			v.Servers[i].Routing.Healthy = false
		}
	}
	m = applyView(m, v)
	after := strings.Split(ansi.Strip(m.dash.topo.View()), "\n")
	col := func(lines []string, word string) int {
		for _, l := range lines {
			if i := strings.Index(l, word); i >= 0 {
				return len([]rune(l[:i]))
			}
		}
		return -1
	}
	for _, word := range []string{"cache", "db-1", "payments"} {
		if b, a := col(before, word), col(after, word); b < 0 || a != b {
			t.Errorf("%s moved from column %d to %d:\n%s", word, b, a, strings.Join(after, "\n"))
		}
	}
	if !strings.Contains(strings.Join(after, "\n"), "web-3 ⊘ out") {
		t.Errorf("the ejected server is not marked out:\n%s", strings.Join(after, "\n"))
	}
}

func TestHeaderSaysWhenTheLabIsBehind(t *testing.T) {
	src := newFakeSource()
	m := resized(newFixtureModel(t, src), 160, 40)
	v := fixtureView(fixtureSeconds)
	v.Speed, v.Pace.Asked = 20, 20
	m = applyView(m, v)
	if h := ansi.Strip(m.dash.Header()); strings.Contains(h, "behind") || !strings.Contains(h, "×20") {
		t.Errorf("a lab keeping up says it is behind: %q", h)
	}
	v.Speed = 7.2
	m = applyView(m, v)
	if h := ansi.Strip(m.dash.Header()); !strings.Contains(h, "⚠ behind ×20 — running at ×7.2") {
		t.Errorf("the header does not say the lab slowed down: %q", h)
	}
}
