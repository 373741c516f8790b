package lab

import (
	"fmt"
	"testing"
	"testing/synctest"
	"time"
)

// Adding and removing shards all day keeps the registry, and so memory,
// bounded: a removed server's series and histograms (~400 KB each) are
// freed and their slots reused.
func TestShardChurnIsBounded(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		l := newLab(t, "shop", 1, nil)
		mustExec(t, l, "load 200/s")
		cycle := func(i int) {
			mustExec(t, l, fmt.Sprintf("shard add db-x%d", i), "wait 300ms", fmt.Sprintf("shard remove db-x%d", i))
		}
		cycle(0)
		l.reg.mu.Lock()
		series, hists := len(l.reg.series), len(l.reg.hists)
		l.reg.mu.Unlock()
		for i := 1; i < 200; i++ {
			cycle(i)
		}
		l.reg.mu.Lock()
		defer l.reg.mu.Unlock()
		if len(l.reg.series) != series || len(l.reg.hists) != hists {
			t.Errorf("after 200 cycles: %d series, %d histograms; after 1: %d, %d", len(l.reg.series), len(l.reg.hists), series, hists)
		}
		live := 0
		for _, h := range l.reg.hists {
			if h != nil {
				live++
			}
		}
		for _, f := range l.reg.ring {
			n := 0
			for _, hf := range f.hists {
				if hf != nil {
					n++
				}
			}
			if n > live {
				t.Errorf("a frame holds %d histogram copies for %d live histograms", n, live)
				break
			}
		}
	})
}

// A series that reuses a removed one's slot starts its windows afresh.
func TestRegistryReusedSlotStartsAfresh(t *testing.T) {
	r := NewRegistry()
	old := r.Counter("old")
	old.Add(1000)
	base := r.Counter("base")
	base.Add(1)
	t0 := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	r.Sample(t0)
	r.Remove("old")
	fresh := r.Counter("fresh")
	fresh.Add(3)
	r.Read(t0.Add(StatWindow), func(rate, stat *Window) {
		if got := stat.Delta("fresh"); got != 3 {
			t.Errorf("Delta(fresh) = %v, want 3 (not 3 - 1000)", got)
		}
		if got := stat.Delta("old"); got != 0 {
			t.Errorf("Delta(old) = %v after Remove", got)
		}
	})
}
