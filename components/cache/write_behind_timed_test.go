package cache

import (
	"sync"
	"testing"
	"time"

	"github.com/scalelab/scalelab/components/clock"
)

// A timed store sets the flusher's pace in lab time: 100 writes enqueued at
// once, each stored in 5 ms, start exactly 5 ms apart at 20x, however late
// the flusher wakes.
func TestWriteBehindTimedKeepsLabTime(t *testing.T) {
	clk := clock.New(20)
	const n, each = 100, 5 * time.Millisecond
	var mu sync.Mutex
	var starts []time.Duration
	var wg sync.WaitGroup
	wg.Add(n)
	var t0 time.Time
	w := NewWriteBehindTimed(BehindSettings{Clock: clk, Delay: 20 * time.Millisecond}, func(k, v int, start time.Time) (time.Time, error) {
		end := start.Add(each)
		clk.SleepUntil(end, nil)
		mu.Lock()
		starts = append(starts, start.Sub(t0))
		mu.Unlock()
		wg.Done()
		return end, nil
	})
	defer w.Stop()
	t0 = clk.Now()
	for i := range n {
		if err := w.EnqueueAt(i, i, t0); err != nil {
			t.Fatal(err)
		}
	}
	wg.Wait()
	for i, s := range starts {
		if want := 20*time.Millisecond + time.Duration(i)*each; s != want {
			t.Fatalf("write %d stored from %v, want %v (the delay, then one after another)", i, s, want)
		}
	}
}
