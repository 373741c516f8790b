package queue

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/scalelab/scalelab/components/clock"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// recorder collects events; safe for use from consumer goroutines.
type recorder struct {
	mu     sync.Mutex
	events []Event
}

func (r *recorder) on(e Event) {
	r.mu.Lock()
	r.events = append(r.events, e)
	r.mu.Unlock()
}

func (r *recorder) kinds(k EventKind) []Event {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []Event
	for _, e := range r.events {
		if e.Kind == k {
			out = append(out, e)
		}
	}
	return out
}

// list is a slice that handlers append to and the test reads; the mutex
// gives the race detector the ordering that fake time alone does not.
type list[T any] struct {
	mu sync.Mutex
	xs []T
}

func (l *list[T]) add(x T) {
	l.mu.Lock()
	l.xs = append(l.xs, x)
	l.mu.Unlock()
}

func (l *list[T]) get() []T {
	l.mu.Lock()
	defer l.mu.Unlock()
	return slices.Clone(l.xs)
}

func newBroker(t *testing.T, speed float64) (*Broker, *clock.Clock, *recorder) {
	t.Helper()
	clk := clock.New(speed)
	rec := &recorder{}
	b := NewBroker(Settings{Clock: clk, OnEvent: rec.on})
	t.Cleanup(b.Stop)
	return b, clk, rec
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func stats(t *testing.T, b *Broker, name string) TopicStats {
	t.Helper()
	s, ok := b.Topic(name)
	if !ok {
		t.Fatalf("topic %q missing", name)
	}
	return s
}

func TestFIFOWithOneConsumer(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		b, _, _ := newBroker(t, 1)
		must(t, b.CreateTopic("jobs", TopicConfig{}))
		for i := range 100 {
			must(t, b.Publish("jobs", i))
		}
		var got []int
		must(t, b.Subscribe("jobs", 1, func(m *Message) error {
			got = append(got, m.Body.(int))
			return nil
		}))
		synctest.Wait()
		b.Stop()
		if want := seq(100); !slices.Equal(got, want) {
			t.Fatalf("order = %v, want %v", got, want)
		}
		s := stats(t, b, "jobs")
		if s.Published != 100 || s.Delivered != 100 || s.Acked != 100 || s.Depth != 0 || s.Consumers != 0 {
			t.Fatalf("stats after drain: %+v", s)
		}
	})
}

func seq(n int) []int {
	out := make([]int, n)
	for i := range out {
		out[i] = i
	}
	return out
}

func TestAckNackCountsExact(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		b, _, rec := newBroker(t, 1)
		must(t, b.CreateTopic("jobs", TopicConfig{MaxAttempts: 3}))
		// Multiples of 3 fail once; multiples of 5 fail twice; 7s always.
		must(t, b.Subscribe("jobs", 4, func(m *Message) error {
			n := m.Body.(int)
			switch {
			case n%7 == 0:
				return errors.New("poison")
			case n%5 == 0 && m.Attempts <= 2, n%3 == 0 && m.Attempts == 1:
				return fmt.Errorf("transient %d", m.Attempts)
			}
			return nil
		}))
		for i := 1; i <= 105; i++ {
			must(t, b.Publish("jobs", i))
		}
		synctest.Wait()
		// The expected counters, worked out message by message.
		var acked, nacks, retries, dead uint64
		for i := 1; i <= 105; i++ {
			switch {
			case i%7 == 0:
				nacks += 3
				retries += 2
				dead++
			case i%5 == 0:
				nacks += 2
				retries += 2
				acked++
			case i%3 == 0:
				nacks++
				retries++
				acked++
			default:
				acked++
			}
		}
		s := stats(t, b, "jobs")
		want := TopicStats{Published: 105, Acked: acked, Nacked: nacks, Retried: retries, DeadLettered: dead, Delivered: acked + nacks}
		if s.Published != want.Published || s.Acked != want.Acked || s.Nacked != want.Nacked ||
			s.Retried != want.Retried || s.DeadLettered != want.DeadLettered || s.Delivered != want.Delivered {
			t.Fatalf("got %+v\nwant counters %+v", s, want)
		}
		if d := stats(t, b, "jobs.dead"); d.Depth != int(dead) || d.Published != dead {
			t.Fatalf("dead topic holds %d (published %d), want %d", d.Depth, d.Published, dead)
		}
		if n := len(rec.kinds(DeadLettered)); n != int(dead) {
			t.Fatalf("%d dead-lettered events, want %d", n, dead)
		}
	})
}

func TestPoisonMessageDeadLetteredAfterMaxAttempts(t *testing.T) {
	for _, attempts := range []int{1, 3, 5} {
		t.Run(fmt.Sprint(attempts), func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				b, clk, rec := newBroker(t, 1)
				must(t, b.CreateTopic("orders", TopicConfig{MaxAttempts: attempts}))
				var mu sync.Mutex
				var seen []int
				must(t, b.Subscribe("orders", 2, func(m *Message) error {
					mu.Lock()
					seen = append(seen, m.Attempts)
					mu.Unlock()
					return errors.New("bad card")
				}))
				start := clk.Now()
				must(t, b.Publish("orders", "order-42"))
				synctest.Wait()
				if want := seq(attempts + 1)[1:]; !slices.Equal(seen, want) {
					t.Fatalf("deliveries saw Attempts %v, want %v", seen, want)
				}
				s := stats(t, b, "orders")
				if s.Delivered != uint64(attempts) || s.DeadLettered != 1 || s.Retried != uint64(attempts-1) || s.Depth != 0 {
					t.Fatalf("stats: %+v", s)
				}
				dead, err := b.Peek("orders.dead", 0)
				must(t, err)
				if len(dead) != 1 {
					t.Fatalf("dead topic holds %d messages, want 1", len(dead))
				}
				want := Message{ID: 1, Topic: "orders.dead", Body: "order-42", Published: start, LastError: "bad card", Origin: "orders"}
				if dead[0] != want {
					t.Fatalf("dead letter = %+v\nwant %+v", dead[0], want)
				}
				evs := rec.kinds(DeadLettered)
				if len(evs) != 1 || evs[0].Attempts != attempts || evs[0].Topic != "orders" ||
					evs[0].DeadTopic != "orders.dead" || evs[0].Err != "bad card" || evs[0].MessageID != 1 {
					t.Fatalf("events: %+v", evs)
				}
			})
		})
	}
}

func TestDeadLetterDropAndFullDeadTopic(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		b, _, rec := newBroker(t, 1)
		fail := func(*Message) error { return errors.New("no") }
		must(t, b.CreateTopic("drop", TopicConfig{MaxAttempts: 1, DeadLetter: "-"}))
		must(t, b.CreateTopic("small", TopicConfig{MaxAttempts: 1, Capacity: 2}))
		must(t, b.Subscribe("drop", 1, fail))
		must(t, b.Subscribe("small", 1, fail))
		for range 2 {
			must(t, b.Publish("drop", 1))
		}
		for range 5 {
			must(t, b.Publish("small", 1))
			synctest.Wait()
		}
		if s := stats(t, b, "drop"); s.Dropped != 2 || s.DeadLettered != 0 || s.Nacked != 2 {
			t.Fatalf("drop: %+v", s)
		}
		if slices.Contains(b.Topics(), "drop.dead") {
			t.Fatal(`DeadLetter "-" still created drop.dead`)
		}
		s, d := stats(t, b, "small"), stats(t, b, "small.dead")
		if s.DeadLettered != 2 || s.Dropped != 3 || d.Depth != 2 || d.Rejected != 3 || d.WhenFull != Reject || d.DeadLetter != "-" {
			t.Fatalf("small: %+v\nsmall.dead: %+v", s, d)
		}
		if n := len(rec.kinds(Dropped)); n != 5 {
			t.Fatalf("%d dropped events, want 5", n)
		}
	})
}

func TestRetryDelayInLabTime(t *testing.T) {
	for _, speed := range []float64{1, 4, 0.5} {
		t.Run(fmt.Sprint(speed), func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				b, clk, _ := newBroker(t, speed)
				must(t, b.CreateTopic("mail", TopicConfig{MaxAttempts: 3, RetryDelay: 2 * time.Second}))
				var labs, walls list[time.Time]
				must(t, b.Subscribe("mail", 1, func(m *Message) error {
					labs.add(clk.Now())
					walls.add(time.Now())
					return errors.New("smtp down")
				}))
				must(t, b.Publish("mail", "hi"))
				synctest.Wait()
				if s := stats(t, b, "mail"); s.Delayed != 1 || s.Depth != 0 || s.Consumers != 1 {
					t.Fatalf("while waiting out the delay: %+v", s)
				}
				time.Sleep(clk.Wall(time.Hour))
				labAt, wallAt := labs.get(), walls.get()
				if len(labAt) != 3 {
					t.Fatalf("%d deliveries, want 3", len(labAt))
				}
				for i := 1; i < 3; i++ {
					if gap := labAt[i].Sub(labAt[i-1]); gap != 2*time.Second {
						t.Errorf("lab gap %d = %v, want 2s", i, gap)
					}
					if gap, want := wallAt[i].Sub(wallAt[i-1]), clk.Wall(2*time.Second); gap != want {
						t.Errorf("wall gap %d = %v, want %v", i, gap, want)
					}
				}
				if s := stats(t, b, "mail"); s.Delayed != 0 || s.DeadLettered != 1 {
					t.Fatalf("after the last attempt: %+v", s)
				}
			})
		})
	}
}

// A delayed retry must not hold a consumer: with one consumer, fresh
// messages go through while a failed one waits.
func TestRetryDelayDoesNotBlockConsumers(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		b, clk, _ := newBroker(t, 1)
		must(t, b.CreateTopic("t", TopicConfig{RetryDelay: time.Minute}))
		var got list[string]
		must(t, b.Subscribe("t", 1, func(m *Message) error {
			got.add(fmt.Sprintf("%v@%v", m.Body, m.Attempts))
			if m.Body == "bad" && m.Attempts == 1 {
				return errors.New("later")
			}
			return nil
		}))
		must(t, b.Publish("t", "bad"))
		must(t, b.Publish("t", "a"))
		synctest.Wait()
		time.Sleep(10 * time.Second)
		must(t, b.Publish("t", "b"))
		synctest.Wait()
		if want := []string{"bad@1", "a@1", "b@1"}; !slices.Equal(got.get(), want) {
			t.Fatalf("before the delay: %v, want %v", got.get(), want)
		}
		start := clk.Now()
		time.Sleep(time.Hour)
		if want := []string{"bad@1", "a@1", "b@1", "bad@2"}; !slices.Equal(got.get(), want) {
			t.Fatalf("after the delay: %v, want %v (from %v)", got.get(), want, start)
		}
	})
}

// A retry that becomes due earlier than the one the scheduler sleeps on
// (RetryDelay shortened live) must wake it.
func TestRetrySchedulerReaims(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		b, clk, _ := newBroker(t, 1)
		must(t, b.CreateTopic("t", TopicConfig{RetryDelay: time.Hour, MaxAttempts: 2}))
		var at list[time.Duration]
		start := clk.Now()
		must(t, b.Subscribe("t", 1, func(m *Message) error {
			at.add(clk.Now().Sub(start))
			if m.Attempts == 1 {
				return errors.New("x")
			}
			return nil
		}))
		must(t, b.Publish("t", 1))
		synctest.Wait()
		must(t, b.Configure("t", TopicConfig{RetryDelay: time.Second, MaxAttempts: 2}))
		must(t, b.Publish("t", 2))
		time.Sleep(2 * time.Hour)
		if want := []time.Duration{0, 0, time.Second, time.Hour}; !slices.Equal(at.get(), want) {
			t.Fatalf("deliveries at %v, want %v", at.get(), want)
		}
	})
}

func TestRejectPolicy(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		b, _, _ := newBroker(t, 1)
		must(t, b.CreateTopic("r", TopicConfig{Capacity: 2, WhenFull: Reject}))
		must(t, b.Publish("r", 1))
		must(t, b.Publish("r", 2))
		for range 3 {
			if err := b.Publish("r", 3); err != ErrFull {
				t.Fatalf("publish to full reject topic: %v, want ErrFull", err)
			}
		}
		if s := stats(t, b, "r"); s.Rejected != 3 || s.Published != 2 || s.Depth != 2 {
			t.Fatalf("stats: %+v", s)
		}
		// TryPublish never waits, even under Block.
		must(t, b.CreateTopic("blk", TopicConfig{Capacity: 1}))
		must(t, b.TryPublish("blk", 1))
		if err := b.TryPublish("blk", 2); err != ErrFull {
			t.Fatalf("TryPublish to full block topic: %v, want ErrFull", err)
		}
		if s := stats(t, b, "blk"); s.Rejected != 1 || s.Depth != 1 {
			t.Fatalf("stats: %+v", s)
		}
	})
}

func TestBlockPolicyWaitsForRoom(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		b, clk, _ := newBroker(t, 1)
		must(t, b.CreateTopic("b", TopicConfig{Capacity: 1}))
		must(t, b.Publish("b", 1))
		done := make(chan error)
		go func() { done <- b.Publish("b", 2) }()
		synctest.Wait()
		select {
		case err := <-done:
			t.Fatalf("publish to a full block topic returned %v", err)
		default:
		}
		if s := stats(t, b, "b"); s.Blocked != 1 || s.Depth != 1 {
			t.Fatalf("stats while blocked: %+v", s)
		}
		time.Sleep(5 * time.Second)
		release := make(chan struct{})
		var got []int
		must(t, b.Subscribe("b", 1, func(m *Message) error {
			got = append(got, m.Body.(int))
			<-release
			return nil
		}))
		if err := <-done; err != nil {
			t.Fatalf("blocked publish: %v", err)
		}
		s := stats(t, b, "b")
		if s.Blocked != 0 || s.Depth != 1 || s.InFlight != 1 || s.Published != 2 || s.OldestAge != 0 {
			t.Fatalf("stats after room: %+v", s)
		}
		time.Sleep(3 * time.Second)
		if s := stats(t, b, "b"); s.OldestAge != 3*time.Second {
			t.Fatalf("OldestAge = %v, want 3s (time since it got in, not since it tried)", s.OldestAge)
		}
		close(release)
		synctest.Wait()
		if !slices.Equal(got, []int{1, 2}) {
			t.Fatalf("consumed %v", got)
		}
		_ = clk
	})
}

func TestSetConsumersZeroThenDrain(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		b, _, rec := newBroker(t, 1)
		must(t, b.CreateTopic("w", TopicConfig{}))
		must(t, b.Subscribe("w", 3, func(*Message) error { time.Sleep(time.Millisecond); return nil }))
		synctest.Wait()
		if s := stats(t, b, "w"); s.Consumers != 3 {
			t.Fatalf("consumers %d, want 3", s.Consumers)
		}
		must(t, b.SetConsumers("w", 0))
		synctest.Wait()
		for i := range 50 {
			must(t, b.Publish("w", i))
		}
		time.Sleep(time.Second)
		if s := stats(t, b, "w"); s.Consumers != 0 || s.Depth != 50 || s.Acked != 0 || s.OldestAge != time.Second {
			t.Fatalf("with 0 consumers: %+v", s)
		}
		must(t, b.SetConsumers("w", 5))
		time.Sleep(time.Second)
		if s := stats(t, b, "w"); s.Consumers != 5 || s.Depth != 0 || s.Acked != 50 || s.OldestAge != 0 {
			t.Fatalf("after growing to 5: %+v", s)
		}
		var counts []int
		for _, e := range rec.kinds(ConsumersChanged) {
			counts = append(counts, e.Consumers)
		}
		if !slices.Equal(counts, []int{3, 0, 5}) {
			t.Fatalf("ConsumersChanged events %v, want [3 0 5]", counts)
		}
	})
}

// Shrinking while every consumer is busy: the extra ones leave after their
// current message; the ones that stay keep going.
func TestShrinkBusyConsumers(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		b, _, _ := newBroker(t, 1)
		must(t, b.CreateTopic("w", TopicConfig{}))
		for i := range 20 {
			must(t, b.Publish("w", i))
		}
		must(t, b.Subscribe("w", 4, func(*Message) error { time.Sleep(time.Second); return nil }))
		synctest.Wait()
		must(t, b.SetConsumers("w", 1))
		if s := stats(t, b, "w"); s.Consumers != 4 || s.InFlight != 4 {
			t.Fatalf("right after shrink: %+v", s)
		}
		time.Sleep(1500 * time.Millisecond)
		if s := stats(t, b, "w"); s.Consumers != 1 || s.Acked != 4 || s.InFlight != 1 {
			t.Fatalf("after the busy ones finished: %+v", s)
		}
		time.Sleep(time.Minute)
		if s := stats(t, b, "w"); s.Acked != 20 {
			t.Fatalf("remaining consumer did not drain: %+v", s)
		}
	})
}

func TestStopWakesBlockedPublishers(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		b, _, _ := newBroker(t, 1)
		must(t, b.CreateTopic("b", TopicConfig{Capacity: 1}))
		must(t, b.Publish("b", 0))
		errs := make(chan error, 3)
		for range 3 {
			go func() { errs <- b.Publish("b", 1) }()
		}
		synctest.Wait()
		if s := stats(t, b, "b"); s.Blocked != 3 {
			t.Fatalf("blocked publishers %d, want 3", s.Blocked)
		}
		b.Stop()
		for range 3 {
			if err := <-errs; err != ErrStopped {
				t.Fatalf("blocked publisher got %v, want ErrStopped", err)
			}
		}
		b.Stop() // idempotent
		if err := b.Publish("b", 2); err != ErrStopped {
			t.Fatalf("publish after Stop: %v", err)
		}
		if err := b.CreateTopic("new", TopicConfig{}); err != ErrStopped {
			t.Fatalf("CreateTopic after Stop: %v", err)
		}
		if err := b.SetConsumers("b", 1); !errors.Is(err, ErrStopped) {
			t.Fatalf("SetConsumers after Stop: %v", err)
		}
		if s := stats(t, b, "b"); s.Depth != 1 || s.Blocked != 0 {
			t.Fatalf("after Stop: %+v", s)
		}
	})
}

func TestStopLetsHandlerFinish(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		b, _, _ := newBroker(t, 1)
		must(t, b.CreateTopic("slow", TopicConfig{RetryDelay: time.Second}))
		must(t, b.Subscribe("slow", 2, func(m *Message) error {
			time.Sleep(10 * time.Second)
			if m.Body == "fail" {
				return errors.New("x")
			}
			return nil
		}))
		must(t, b.Publish("slow", "ok"))
		must(t, b.Publish("slow", "fail"))
		must(t, b.Publish("slow", "waiting"))
		synctest.Wait()
		start := time.Now()
		b.Stop()
		if took := time.Since(start); took != 10*time.Second {
			t.Fatalf("Stop returned after %v, want 10s (the handlers' remaining time)", took)
		}
		s := stats(t, b, "slow")
		if s.Acked != 1 || s.Nacked != 1 || s.Delayed != 1 || s.Depth != 1 || s.Consumers != 0 || s.InFlight != 0 {
			t.Fatalf("after Stop: %+v", s)
		}
	})
}

func TestConfigureLive(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		b, _, rec := newBroker(t, 1)
		must(t, b.CreateTopic("c", TopicConfig{Capacity: 1}))
		must(t, b.Publish("c", 0))
		errs := make(chan error, 2)
		go func() { errs <- b.Publish("c", 1) }()
		go func() { errs <- b.Publish("c", 2) }()
		synctest.Wait()
		must(t, b.Configure("c", TopicConfig{Capacity: 2}))
		if err := <-errs; err != nil {
			t.Fatalf("publisher after growth: %v", err)
		}
		synctest.Wait()
		if s := stats(t, b, "c"); s.Blocked != 1 || s.Depth != 2 {
			t.Fatalf("after growing by one: %+v", s)
		}
		must(t, b.Configure("c", TopicConfig{Capacity: 2, WhenFull: Reject}))
		if err := <-errs; err != ErrFull {
			t.Fatalf("blocked publisher after switch to reject: %v, want ErrFull", err)
		}
		must(t, b.Configure("c", TopicConfig{Capacity: 1, WhenFull: Reject, MaxAttempts: 7, RetryDelay: time.Second, DeadLetter: "graveyard"}))
		cfg, _ := b.Config("c")
		if want := (TopicConfig{Capacity: 1, WhenFull: Reject, MaxAttempts: 7, RetryDelay: time.Second, DeadLetter: "graveyard"}); cfg != want {
			t.Fatalf("Config = %+v, want %+v", cfg, want)
		}
		s := stats(t, b, "c")
		if s.Depth != 2 || s.Capacity != 1 || s.Rejected != 1 {
			t.Fatalf("after shrink below depth: %+v", s)
		}
		if want := []string{"c", "c.dead", "graveyard"}; !slices.Equal(b.Topics(), want) {
			t.Fatalf("topics %v, want %v", b.Topics(), want)
		}
		if n := len(rec.kinds(TopicConfigured)); n != 3 {
			t.Fatalf("%d configured events, want 3", n)
		}
		if n := len(rec.kinds(TopicCreated)); n != 3 {
			t.Fatalf("%d created events, want 3", n)
		}
	})
}

func TestHandlerPanicIsNack(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		b, _, _ := newBroker(t, 1)
		must(t, b.CreateTopic("p", TopicConfig{MaxAttempts: 2}))
		must(t, b.Subscribe("p", 1, func(m *Message) error {
			if m.Attempts == 1 {
				panic("boom")
			}
			if m.LastError != "handler panic: boom" {
				return fmt.Errorf("LastError %q", m.LastError)
			}
			return nil
		}))
		must(t, b.Publish("p", 1))
		synctest.Wait()
		if s := stats(t, b, "p"); s.Nacked != 1 || s.Acked != 1 {
			t.Fatalf("stats: %+v", s)
		}
	})
}

// Events are fired after unlocking: a callback that reads Stats must not
// deadlock.
func TestEventCallbackMayCallBroker(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var b *Broker
		var depths []int
		b = NewBroker(Settings{Clock: clock.New(1), OnEvent: func(e Event) {
			if e.Kind == DeadLettered {
				s, _ := b.Topic(e.DeadTopic)
				depths = append(depths, s.Depth)
			}
			b.Stats()
		}})
		defer b.Stop()
		must(t, b.CreateTopic("t", TopicConfig{MaxAttempts: 1}))
		must(t, b.Subscribe("t", 1, func(*Message) error { return errors.New("x") }))
		must(t, b.Publish("t", 1))
		synctest.Wait()
		if !slices.Equal(depths, []int{1}) {
			t.Fatalf("dead depths seen from callback: %v", depths)
		}
	})
}

// With random failures and several consumers, every message is accounted
// for exactly once.
func TestConservation(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		b, _, _ := newBroker(t, 1)
		must(t, b.CreateTopic("t", TopicConfig{Capacity: 8, MaxAttempts: 3, RetryDelay: 50 * time.Millisecond}))
		rng := rand.New(rand.NewPCG(1, 2))
		var mu sync.Mutex
		must(t, b.Subscribe("t", 3, func(*Message) error {
			mu.Lock()
			fail := rng.IntN(3) == 0
			mu.Unlock()
			time.Sleep(time.Millisecond)
			if fail {
				return errors.New("x")
			}
			return nil
		}))
		var wg sync.WaitGroup
		for p := range 4 {
			wg.Go(func() {
				for i := range 250 {
					must(t, b.Publish("t", p*1000+i))
				}
			})
		}
		wg.Wait()
		time.Sleep(time.Minute)
		s := stats(t, b, "t")
		if s.Published != 1000 || s.Acked+s.DeadLettered+s.Dropped != 1000 || s.Nacked != s.Retried+s.DeadLettered+s.Dropped ||
			s.Delivered != s.Acked+s.Nacked || s.Depth+s.InFlight+s.Delayed != 0 || s.DeadLettered == 0 {
			t.Fatalf("counters do not add up: %+v", s)
		}
		if d := stats(t, b, "t.dead"); d.Depth != int(s.DeadLettered) || d.Rejected != s.Dropped || d.Depth != 8 {
			t.Fatalf("dead topic %+v vs source %+v", d, s)
		}
	})
}

func TestErrors(t *testing.T) {
	b := NewBroker(Settings{})
	defer b.Stop()
	must(t, b.CreateTopic("a", TopicConfig{}))
	h := func(*Message) error { return nil }
	for _, tc := range []struct {
		name string
		err  error
		is   error
	}{
		{"duplicate", b.CreateTopic("a", TopicConfig{}), nil},
		{"dead topic exists already", b.CreateTopic("a.dead", TopicConfig{}), nil},
		{"empty name", b.CreateTopic("", TopicConfig{}), nil},
		{"dash name", b.CreateTopic("-", TopicConfig{}), nil},
		{"space in name", b.CreateTopic("a b", TopicConfig{}), nil},
		{"bad policy", b.CreateTopic("x", TopicConfig{WhenFull: 7}), nil},
		{"self dead letter", b.CreateTopic("y", TopicConfig{DeadLetter: "y"}), nil},
		{"publish unknown", b.Publish("nope", 1), ErrNoTopic},
		{"trypublish unknown", b.TryPublish("nope", 1), ErrNoTopic},
		{"subscribe unknown", b.Subscribe("nope", 1, h), ErrNoTopic},
		{"configure unknown", b.Configure("nope", TopicConfig{}), ErrNoTopic},
		{"nil handler", b.Subscribe("a", 1, nil), nil},
		{"negative consumers", b.Subscribe("a", -1, h), nil},
		{"too many consumers", b.SetConsumers("a", MaxConsumers+1), nil},
		{"set consumers before subscribe", b.SetConsumers("a", 2), nil},
	} {
		if tc.err == nil {
			t.Errorf("%s: no error", tc.name)
		} else if tc.is != nil && !errors.Is(tc.err, tc.is) {
			t.Errorf("%s: %v is not %v", tc.name, tc.err, tc.is)
		}
	}
	if _, ok := b.Topic("nope"); ok {
		t.Error("Topic(unknown) ok")
	}
	if _, err := b.Peek("nope", 1); !errors.Is(err, ErrNoTopic) {
		t.Errorf("Peek(unknown): %v", err)
	}
	if want := []string{"a", "a.dead"}; !slices.Equal(b.Topics(), want) {
		t.Errorf("failed calls changed topics: %v", b.Topics())
	}
}

func TestConfigDefaultsAndClamps(t *testing.T) {
	b := NewBroker(Settings{})
	defer b.Stop()
	must(t, b.CreateTopic("t", TopicConfig{}))
	for _, tc := range []struct {
		in, want TopicConfig
	}{
		{TopicConfig{}, TopicConfig{Capacity: 1024, MaxAttempts: 3, DeadLetter: "t.dead"}},
		{TopicConfig{Capacity: -5, MaxAttempts: -1, RetryDelay: -time.Second}, TopicConfig{Capacity: 1024, MaxAttempts: 3, DeadLetter: "t.dead"}},
		{TopicConfig{Capacity: 1 << 30, WhenFull: Reject, MaxAttempts: 9, DeadLetter: "-"}, TopicConfig{Capacity: 1 << 20, WhenFull: Reject, MaxAttempts: 9, DeadLetter: "-"}},
	} {
		must(t, b.Configure("t", tc.in))
		if got, _ := b.Config("t"); got != tc.want {
			t.Errorf("Config(%+v) = %+v, want %+v", tc.in, got, tc.want)
		}
	}
}

func TestParseFullPolicy(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want FullPolicy
		ok   bool
	}{
		{"block", Block, true}, {" Reject ", Reject, true}, {"BLOCK", Block, true},
		{"", 0, false}, {"drop", 0, false},
	} {
		got, err := ParseFullPolicy(tc.in)
		if (err == nil) != tc.ok || got != tc.want {
			t.Errorf("ParseFullPolicy(%q) = %v, %v", tc.in, got, err)
		}
		if tc.ok && got.String() != strings.ToLower(strings.TrimSpace(tc.in)) {
			t.Errorf("%v.String() = %q", got, got.String())
		}
	}
	if FullPolicy(9).String() != "FullPolicy(9)" {
		t.Error(FullPolicy(9).String())
	}
}

func TestEventKindString(t *testing.T) {
	want := map[EventKind]string{
		TopicCreated: "topic-created", TopicConfigured: "topic-configured", ConsumersChanged: "consumers-changed",
		DeadLettered: "dead-lettered", Dropped: "dropped", 0: "EventKind(0)",
	}
	for k, s := range want {
		if k.String() != s {
			t.Errorf("%d.String() = %q, want %q", int(k), k.String(), s)
		}
	}
}
