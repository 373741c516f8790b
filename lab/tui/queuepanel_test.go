package tui

import (
	"strings"
	"testing"

	"github.com/scalelab/scalelab/lab"
)

var queueValues = map[string]float64{
	"queue.depth": 125, "queue.capacity": 500, "queue.published": 120, "queue.consumed": 118,
	"queue.consumers": 4, "queue.retried": 2, "queue.rejected": 0, "queue.dead": 3, "queue.oldest": 230,
}

func TestQueuePanel(t *testing.T) {
	c := fixedViewCommon(t)
	for _, sz := range []struct{ w, h int }{{40, 10}, {80, 20}} {
		p := NewQueuePanel(c)
		p.SetSize(sz.w, sz.h)
		for sec := range 10 {
			p.SetView(viewAt(float64(sec), lab.Topology{Queue: true}, queueValues))
		}
		out := p.View()
		assertExactSize(t, out, sz.w, sz.h)
		assertContains(t, out, "Queue", "depth 125/500", "in 120/s", "out 118/s", "consumers 4",
			"retried 2/s", "rejected 0/s", "dead 3", "oldest 230ms", "depth, last 60 s (0–500)")
	}
}

// The depth bar is filled to depth/capacity: 125 of 500 is a quarter.
func TestQueuePanelDepthBar(t *testing.T) {
	p := NewQueuePanel(fixedViewCommon(t))
	p.SetSize(40, 10) // body 36 wide: "depth 125/500 " leaves a 22-cell bar
	p.SetView(viewAt(0, lab.Topology{Queue: true}, queueValues))
	assertContains(t, p.View(), "depth 125/500 "+strings.Repeat("█", 6)+strings.Repeat("░", 16))
}

// The depth sparkline is scaled to the capacity: a full queue fills the top
// row, a quarter-full one leaves it empty.
func TestQueuePanelSparklineScaledToCapacity(t *testing.T) {
	c := fixedViewCommon(t)
	topRow := func(depth float64) string {
		p := NewQueuePanel(c)
		p.SetSize(40, 14)
		for sec := range 60 {
			p.SetView(viewAt(float64(sec), lab.Topology{Queue: true}, map[string]float64{"queue.depth": depth, "queue.capacity": 500}))
		}
		lines := strings.Split(p.View(), "\n")
		for i, l := range lines {
			if strings.Contains(l, "depth, last 60 s") {
				return lines[i+1]
			}
		}
		t.Fatalf("no sparkline caption in\n%s", p.View())
		return ""
	}
	if top := topRow(125); strings.Contains(top, "█") {
		t.Errorf("a quarter-full queue reached the top row: %q", top)
	}
	if top := topRow(500); strings.Count(top, "█") < 30 {
		t.Errorf("a full queue did not fill the top row: %q", top)
	}
}

func TestQueuePanelWithoutQueue(t *testing.T) {
	p := NewQueuePanel(fixedViewCommon(t))
	for _, sz := range []struct{ w, h int }{{40, 10}, {80, 20}} {
		p.SetSize(sz.w, sz.h)
		p.SetView(viewAt(1, lab.Topology{}, queueValues))
		out := p.View()
		assertExactSize(t, out, sz.w, sz.h)
		assertContains(t, out, "Queue", "no queue in this preset")
		if strings.Contains(out, "depth") {
			t.Errorf("queue numbers shown without a queue:\n%s", out)
		}
	}
}
