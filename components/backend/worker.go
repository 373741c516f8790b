package backend

import (
	"math/rand/v2"
	"time"

	"github.com/scalelab/scalelab/components/clock"
)

// worker is one thread of the pool. Its fields other than alive belong to
// the worker's goroutine alone.
type worker struct {
	id    int
	rng   *rand.Rand // PCG(seed, id)
	free  time.Time  // lab time the last job ended (logical, never a wake-up time)
	alive bool       // a goroutine runs this slot; guarded by Backend.mu
}

// outcomeKind says how a job left its worker.
type outcomeKind int

const (
	served  outcomeKind = iota // answered (success, error or timeout)
	refused                    // reached while the backend was down
	stopped                    // interrupted by Stop
)

// outcome is what serve reports back to the locked wrapper.
type outcome struct {
	kind      outcomeKind
	res       Result
	sent      bool          // res was already delivered (caller timed out early)
	timedOut  bool          // res is ErrTimeout
	queueWait time.Duration // server view: start − arrive
	busy      time.Duration // server view: how long the worker was occupied
}

// serve runs one job on the lab clock, on logical time: the job starts at
// max(arrive, w.free), the worker sleeps until start + service, and the
// timestamps it reports are those deadlines, never the (late) moment the
// worker actually woke. So overshoot never accumulates.
//
// A caller with a Timeout leaves at arrive+Timeout. If the answer would come
// later, serve sleeps until that deadline, hands ErrTimeout to early, and
// keeps sleeping to the end of the service: the server cannot know its
// caller left and the worker stays occupied (the wasted work that makes
// overloaded servers collapse).
//
// serve takes no locks; cf is the configuration read when the job was taken.
func (w *worker) serve(clk *clock.Clock, stop <-chan struct{}, j *job, cf conf, early func(*job, Result)) outcome {
	arrive, timeout := j.req.Arrive, j.req.Timeout
	if cf.down {
		end := later(clk.Now(), arrive)
		return outcome{kind: refused, res: Result{Start: end, End: end, QueueWait: end.Sub(arrive), Worker: w.id, Err: ErrDown}}
	}
	start := later(arrive, w.free)
	deadline := arrive.Add(timeout)
	o := outcome{kind: served, queueWait: start.Sub(arrive)}
	base := start // when the service time starts to run

	if cf.hang != nil {
		if timeout > 0 { // stuck until the caller gives up
			until := later(deadline, start)
			if !clk.SleepUntil(until, stop) {
				return w.stopped(clk, arrive, start)
			}
			w.free = until
			o.busy, o.timedOut = until.Sub(start), true
			o.res = timeoutResult(arrive, start, deadline, w.id)
			return o
		}
		select { // stuck until unhung
		case <-cf.hang.open:
			base = later(start, cf.hang.openedAt)
		case <-stop:
			return w.stopped(clk, arrive, start)
		}
	}

	t := base.Add(cf.service.Sample(w.rng) + cf.slow)
	if timeout > 0 && t.After(deadline) { // the caller leaves first
		if !clk.SleepUntil(deadline, stop) {
			return w.stopped(clk, arrive, start)
		}
		o.timedOut, o.sent = true, true
		early(j, timeoutResult(arrive, start, deadline, w.id))
		if !clk.SleepUntil(t, stop) {
			o.kind = stopped
			return o
		}
		w.free = t
		o.busy = t.Sub(start)
		return o
	}
	if !clk.SleepUntil(t, stop) {
		return w.stopped(clk, arrive, start)
	}

	end, err := t, error(nil)
	if cf.errRate > 0 && w.rng.Float64() < cf.errRate {
		err = ErrInjected
	} else if j.req.Handler != nil {
		end, err = j.req.Handler(t)
		end = later(end, t)
	}
	w.free = end
	o.busy = end.Sub(start)
	if timeout > 0 && end.After(deadline) { // the handler made it late
		o.timedOut = true
		o.res = timeoutResult(arrive, start, deadline, w.id)
		return o
	}
	o.res = Result{Start: start, End: end, QueueWait: o.queueWait, Service: end.Sub(start), Worker: w.id, Err: err}
	return o
}

// timeoutResult is the caller's view of a request abandoned at deadline:
// if it gave up while still queued, service never started.
func timeoutResult(arrive, start, deadline time.Time, id int) Result {
	start = earlier(start, deadline)
	return Result{Start: start, End: deadline, QueueWait: start.Sub(arrive), Service: deadline.Sub(start), Worker: id, Err: ErrTimeout}
}

func (w *worker) stopped(clk *clock.Clock, arrive, start time.Time) outcome {
	end := later(clk.Now(), start)
	return outcome{kind: stopped, res: Result{Start: start, End: end, QueueWait: start.Sub(arrive), Service: end.Sub(start), Worker: w.id, Err: ErrStopped}}
}

func later(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}

func earlier(a, b time.Time) time.Time {
	if b.Before(a) {
		return b
	}
	return a
}
