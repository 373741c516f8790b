package backend

import (
	"errors"
	"math/rand/v2"
	"slices"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"go.uber.org/goleak"

	"github.com/scalelab/scalelab/components/clock"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

const ms = time.Millisecond

// submit offers req and returns a channel that will hold its Result.
func submit(b *Backend, req Request) <-chan Result {
	ch := make(chan Result, 1)
	b.Submit(req, func(r Result) { ch <- r })
	return ch
}

func mustDist(t *testing.T, s string) Dist {
	t.Helper()
	d, err := ParseDist(s)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// TestQueueWaitsAreExact places arrivals by hand and checks every wait and
// service time to the nanosecond.
func TestQueueWaitsAreExact(t *testing.T) {
	tests := []struct {
		name      string
		workers   int
		service   string
		arrivals  []time.Duration // offsets from t0
		wantWaits []time.Duration // sorted
		wantEnds  []time.Duration // sorted offsets from t0
	}{
		{"one worker, three together", 1, "const:10ms", []time.Duration{0, 0, 0},
			[]time.Duration{0, 10 * ms, 20 * ms}, []time.Duration{10 * ms, 20 * ms, 30 * ms}},
		{"two workers, five together", 2, "const:10ms", []time.Duration{0, 0, 0, 0, 0},
			[]time.Duration{0, 0, 10 * ms, 10 * ms, 20 * ms}, []time.Duration{10 * ms, 10 * ms, 20 * ms, 20 * ms, 30 * ms}},
		{"one worker, spaced", 1, "const:10ms", []time.Duration{0, 5 * ms, 30 * ms},
			[]time.Duration{0, 0, 5 * ms}, []time.Duration{10 * ms, 20 * ms, 40 * ms}},
		{"zero service", 1, "0", []time.Duration{0, 0}, []time.Duration{0, 0}, []time.Duration{0, 0}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				clk := clock.New(1)
				b := New(Settings{Workers: tt.workers, QueueSize: 64, Service: mustDist(t, tt.service), Clock: clk})
				defer b.Stop()
				t0 := clk.Now()
				var chans []<-chan Result
				for _, a := range tt.arrivals {
					chans = append(chans, submit(b, Request{Arrive: t0.Add(a)}))
				}
				var waits, ends []time.Duration
				for i, ch := range chans {
					r := <-ch
					if r.Err != nil || r.Service != b.Stats().Service.Mean() {
						t.Errorf("request %d: %+v", i, r)
					}
					if r.End.Sub(t0.Add(tt.arrivals[i])) != r.QueueWait+r.Service {
						t.Errorf("request %d: End-Arrive != QueueWait+Service: %+v", i, r)
					}
					waits = append(waits, r.QueueWait)
					ends = append(ends, r.End.Sub(t0))
				}
				slices.Sort(waits)
				slices.Sort(ends)
				if !slices.Equal(waits, tt.wantWaits) || !slices.Equal(ends, tt.wantEnds) {
					t.Errorf("waits %v ends %v; want %v, %v", waits, ends, tt.wantWaits, tt.wantEnds)
				}
				s := b.Stats()
				var sumWait time.Duration
				for _, w := range tt.wantWaits {
					sumWait += w
				}
				if s.Completed != uint64(len(chans)) || s.QueueWaitTotal != sumWait {
					t.Errorf("stats %+v", s)
				}
			})
		})
	}
}

func TestRejectsWhenQueueFull(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		clk := clock.New(1)
		b := New(Settings{Workers: 1, QueueSize: 2, Service: mustDist(t, "const:10ms"), Clock: clk})
		defer b.Stop()
		var chans []<-chan Result
		for range 3 {
			chans = append(chans, submit(b, Request{}))
		}
		// One in service (or about to be), two queued: the fourth is turned away inline.
		r := <-submit(b, Request{})
		if !errors.Is(r.Err, ErrRejected) || r.Worker != -1 || r.End != clk.Now() {
			t.Fatalf("fourth request: %+v, want ErrRejected at once", r)
		}
		for _, ch := range chans {
			if r := <-ch; r.Err != nil {
				t.Fatalf("admitted request failed: %+v", r)
			}
		}
		s := b.Stats()
		if s.Accepted != 3 || s.Rejected != 1 || s.Completed != 3 || s.QueueCap != 2 {
			t.Fatalf("stats %+v", s)
		}
		// Live resize: with room for 5, the same burst of 6 loses only one.
		b.SetQueueSize(5)
		chans = chans[:0]
		for range 7 {
			chans = append(chans, submit(b, Request{}))
		}
		rejected := 0
		for _, ch := range chans {
			if r := <-ch; errors.Is(r.Err, ErrRejected) {
				rejected++
			}
		}
		if rejected != 1 {
			t.Fatalf("queue 5 + 1 worker, 7 offered: %d rejected, want 1", rejected)
		}
	})
}

func TestQueueSizeZeroAcceptsOnlyIdleWorkers(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		b := New(Settings{Workers: 2, QueueSize: 0, Service: mustDist(t, "const:10ms")})
		defer b.Stop()
		a, c := submit(b, Request{}), submit(b, Request{})
		if r := <-submit(b, Request{}); !errors.Is(r.Err, ErrRejected) {
			t.Fatalf("third request with two workers busy: %+v", r)
		}
		<-a
		<-c
		// A caller that has its answer finds the worker free again.
		for i := range 5 {
			if r := b.Do(Request{}); r.Err != nil || r.QueueWait != 0 {
				t.Fatalf("sequential Do %d: %+v", i, r)
			}
		}
	})
}

func TestDownRefuses(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		clk := clock.New(1)
		var events []Event
		b := New(Settings{Name: "db-1", Workers: 1, QueueSize: 64, Service: mustDist(t, "const:10ms"), Clock: clk,
			OnEvent: func(e Event) { events = append(events, e) }})
		defer b.Stop()
		t0 := clk.Now()
		first := submit(b, Request{})
		synctest.Wait() // the worker is serving the first job
		queued := []<-chan Result{submit(b, Request{}), submit(b, Request{})}
		b.SetDown(true)
		if r := b.Do(Request{}); !errors.Is(r.Err, ErrDown) || r.End != t0 {
			t.Fatalf("request to a down backend: %+v", r)
		}
		if r := <-first; r.Err != nil || r.End != t0.Add(10*ms) {
			t.Fatalf("job in service when killed: %+v, want success at 10ms", r)
		}
		for _, ch := range queued {
			if r := <-ch; !errors.Is(r.Err, ErrDown) || r.End != t0.Add(10*ms) || r.QueueWait != 10*ms {
				t.Fatalf("queued job when killed: %+v, want ErrDown at 10ms", r)
			}
		}
		s := b.Stats()
		if s.Refused != 3 || s.Accepted != 3 || s.Completed != 1 || s.Health != Down {
			t.Fatalf("stats %+v", s)
		}
		b.SetDown(false)
		if r := b.Do(Request{}); r.Err != nil {
			t.Fatalf("after revive: %+v", r)
		}
		want := []Event{{"db-1", t0, Up, Down}, {"db-1", t0.Add(10 * ms), Down, Up}}
		if !slices.Equal(events, want) {
			t.Fatalf("events %v, want %v", events, want)
		}
	})
}

func TestErrorRate(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		const seed, n, p = 42, 2000, 0.3
		b := New(Settings{Workers: 1, Service: mustDist(t, "const:1ms"), Seed: seed})
		defer b.Stop()
		b.SetErrorRate(p)
		// Oracle: const service draws nothing, so worker 0 draws one Float64 per request.
		r := rand.New(rand.NewPCG(seed, 0))
		want := 0
		for range n {
			if r.Float64() < p {
				want++
			}
		}
		got := 0
		for range n {
			res := b.Do(Request{})
			if errors.Is(res.Err, ErrInjected) {
				got++
				if res.Service != ms {
					t.Fatalf("failed request still takes its service time: %+v", res)
				}
			} else if res.Err != nil {
				t.Fatal(res.Err)
			}
		}
		s := b.Stats()
		if got != want || s.Errors != uint64(want) || s.Completed != n {
			t.Fatalf("%d errors (stats %d) of %d, want %d", got, s.Errors, n, want)
		}
		if got < 540 || got > 660 {
			t.Fatalf("%d errors of %d at p=0.3", got, n)
		}
		for _, tt := range []struct{ in, want float64 }{{-1, 0}, {2, 1}, {0.5, 0.5}} {
			b.SetErrorRate(tt.in)
			if s := b.Stats(); s.ErrorRate != tt.want {
				t.Errorf("SetErrorRate(%v): %v", tt.in, s.ErrorRate)
			}
		}
	})
}

func TestHangWithTimeout(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		clk := clock.New(1)
		b := New(Settings{Workers: 1, QueueSize: 64, Service: mustDist(t, "const:10ms"), Clock: clk})
		defer b.Stop()
		b.SetHang(true)
		t0 := clk.Now()
		hung := submit(b, Request{Timeout: 50 * ms})
		next := submit(b, Request{Arrive: t0}) // queued behind the hung job
		r := <-hung
		if !errors.Is(r.Err, ErrTimeout) || r.End != t0.Add(50*ms) || r.Service != 50*ms || clk.Now() != r.End {
			t.Fatalf("hung job with timeout: %+v at %v", r, clk.Now().Sub(t0))
		}
		b.SetHang(false)
		// The worker was held until 50ms; the next job waited until then and
		// is served from the unhang at 50ms.
		if r := <-next; r.Err != nil || r.QueueWait != 50*ms || r.End != t0.Add(60*ms) {
			t.Fatalf("job behind a hung one: %+v", r)
		}
		if s := b.Stats(); s.Timeouts != 1 || s.Completed != 2 {
			t.Fatalf("stats %+v", s)
		}
	})
}

func TestHangWithoutTimeoutWaitsForUnhang(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		clk := clock.New(1)
		var events []Event
		b := New(Settings{Workers: 1, Service: mustDist(t, "const:10ms"), Clock: clk,
			OnEvent: func(e Event) { events = append(events, e) }})
		defer b.Stop()
		b.SetHang(true)
		t0 := clk.Now()
		ch := submit(b, Request{})
		time.Sleep(100 * ms)
		synctest.Wait()
		if s := b.Stats(); s.Busy != 1 || s.Completed != 0 || s.Health != Hung {
			t.Fatalf("while hung: %+v", s)
		}
		b.SetHang(false)
		r := <-ch
		if r.Err != nil || r.Start != t0 || r.End != t0.Add(110*ms) || r.Service != 110*ms {
			t.Fatalf("after unhang: %+v", r)
		}
		want := []Event{{"", t0, Up, Hung}, {"", t0.Add(100 * ms), Hung, Up}}
		if !slices.Equal(events, want) {
			t.Fatalf("events %v", events)
		}
	})
}

func TestTimeoutOnSlowService(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		clk := clock.New(1)
		b := New(Settings{Workers: 1, QueueSize: 64, Service: mustDist(t, "const:10ms"), Clock: clk})
		defer b.Stop()
		b.SetSlow(90 * ms)
		t0 := clk.Now()
		a := submit(b, Request{Arrive: t0, Timeout: 30 * ms})
		c := submit(b, Request{Arrive: t0, Timeout: 50 * ms}) // gives up while queued
		d := submit(b, Request{Arrive: t0})
		r := <-a
		if !errors.Is(r.Err, ErrTimeout) || r.End != t0.Add(30*ms) || clk.Now() != r.End ||
			r.QueueWait != 0 || r.Service != 30*ms {
			t.Fatalf("slow job with timeout: %+v", r)
		}
		// The caller of c left at 50ms while its job was queued; the worker
		// only finds out at 100ms, and still serves it (100..200ms).
		r = <-c
		if !errors.Is(r.Err, ErrTimeout) || r.End != t0.Add(50*ms) || r.QueueWait != 50*ms || r.Service != 0 ||
			clk.Now() != t0.Add(100*ms) {
			t.Fatalf("job that timed out in the queue: %+v", r)
		}
		r = <-d
		if r.Err != nil || r.Start != t0.Add(200*ms) || r.End != t0.Add(300*ms) {
			t.Fatalf("job behind two abandoned ones: %+v", r)
		}
		s := b.Stats()
		if s.Timeouts != 2 || s.Completed != 3 || s.ServiceTotal != 300*ms || s.QueueWaitTotal != 300*ms || s.Health != Slow {
			t.Fatalf("stats %+v", s)
		}
	})
}

func TestHandlerRunsAfterService(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		clk := clock.New(1)
		b := New(Settings{Workers: 1, Service: mustDist(t, "const:10ms"), Clock: clk})
		defer b.Stop()
		t0 := clk.Now()
		boom := errors.New("db said no")
		var got time.Time
		h := func(start time.Time) (time.Time, error) { got = start; return start.Add(25 * ms), boom }
		r := b.Do(Request{Handler: h})
		if got != t0.Add(10*ms) || r.End != t0.Add(35*ms) || r.Service != 35*ms || !errors.Is(r.Err, boom) {
			t.Fatalf("handler start %v, result %+v", got.Sub(t0), r)
		}
		// The handler returned a lab time ahead of the clock; the worker is
		// logically busy until then, so the next request arrives at r.End.
		t1 := r.End
		r = b.Do(Request{Arrive: t1, Handler: h, Timeout: 20 * ms}) // the handler makes it late
		if !errors.Is(r.Err, ErrTimeout) || r.End != t1.Add(20*ms) {
			t.Fatalf("late handler: %+v", r)
		}
		if s := b.Stats(); s.Errors != 1 || s.Timeouts != 1 || s.Completed != 2 {
			t.Fatalf("stats %+v", s)
		}
	})
}

func aliveWorkers(b *Backend) int {
	b.mu.Lock()
	defer b.mu.Unlock()
	n := 0
	for _, w := range b.workers {
		if w.alive {
			n++
		}
	}
	return n
}

func TestSetWorkers(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		clk := clock.New(1)
		b := New(Settings{Workers: 1, QueueSize: 64, Service: mustDist(t, "const:10ms"), Clock: clk})
		defer b.Stop()
		t0 := clk.Now()
		var chans []<-chan Result
		for range 4 {
			chans = append(chans, submit(b, Request{Arrive: t0}))
		}
		synctest.Wait() // one worker busy, three queued
		if s := b.Stats(); s.Busy != 1 || s.Queued != 3 {
			t.Fatalf("before growing: %+v", s)
		}
		b.SetWorkers(4) // the new workers take the queue at once
		for _, ch := range chans {
			if r := <-ch; r.End != t0.Add(10*ms) || r.QueueWait != 0 {
				t.Fatalf("after growing: %+v", r)
			}
		}
		synctest.Wait()
		if n := aliveWorkers(b); n != 4 {
			t.Fatalf("%d workers alive, want 4", n)
		}

		// Shrink while all four are busy: the surplus finish, then leave.
		t1 := clk.Now()
		chans = chans[:0]
		for range 7 {
			chans = append(chans, submit(b, Request{Arrive: t1}))
		}
		synctest.Wait()
		b.SetWorkers(1)
		var waits []time.Duration
		for _, ch := range chans {
			waits = append(waits, (<-ch).QueueWait)
		}
		slices.Sort(waits)
		if want := []time.Duration{0, 0, 0, 0, 10 * ms, 20 * ms, 30 * ms}; !slices.Equal(waits, want) {
			t.Fatalf("waits after shrinking to 1: %v, want %v", waits, want)
		}
		synctest.Wait()
		if n := aliveWorkers(b); n != 1 {
			t.Fatalf("%d workers alive, want 1", n)
		}

		// Idle workers are woken to leave; growing again reuses their slots.
		b.SetWorkers(3)
		b.SetWorkers(2)
		synctest.Wait()
		if n, s := aliveWorkers(b), b.Stats(); n != 2 || s.Workers != 2 {
			t.Fatalf("%d alive, stats %+v", n, s)
		}
		for _, tt := range []struct{ in, want int }{{0, 1}, {-5, 1}, {5000, MaxWorkers}} {
			b.SetWorkers(tt.in)
			if s := b.Stats(); s.Workers != tt.want {
				t.Errorf("SetWorkers(%d): %d", tt.in, s.Workers)
			}
		}
	})
}

func TestStopFailsWaitingJobs(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		clk := clock.New(1)
		b := New(Settings{Workers: 2, QueueSize: 64, Service: mustDist(t, "const:1s"), Clock: clk})
		t0 := clk.Now()
		b.SetHang(true)
		hung := submit(b, Request{})
		synctest.Wait()
		b.SetHang(false)
		serving := submit(b, Request{})
		queued := submit(b, Request{})
		time.Sleep(100 * ms)
		b.Stop()
		b.Stop() // idempotent
		for name, ch := range map[string]<-chan Result{"hung": hung, "serving": serving, "queued": queued} {
			if r := <-ch; !errors.Is(r.Err, ErrStopped) {
				t.Errorf("%s job: %+v, want ErrStopped", name, r)
			}
		}
		if r := b.Do(Request{}); !errors.Is(r.Err, ErrStopped) || r.End != t0.Add(100*ms) {
			t.Fatalf("after Stop: %+v", r)
		}
		if n := aliveWorkers(b); n != 0 {
			t.Fatalf("%d workers alive after Stop", n)
		}
		b.SetWorkers(8) // starts nothing
		if n := aliveWorkers(b); n != 0 {
			t.Fatalf("SetWorkers after Stop started %d workers", n)
		}
	})
}

func TestStopWithHungWorker(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		b := New(Settings{Workers: 1})
		b.SetHang(true)
		ch := submit(b, Request{})
		synctest.Wait()
		b.Stop()
		if r := <-ch; !errors.Is(r.Err, ErrStopped) {
			t.Fatalf("hung job at Stop: %+v", r)
		}
	})
}

func TestHealthTransitions(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var mu sync.Mutex
		var got []string
		b := New(Settings{Name: "web-1", OnEvent: func(e Event) {
			mu.Lock()
			got = append(got, e.From.String()+">"+e.To.String())
			mu.Unlock()
		}})
		defer b.Stop()
		steps := []struct {
			do   func()
			want Health
		}{
			{func() { b.SetSlow(200 * ms) }, Slow},
			{func() { b.SetSlow(300 * ms) }, Slow}, // no change, no event
			{func() { b.SetErrorRate(0.3) }, Failing},
			{func() { b.SetHang(true) }, Hung},
			{func() { b.SetDown(true) }, Down},
			{func() { b.SetHang(false) }, Down},
			{func() { b.SetDown(false) }, Failing},
			{func() { b.SetErrorRate(0) }, Slow},
			{func() { b.SetSlow(-time.Second) }, Up},
		}
		for i, s := range steps {
			s.do()
			if h := b.Health(); h != s.want {
				t.Fatalf("step %d: health %v, want %v", i, h, s.want)
			}
		}
		want := []string{"up>slow", "slow>failing", "failing>hung", "hung>down", "down>failing", "failing>slow", "slow>up"}
		if !slices.Equal(got, want) {
			t.Fatalf("events %v, want %v", got, want)
		}
	})
}

func TestHealthString(t *testing.T) {
	want := []string{"up", "slow", "failing", "hung", "down"}
	for h := Up; h <= Down; h++ {
		if h.String() != want[h] {
			t.Errorf("Health(%d).String() = %q", int(h), h.String())
		}
	}
	if s := Health(9).String(); s != "health(9)" {
		t.Errorf("unknown health: %q", s)
	}
}

func TestSettingsDefaults(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		b := New(Settings{QueueSize: -1})
		defer b.Stop()
		if s := b.Stats(); s.Workers != DefaultWorkers || s.QueueCap != DefaultQueueSize || s.Service != (Dist{}) || s.Health != Up {
			t.Fatalf("defaults: %+v", s)
		}
		c := New(Settings{Workers: 1 << 20, QueueSize: 1 << 30})
		defer c.Stop()
		if s := c.Stats(); s.Workers != MaxWorkers || s.QueueCap != MaxQueueSize {
			t.Fatalf("limits: %+v", s)
		}
		b.SetQueueSize(-3)
		if s := b.Stats(); s.QueueCap != 0 {
			t.Fatalf("SetQueueSize(-3): %d", s.QueueCap)
		}
		b.Submit(Request{}, nil) // a nil done is allowed
	})
}

// TestLongRunMean runs 20,000 exp:20ms requests through four workers and
// checks the measured mean service time, at normal speed and at 10x.
func TestLongRunMean(t *testing.T) {
	for _, speed := range []float64{1, 10} {
		t.Run("", func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				clk := clock.New(speed)
				b := New(Settings{Workers: 4, Service: mustDist(t, "exp:20ms"), Clock: clk, Seed: 1})
				defer b.Stop()
				const clients, each = 4, 5000
				var wg sync.WaitGroup
				sums := make([]time.Duration, clients)
				for c := range clients {
					wg.Go(func() {
						for range each {
							r := b.Do(Request{})
							if r.Err != nil {
								t.Error(r.Err)
								return
							}
							sums[c] += r.Service
						}
					})
				}
				wg.Wait()
				var sum time.Duration
				for _, s := range sums {
					sum += s
				}
				mean := sum / (clients * each)
				s := b.Stats()
				if s.Completed != clients*each || s.ServiceTotal != sum {
					t.Fatalf("stats %+v, summed service %v", s, sum)
				}
				if mean < 19600*time.Microsecond || mean > 20400*time.Microsecond {
					t.Fatalf("speed %v: mean service %v, want 20ms within 2%%", speed, mean)
				}
			})
		})
	}
}

// Pass answers a free job on the spot and counts it; a fault or a service
// time makes it refuse, so the caller queues the job as usual.
func TestPass(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		b := New(Settings{Name: "cache", Workers: 1, QueueSize: 1, Service: Dist{}})
		defer b.Stop()
		if !b.Pass() || !b.Pass() {
			t.Fatal("an idle, healthy, zero-service backend refused to pass a job")
		}
		if s := b.Stats(); s.Accepted != 2 || s.Completed != 2 {
			t.Fatalf("after two passes: accepted %d, completed %d; want 2, 2", s.Accepted, s.Completed)
		}
		b.SetSlow(time.Millisecond)
		if b.Pass() {
			t.Error("a slow backend passed a job")
		}
		b.SetSlow(0)
		b.SetDown(true)
		if b.Pass() {
			t.Error("a down backend passed a job")
		}
		b.SetDown(false)
		b.SetService(Dist{Kind: Const, A: time.Millisecond})
		if b.Pass() {
			t.Error("a backend with a service time passed a job")
		}
		if s := b.Stats(); s.Completed != 2 {
			t.Errorf("refused passes were counted: completed %d, want 2", s.Completed)
		}
	})
}
