package tui

import (
	"fmt"
	"strings"
	"testing"

	"github.com/scalelab/scalelab/lab"
)

var shardValues = map[string]float64{
	"shard.keys{shard=db-1}": 400, "shard.keys{shard=db-2}": 200, "shard.keys{shard=db-3}": 100,
	"shard.reads{shard=db-1}": 50, "shard.writes{shard=db-2}": 7,
	"backend.health{backend=db-2}": 1, "backend.health{backend=db-3}": 4,
	"shard.moved_keys": 120, "shard.moved_total": 4000,
}

var shardTopology = lab.Topology{DBs: []string{"db-1", "db-2", "db-3"}, ShardStrategy: "ring"}

func TestShardsPanel(t *testing.T) {
	c := fixedViewCommon(t)
	for _, sz := range []struct{ w, h int }{{40, 10}, {80, 20}} {
		p := NewShardsPanel(c)
		p.SetSize(sz.w, sz.h)
		p.SetView(viewAt(3, shardTopology, shardValues))
		out := p.View()
		assertExactSize(t, out, sz.w, sz.h)
		assertContains(t, out, "Shards · ring", "keys", "reads", "writes", "health",
			"400    50      0  ● up",
			"200     0      7  ◐ slow",
			"100     0      0  ✖ down",
			"last change moved 120 keys", "(total 4000)")
	}
}

// On a wide panel each shard's keys get a bar relative to the fullest
// shard: db-1 full, db-3 a quarter.
func TestShardsPanelBarsRelativeToLargest(t *testing.T) {
	p := NewShardsPanel(fixedViewCommon(t))
	p.SetSize(80, 20)
	p.SetView(viewAt(3, shardTopology, shardValues))
	out := p.View()
	// body 76 wide: name 5 + 1 + bar + numbers 22 + health 9 → bar 39 (plus its space)
	assertContains(t, out,
		"db-1  "+strings.Repeat("█", 39)+"    400",
		"db-3  "+strings.Repeat("█", 10)+strings.Repeat("░", 29)+"    100",
		"last change moved 120 keys (total 4000)")
}

// With more shards than rows the footer still shows and the rest are
// counted.
func TestShardsPanelManyShards(t *testing.T) {
	var topo lab.Topology
	for i := 1; i <= 12; i++ {
		topo.DBs = append(topo.DBs, fmt.Sprintf("db-%d", i))
	}
	p := NewShardsPanel(fixedViewCommon(t))
	p.SetSize(40, 10) // 7 body lines: header, 4 shards, "… 8 more", footer
	p.SetView(viewAt(1, topo, map[string]float64{"shard.moved_keys": 5, "shard.moved_total": 9}))
	out := p.View()
	assertExactSize(t, out, 40, 10)
	assertContains(t, out, "db-4 ", "… 8 more", "last change moved 5 keys (total 9)")
	if strings.Contains(out, "db-5 ") {
		t.Errorf("db-5 shown though it does not fit:\n%s", out)
	}
}

func TestShardsPanelWithoutDatabase(t *testing.T) {
	p := NewShardsPanel(fixedViewCommon(t))
	for _, sz := range []struct{ w, h int }{{40, 10}, {80, 20}} {
		p.SetSize(sz.w, sz.h)
		p.SetView(viewAt(1, lab.Topology{Cache: true}, nil))
		out := p.View()
		assertExactSize(t, out, sz.w, sz.h)
		assertContains(t, out, "Shards", "no database tier in this preset")
	}
}
