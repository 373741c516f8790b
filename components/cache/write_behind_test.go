package cache

import (
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/scalelab/scalelab/components/clock"
)

// recorder is a store that logs each write with its lab time offset.
type recorder struct {
	clk     *clock.Clock
	start   time.Time
	fail    map[string]bool
	mu      sync.Mutex // the race detector sees no order in fake time
	entries []string
}

func (r *recorder) log() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.entries)
}

func (r *recorder) store(k string, v int) error {
	if r.fail[k] {
		return errors.New("rejected")
	}
	r.mu.Lock()
	r.entries = append(r.entries, fmt.Sprintf("%s=%d@%v", k, v, r.clk.Now().Sub(r.start)))
	r.mu.Unlock()
	return nil
}

func TestWriteBehindDelayAndOrder(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		clk := clock.New(1)
		r := &recorder{clk: clk, start: clk.Now(), fail: map[string]bool{"bad": true}}
		wb := NewWriteBehind(BehindSettings{Delay: 2 * time.Second, Clock: clk}, r.store)
		defer wb.Stop()
		wb.Enqueue("a", 1)
		time.Sleep(500 * time.Millisecond)
		wb.Enqueue("a", 2) // same key again: stored again, in order
		wb.Enqueue("bad", 3)
		time.Sleep(1499 * time.Millisecond)
		synctest.Wait()
		if len(r.log()) != 0 {
			t.Fatalf("store saw %v before the delay", r.log())
		}
		s := wb.Stats()
		if s.Pending != 3 || s.OldestAge != 1999*time.Millisecond || s.Flushed != 0 {
			t.Fatalf("stats before flush: %+v", s)
		}
		time.Sleep(time.Millisecond)
		synctest.Wait()
		if want := []string{"a=1@2s"}; !slices.Equal(r.log(), want) {
			t.Fatalf("store log %v, want %v", r.log(), want)
		}
		if s := wb.Stats(); s.Pending != 2 || s.OldestAge != 1500*time.Millisecond {
			t.Fatalf("stats after first flush: %+v", s)
		}
		time.Sleep(time.Second)
		synctest.Wait()
		if want := []string{"a=1@2s", "a=2@2.5s"}; !slices.Equal(r.log(), want) {
			t.Fatalf("store log %v, want %v", r.log(), want)
		}
		want := BehindStats{Flushed: 2, Failed: 1, Delay: 2 * time.Second, QueueSize: DefaultBehindQueue}
		if s := wb.Stats(); s != want {
			t.Fatalf("final stats %+v, want %+v", s, want)
		}
	})
}

func TestWriteBehindLabClockSpeed(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		clk := clock.New(10) // 10x: a 5 s lab delay is 0.5 s of wall time
		r := &recorder{clk: clk, start: clk.Now()}
		wb := NewWriteBehind(BehindSettings{Delay: 5 * time.Second, Clock: clk}, r.store)
		defer wb.Stop()
		wb.Enqueue("k", 1)
		time.Sleep(499 * time.Millisecond)
		synctest.Wait()
		if len(r.log()) != 0 {
			t.Fatalf("stored early: %v", r.log())
		}
		time.Sleep(time.Millisecond)
		synctest.Wait()
		if want := []string{"k=1@5s"}; !slices.Equal(r.log(), want) {
			t.Fatalf("store log %v, want %v", r.log(), want)
		}
	})
}

func TestWriteBehindSetDelayReaims(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		clk := clock.New(1)
		r := &recorder{clk: clk, start: clk.Now()}
		wb := NewWriteBehind(BehindSettings{Delay: time.Hour, Clock: clk}, r.store)
		defer wb.Stop()
		wb.Enqueue("k", 1)
		time.Sleep(time.Second)
		wb.SetDelay(3 * time.Second)
		time.Sleep(2 * time.Second)
		synctest.Wait()
		if want := []string{"k=1@3s"}; !slices.Equal(r.log(), want) {
			t.Fatalf("store log %v, want %v", r.log(), want)
		}
		wb.SetDelay(-time.Second)
		if d := wb.Stats().Delay; d != 0 {
			t.Fatalf("negative delay stored as %v", d)
		}
	})
}

func TestWriteBehindFullAndStop(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		stored := 0
		wb := NewWriteBehind(BehindSettings{Delay: time.Minute, QueueSize: 2}, func(string, int) error { stored++; return nil })
		for i, want := range []error{nil, nil, ErrBehindFull, ErrBehindFull} {
			if err := wb.Enqueue("k", i); err != want {
				t.Fatalf("Enqueue %d: %v, want %v", i, err, want)
			}
		}
		if s := wb.Stats(); s.Pending != 2 || s.Dropped != 2 || s.QueueSize != 2 {
			t.Fatalf("stats when full: %+v", s)
		}
		wb.Stop()
		wb.Stop() // idempotent
		if err := wb.Enqueue("k", 9); err != ErrBehindStopped {
			t.Fatalf("Enqueue after Stop: %v", err)
		}
		wb.SetDelay(time.Second) // must not panic after Stop
		time.Sleep(time.Hour)
		synctest.Wait()
		want := BehindStats{Dropped: 5, Delay: time.Second, QueueSize: 2}
		if s := wb.Stats(); s != want || stored != 0 {
			t.Fatalf("after Stop: %+v (stored %d), want %+v and nothing stored", s, stored, want)
		}
	})
}

// TestWriteBehindStopWaitsForStore: Stop returns only after a store in
// progress returns, and no goroutine is left (goleak checks in TestMain).
func TestWriteBehindStopWaitsForStore(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		entered, release := make(chan struct{}), make(chan struct{})
		wb := NewWriteBehind(BehindSettings{}, func(int, int) error {
			close(entered)
			<-release
			return nil
		})
		wb.Enqueue(1, 1)
		wb.Enqueue(2, 2)
		<-entered
		stopped := make(chan struct{})
		go func() { wb.Stop(); close(stopped) }()
		synctest.Wait()
		select {
		case <-stopped:
			t.Fatal("Stop returned while store was running")
		default:
		}
		close(release)
		<-stopped
		if s := wb.Stats(); s.Flushed != 1 || s.Dropped != 1 || s.Pending != 0 {
			t.Fatalf("stats %+v: want the in-flight write flushed, the queued one dropped", s)
		}
	})
}

func TestWriteBehindDefaults(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		wb := NewWriteBehind[int, int](BehindSettings{Delay: -time.Second, QueueSize: MaxBehindQueue * 4}, nil)
		defer wb.Stop()
		wb.Enqueue(1, 1)
		synctest.Wait()
		if s := wb.Stats(); s.Failed != 1 || s.Delay != 0 || s.QueueSize != MaxBehindQueue {
			t.Fatalf("nil store / clamped settings: %+v", s)
		}
	})
}
