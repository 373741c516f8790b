package tui

import (
	"strings"
	"testing"

	"github.com/scalelab/scalelab/lab"
)

var cacheValues = map[string]float64{
	"cache.hit_ratio": 0.875, "cache.size": 812, "cache.capacity": 1000,
	"cache.evictions": 12, "cache.expirations": 3, "cache.stale_ratio": 0.004,
	"cache.behind.pending": 14, "cache.behind.lag": 230,
}

func TestCachePanel(t *testing.T) {
	c := fixedViewCommon(t)
	for _, tc := range []struct {
		name      string
		topo      lab.Topology
		want, not []string
	}{
		{"no cache", lab.Topology{}, []string{"Cache", "no cache in this preset"}, []string{"hit", "Cache ·"}},
		{"write-behind", lab.Topology{Cache: true, CacheMode: "write-behind"},
			[]string{"Cache · write-behind", "hit 87.5%", "size 812/1000", "evict 12/s", "expire 3/s", "stale 0.4%", "pending 14", "lag 230ms"}, nil},
		{"write-through", lab.Topology{Cache: true, CacheMode: "write-through"},
			[]string{"Cache · write-through", "hit 87.5%", "size 812/1000"}, []string{"pending", "lag"}},
	} {
		for _, sz := range []struct{ w, h int }{{40, 10}, {80, 20}} {
			p := NewCachePanel(c)
			p.SetSize(sz.w, sz.h)
			for sec := range 5 {
				p.SetView(viewAt(float64(sec), tc.topo, cacheValues))
			}
			out := p.View()
			assertExactSize(t, out, sz.w, sz.h)
			assertContains(t, out, tc.want...)
			for _, n := range tc.not {
				if strings.Contains(out, n) {
					t.Errorf("%s %d×%d: unexpected %q in\n%s", tc.name, sz.w, sz.h, n, out)
				}
			}
		}
	}
}

// The size bar is filled to size/capacity: 812 of 1000 on a 60-cell bar is
// 49 cells full.
func TestCachePanelSizeBar(t *testing.T) {
	p := NewCachePanel(fixedViewCommon(t))
	p.SetSize(80, 20) // body 76 wide: "size 812/1000 " leaves 62 cells
	p.SetView(viewAt(0, lab.Topology{Cache: true, CacheMode: "invalidate"}, cacheValues))
	want := "size 812/1000 " + strings.Repeat("█", 50) + strings.Repeat("░", 12)
	assertContains(t, p.View(), want)
}

// The hit-ratio sparkline has a fixed 0..1 scale: a steady 50% fills the
// chart's bottom half and leaves its top row empty (an auto-scaled chart
// would fill it), and a steady 100% fills the top row.
func TestCachePanelHitRatioScaleIsFixed(t *testing.T) {
	c := fixedViewCommon(t)
	topRow := func(ratio float64) string {
		p := NewCachePanel(c)
		p.SetSize(40, 12)
		vals := map[string]float64{"cache.hit_ratio": ratio}
		for sec := range 60 {
			p.SetView(viewAt(float64(sec), lab.Topology{Cache: true, CacheMode: "invalidate"}, vals))
		}
		lines := strings.Split(p.View(), "\n")
		for i, l := range lines {
			if strings.Contains(l, "hit ratio, last 60 s") {
				return lines[i+1]
			}
		}
		t.Fatalf("no sparkline caption in\n%s", p.View())
		return ""
	}
	if top := topRow(0.5); strings.Contains(top, "█") {
		t.Errorf("50%% reached the top row: %q", top)
	}
	if top := topRow(1); strings.Count(top, "█") < 30 {
		t.Errorf("100%% did not fill the top row: %q", top)
	}
}
