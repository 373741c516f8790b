package queue

import (
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/scalelab/scalelab/components/clock"
)

// A consumer on lab time works at the pace of its handler's modelled
// latency at any clock speed: one consumer, 200 messages published at
// once, 5 ms each, start exactly 5 ms apart, however late its goroutine
// wakes. (A consumer that started each message at the clock's now paid its
// wake-up lateness on every one: at 20x, timer granularity times twenty.)
func TestTimedConsumerKeepsLabTime(t *testing.T) {
	for _, speed := range []float64{1, 20} {
		t.Run(fmt.Sprintf("%gx", speed), func(t *testing.T) {
			clk := clock.New(speed)
			b := NewBroker(Settings{Clock: clk})
			defer b.Stop()
			must(t, b.CreateTopic("writes", TopicConfig{Capacity: 1000}))
			t0 := clk.Now()
			const n, each = 200, 5 * time.Millisecond
			for i := range n {
				must(t, b.TryPublishAt("writes", i, t0))
			}
			var mu sync.Mutex
			starts := make([]time.Duration, n)
			var wg sync.WaitGroup
			wg.Add(n)
			must(t, b.SubscribeTimed("writes", 1, func(m *Message, start time.Time) (time.Time, error) {
				end := start.Add(each)
				clk.SleepUntil(end, nil) // the database call, on the lab clock
				mu.Lock()
				starts[m.Body.(int)] = start.Sub(t0)
				mu.Unlock()
				wg.Done()
				return end, nil
			}))
			wg.Wait()
			for i, s := range starts {
				if want := time.Duration(i) * each; s != want {
					t.Fatalf("message %d started at %v, want %v", i, s, want)
				}
			}
		})
	}
}

// A retry becomes ready when it is due in lab time, after the failed
// delivery's end.
func TestTimedRetryIsDueAfterTheFailure(t *testing.T) {
	clk := clock.New(20)
	b := NewBroker(Settings{Clock: clk})
	defer b.Stop()
	must(t, b.CreateTopic("jobs", TopicConfig{MaxAttempts: 2, RetryDelay: 100 * time.Millisecond}))
	t0 := clk.Now()
	must(t, b.TryPublishAt("jobs", 1, t0))
	starts := make(chan time.Duration, 2)
	must(t, b.SubscribeTimed("jobs", 1, func(m *Message, start time.Time) (time.Time, error) {
		starts <- start.Sub(t0)
		if m.Attempts == 1 {
			return start.Add(10 * time.Millisecond), fmt.Errorf("busy")
		}
		return start, nil
	}))
	if first, second := <-starts, <-starts; first != 0 || second != 110*time.Millisecond {
		t.Fatalf("deliveries started at %v and %v, want 0 and 110ms (failed at 10ms, retry 100ms later)", first, second)
	}
}
