package breaker

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"go.uber.org/goleak"
)

// fakeClock is an injected Now that moves only when told to.
type fakeClock struct{ t time.Time }

func (c *fakeClock) Now() time.Time          { return c.t }
func (c *fakeClock) Advance(d time.Duration) { c.t = c.t.Add(d) }

var t0 = time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)

type op int

const (
	succeed op = iota // Allow then Done(true)
	fail              // Allow then Done(false)
	wait              // advance the clock by d
	take              // Allow and keep the ticket (an in-flight call)
)

type step struct {
	op      op
	d       time.Duration
	wantErr error // from Allow (succeed/fail/take)
	want    State // State() after the step
}

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func TestTransitions(t *testing.T) {
	base := Settings{Name: "payments", Threshold: 3, OpenFor: 10 * time.Second, HalfOpenMax: 2}
	tests := []struct {
		name  string
		steps []step
		want  []Transition // offsets from t0 in At
	}{
		{
			name: "closed stays closed below threshold",
			steps: []step{
				{op: fail, want: Closed}, {op: fail, want: Closed},
				{op: succeed, want: Closed}, // a success resets the streak
				{op: fail, want: Closed}, {op: fail, want: Closed},
			},
		},
		{
			name: "closed to open at threshold",
			steps: []step{
				{op: fail, want: Closed}, {op: fail, want: Closed}, {op: fail, want: Open},
				{op: succeed, wantErr: ErrOpen, want: Open},
			},
			want: []Transition{{At: t0, From: Closed, To: Open}},
		},
		{
			name: "open to half-open exactly when OpenFor has elapsed",
			steps: []step{
				{op: fail}, {op: fail}, {op: fail, want: Open},
				{op: wait, d: 10*time.Second - 1, want: Open},
				{op: take, wantErr: ErrOpen, want: Open},
				{op: wait, d: 1, want: HalfOpen},
			},
			want: []Transition{
				{At: t0, From: Closed, To: Open},
				{At: t0.Add(10 * time.Second), From: Open, To: HalfOpen},
			},
		},
		{
			name: "half-open to closed when every trial succeeds",
			steps: []step{
				{op: fail}, {op: fail}, {op: fail, want: Open},
				{op: wait, d: 10 * time.Second, want: HalfOpen},
				{op: succeed, want: HalfOpen},
				{op: wait, d: time.Second, want: HalfOpen},
				{op: succeed, want: Closed},
			},
			want: []Transition{
				{At: t0, From: Closed, To: Open},
				{At: t0.Add(10 * time.Second), From: Open, To: HalfOpen},
				{At: t0.Add(11 * time.Second), From: HalfOpen, To: Closed},
			},
		},
		{
			name: "half-open back to open on a failed trial",
			steps: []step{
				{op: fail}, {op: fail}, {op: fail, want: Open},
				{op: wait, d: 10 * time.Second, want: HalfOpen},
				{op: succeed, want: HalfOpen},
				{op: fail, want: Open},
				{op: wait, d: 10*time.Second - 1, want: Open},
				{op: wait, d: 1, want: HalfOpen},
			},
			want: []Transition{
				{At: t0, From: Closed, To: Open},
				{At: t0.Add(10 * time.Second), From: Open, To: HalfOpen},
				{At: t0.Add(10 * time.Second), From: HalfOpen, To: Open},
				{At: t0.Add(20 * time.Second), From: Open, To: HalfOpen},
			},
		},
		{
			name: "half-open rejects calls beyond HalfOpenMax",
			steps: []step{
				{op: fail}, {op: fail}, {op: fail, want: Open},
				{op: wait, d: 10 * time.Second, want: HalfOpen},
				{op: take, want: HalfOpen},
				{op: take, want: HalfOpen},
				{op: take, wantErr: ErrTooManyRequests, want: HalfOpen},
			},
			want: []Transition{
				{At: t0, From: Closed, To: Open},
				{At: t0.Add(10 * time.Second), From: Open, To: HalfOpen},
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			clk := &fakeClock{t: t0}
			var calls []Transition
			s := base
			s.Now = clk.Now
			s.OnStateChange = func(name string, from, to State, at time.Time) {
				if name != "payments" {
					t.Errorf("callback name = %q", name)
				}
				calls = append(calls, Transition{At: at, From: from, To: to})
			}
			b := New(s)
			var rejected uint64
			for i, st := range tt.steps {
				switch st.op {
				case wait:
					clk.Advance(st.d)
				default:
					tk, err := b.Allow()
					if err != st.wantErr {
						t.Fatalf("step %d: Allow err = %v, want %v", i, err, st.wantErr)
					}
					if err != nil {
						rejected++
					} else if st.op != take {
						b.Done(tk, st.op == succeed)
					}
				}
				if got := b.State(); got != st.want {
					t.Fatalf("step %d: state = %v, want %v", i, got, st.want)
				}
			}
			stats := b.Stats()
			if !slices.Equal(stats.Transitions, tt.want) {
				t.Errorf("Stats.Transitions = %v, want %v", stats.Transitions, tt.want)
			}
			if !slices.Equal(calls, tt.want) {
				t.Errorf("OnStateChange calls = %v, want %v", calls, tt.want)
			}
			if stats.Rejected != rejected {
				t.Errorf("Rejected = %d, want %d", stats.Rejected, rejected)
			}
		})
	}
}

func TestStaleDoneIsIgnored(t *testing.T) {
	clk := &fakeClock{t: t0}
	b := New(Settings{Threshold: 2, OpenFor: time.Second, Now: clk.Now})
	slow, err := b.Allow() // a slow call starts while Closed
	if err != nil {
		t.Fatal(err)
	}
	for range 2 {
		tk, _ := b.Allow()
		b.Done(tk, false)
	}
	if got := b.State(); got != Open {
		t.Fatalf("state = %v, want open", got)
	}
	b.Done(slow, false) // finishes after the trip: from generation Closed
	clk.Advance(time.Second)
	if got := b.State(); got != HalfOpen {
		t.Fatalf("state = %v, want half-open", got)
	}
	b.Done(slow, true) // still stale: must not close the breaker
	b.Done(Ticket{}, true)
	st := b.Stats()
	if st.State != HalfOpen || st.Counts != (Counts{}) {
		t.Fatalf("after stale Done: state %v counts %+v, want half-open and zero counts", st.State, st.Counts)
	}
	if st.Successes != 0 || st.Failures != 2 {
		t.Fatalf("Successes/Failures = %d/%d, want 0/2", st.Successes, st.Failures)
	}
}

func TestIntervalResetsClosedCounts(t *testing.T) {
	clk := &fakeClock{t: t0}
	b := New(Settings{Threshold: 3, Interval: 10 * time.Second, Now: clk.Now})
	before, _ := b.Allow() // issued in the first window
	for range 2 {
		tk, _ := b.Allow()
		b.Done(tk, false)
	}
	if c := b.Stats().Counts; c != (Counts{Requests: 3, TotalFailures: 2, ConsecutiveFailures: 2}) {
		t.Fatalf("counts = %+v", c)
	}
	clk.Advance(10 * time.Second) // window ends: counts cleared, generation bumped
	b.Done(before, false)         // stale: must not count
	tk, _ := b.Allow()
	b.Done(tk, false)
	st := b.Stats()
	if st.State != Closed {
		t.Fatalf("state = %v, want closed (failures were in different windows)", st.State)
	}
	if want := (Counts{Requests: 1, TotalFailures: 1, ConsecutiveFailures: 1}); st.Counts != want {
		t.Fatalf("counts = %+v, want %+v", st.Counts, want)
	}
	for range 2 {
		tk, _ := b.Allow()
		b.Done(tk, false)
	}
	if got := b.State(); got != Open {
		t.Fatalf("three failures in one window: state = %v, want open", got)
	}
}

func TestCallbackMayCallBreaker(t *testing.T) {
	var b *Breaker
	var seen []string
	clk := &fakeClock{t: t0}
	b = New(Settings{Threshold: 1, OpenFor: time.Second, Now: clk.Now,
		OnStateChange: func(_ string, from, to State, _ time.Time) {
			if !b.mu.TryLock() {
				t.Fatal("OnStateChange called with the breaker locked")
			}
			b.mu.Unlock()
			// Calling back in would deadlock if the callback ran under the lock.
			seen = append(seen, fmt.Sprintf("%v->%v state=%v stats=%v", from, to, b.State(), b.Stats().State))
		}})
	b.Execute(func() error { return errors.New("down") })
	clk.Advance(time.Second)
	b.State()
	want := []string{"closed->open state=open stats=open", "open->half-open state=half-open stats=half-open"}
	if !slices.Equal(seen, want) {
		t.Fatalf("callbacks = %q, want %q", seen, want)
	}
}

func TestLazyTimingSynctest(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		b := New(Settings{OpenFor: 10 * time.Second}) // default Now inside the bubble: fake time
		for range DefaultThreshold {
			if err := b.Execute(func() error { return errors.New("down") }); err == nil || err == ErrOpen {
				t.Fatalf("Execute err = %v, want the function's error", err)
			}
		}
		opened := time.Now()
		if err := b.Execute(func() error { return nil }); err != ErrOpen {
			t.Fatalf("err = %v, want ErrOpen", err)
		}
		if st := b.Stats(); !st.OpenUntil.Equal(opened.Add(10 * time.Second)) {
			t.Fatalf("OpenUntil = %v, want %v", st.OpenUntil, opened.Add(10*time.Second))
		}
		time.Sleep(10*time.Second - time.Nanosecond)
		if _, err := b.Allow(); err != ErrOpen {
			t.Fatalf("1ns early: err = %v, want ErrOpen", err)
		}
		time.Sleep(time.Nanosecond)
		if err := b.Execute(func() error { return nil }); err != nil {
			t.Fatalf("trial call: err = %v", err)
		}
		st := b.Stats()
		if st.State != Closed || st.Rejected != 2 {
			t.Fatalf("state %v rejected %d, want closed and 2", st.State, st.Rejected)
		}
		want := []State{Open, HalfOpen, Closed}
		for i, tr := range st.Transitions {
			if tr.To != want[i] {
				t.Fatalf("transition %d to %v, want %v", i, tr.To, want[i])
			}
		}
	})
}

func TestDefaultsAndConfigure(t *testing.T) {
	b := New(Settings{Threshold: -1, OpenFor: -time.Second, HalfOpenMax: 0, Interval: -1})
	st := b.Stats()
	if st.Threshold != 5 || st.OpenFor != 10*time.Second || st.HalfOpenMax != 1 || st.State != Closed {
		t.Fatalf("defaults: %+v", st)
	}
	b.Configure(2, 0, 0)
	b.Configure(0, 3*time.Second, -4)
	b.Configure(-1, -1, 3)
	b.Configure(math.MaxInt, 0, 0)
	st = b.Stats()
	if st.Threshold != math.MaxInt32 || st.OpenFor != 3*time.Second || st.HalfOpenMax != 3 {
		t.Fatalf("after Configure: %+v", st)
	}
}

func TestConfigureLive(t *testing.T) {
	clk := &fakeClock{t: t0}
	b := New(Settings{Threshold: 10, OpenFor: time.Minute, Now: clk.Now})
	for range 3 {
		tk, _ := b.Allow()
		b.Done(tk, false)
	}
	b.Configure(2, 5*time.Second, 0) // lower threshold: the next failure trips
	tk, _ := b.Allow()
	b.Done(tk, false)
	st := b.Stats()
	if st.State != Open || !st.OpenUntil.Equal(t0.Add(5*time.Second)) {
		t.Fatalf("state %v until %v, want open until +5s", st.State, st.OpenUntil)
	}
}

func TestExecute(t *testing.T) {
	b := New(Settings{Threshold: 1})
	if err := b.Execute(nil); err == nil {
		t.Fatal("Execute(nil) = nil, want an error")
	}
	boom := errors.New("boom")
	if err := b.Execute(func() error { return boom }); err != boom {
		t.Fatalf("err = %v, want boom", err)
	}
	if b.State() != Open {
		t.Fatal("want open after one failure with Threshold 1")
	}

	p := New(Settings{Threshold: 1})
	func() {
		defer func() {
			if recover() == nil {
				t.Fatal("panic was swallowed")
			}
		}()
		p.Execute(func() error { panic("fn") })
	}()
	if st := p.Stats(); st.State != Open || st.Failures != 1 {
		t.Fatalf("after panic: %v failures %d, want open and 1", st.State, st.Failures)
	}
}

func TestTransitionLogKeepsLast32(t *testing.T) {
	clk := &fakeClock{t: t0}
	b := New(Settings{Threshold: 1, OpenFor: time.Second, Now: clk.Now})
	for range 20 { // 3 transitions per cycle: 60 in all
		b.Execute(func() error { return errors.New("x") })
		clk.Advance(time.Second)
		b.Execute(func() error { return nil })
	}
	trs := b.Stats().Transitions
	if len(trs) != 32 {
		t.Fatalf("len = %d, want 32", len(trs))
	}
	// Transition 28 (0-based) of 60 is the oldest kept: 28 = 9*3+1, open→half-open.
	if trs[0].From != Open || trs[0].To != HalfOpen || !trs[0].At.Equal(t0.Add(10*time.Second)) {
		t.Fatalf("oldest kept = %+v", trs[0])
	}
	last := trs[31]
	if last.From != HalfOpen || last.To != Closed || !last.At.Equal(t0.Add(20*time.Second)) {
		t.Fatalf("newest = %+v", last)
	}
}

func TestStateString(t *testing.T) {
	for s, want := range map[State]string{Closed: "closed", HalfOpen: "half-open", Open: "open", 7: "state(7)"} {
		if got := s.String(); got != want {
			t.Errorf("%d.String() = %q, want %q", int(s), got, want)
		}
	}
}

// TestConcurrent hammers one breaker from many goroutines; run with -race.
func TestConcurrent(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		b := New(Settings{Threshold: 3, OpenFor: time.Millisecond, HalfOpenMax: 2})
		var wg sync.WaitGroup
		for g := range 8 {
			wg.Go(func() {
				for i := range 2000 {
					b.Execute(func() error {
						if (i/10+g)%3 == 0 { // runs of ten failures
							return errors.New("x")
						}
						return nil
					})
					if i%100 == 0 {
						time.Sleep(time.Millisecond)
					}
				}
			})
		}
		wg.Wait()
		st := b.Stats()
		if st.Successes+st.Failures+st.Rejected > 16000 || st.Rejected == 0 || st.Failures == 0 {
			t.Fatalf("implausible totals: %+v", st)
		}
	})
}
