package backend

import (
	"math/rand/v2"
	"slices"
	"time"

	"github.com/scalelab/scalelab/components/clock"
)

// worker is one worker of the pool as the model sees it: a timeline. free
// is the lab time its planned work ends; held says that a job on it has an
// end not known yet (its handler is still to run, or it hangs until
// unhung), so nothing more can be planned on it until that job settles.
//
// Each worker number also has a goroutine (alive) that carries planned jobs
// out in real time; which goroutine carries a job does not decide any of
// its times.
type worker struct {
	id       int
	rng      *rand.Rand // PCG(seed, id)
	free     time.Time
	held     bool
	heldFrom time.Time // while held: the earliest its job can end; zero if hung until unhung
	pos      int       // index in Backend.free; -1 when held or beyond the pool
	spans    []span    // its latest jobs' busy times, by start (at most keepSpans)
	alive    bool      // the goroutine of this number runs
}

// span is a stretch of lab time a worker is busy with one job.
type span struct{ start, end time.Time }

// keepSpans is how many of its latest jobs a worker remembers, at most, to
// place a late arrival in a gap it left (see gapLocked).
const keepSpans = 256

// busyFor records that w is busy from start to end.
func (w *worker) busyFor(start, end time.Time) {
	if len(w.spans) == keepSpans { // forget the older half (amortised: one copy per keepSpans/2 jobs)
		w.spans = w.spans[:copy(w.spans, w.spans[keepSpans/2:])]
	}
	i := len(w.spans)
	for i > 0 && w.spans[i-1].start.After(start) {
		i--
	}
	w.spans = slices.Insert(w.spans, i, span{start, end})
}

// gap is the earliest time from t on that w is idle for d, between the
// jobs it remembers, and whether it has one before its free time.
func (w *worker) gap(t time.Time, d time.Duration) (time.Time, bool) {
	for i := 0; i+1 < len(w.spans); i++ {
		at := later(t, w.spans[i].end)
		if !at.Add(d).After(w.spans[i+1].start) {
			return at, true
		}
	}
	return time.Time{}, false
}

// plan is a job placed on a worker's timeline: the times it will have, as
// far as they are known when it is taken from the queue.
type plan struct {
	j        job
	w        *worker // nil when refused
	cf       conf
	start    time.Time
	end      time.Time     // end of the service time, before any handler
	service  time.Duration // drawn service time (hung jobs: drawn at plan, run after the unhang)
	deadline time.Time     // when the caller gives up; zero for never
	fail     bool          // the error-rate fault fails it
	held     bool          // it holds its worker until it settles
}

// outcomeKind says how a job left its worker.
type outcomeKind int

const (
	served  outcomeKind = iota // answered (success, error or timeout)
	refused                    // reached while the backend was down
	stopped                    // interrupted by Stop
)

// outcome is what carrying a plan out reports back to the locked wrapper.
type outcome struct {
	kind      outcomeKind
	res       Result
	end       time.Time     // when the worker is free again (for a held worker)
	timedOut  bool          // res is ErrTimeout
	queueWait time.Duration // server view: start − arrive
	busy      time.Duration // server view: how long the worker was occupied
}

// gapLocked finds the worker idle soonest after t for d, in the gaps its
// latest jobs left, if any worker has one. Called with b.mu held.
func (b *Backend) gapLocked(t time.Time, d time.Duration) (*worker, time.Time, bool) {
	var best *worker
	var at time.Time
	for _, w := range b.workers[:b.target] {
		if w.held {
			continue
		}
		if g, ok := w.gap(t, d); ok && (best == nil || g.Before(at)) {
			best, at = w, g
		}
	}
	return best, at, best != nil
}

// earliestLocked is the worker that is free first among those that can be
// planned on (ties to the lowest number), or nil when every one is held.
// This is the discipline of a shared FIFO queue in front of c servers: each
// job in arrival order goes to the server that frees up first. Called with
// b.mu held.
func (b *Backend) earliestLocked() *worker { return b.free.top() }

// planLocked places j on the worker that frees up first: it starts at
// max(arrive, free) and its service time is drawn now, so its times are
// settled here, under the lock and in queue order, never by which goroutine
// happened to wake first. The worker's free time moves to the job's end
// when that is known; a job whose handler is still to run holds the worker
// instead. Called with b.mu held and a worker free to plan on.
func (b *Backend) planLocked(j job) plan {
	p := plan{j: j, cf: b.conf}
	arrive := j.req.Arrive
	if j.req.Timeout > 0 {
		p.deadline = arrive.Add(j.req.Timeout)
	}
	w := b.earliestLocked()
	if p.cf.down {
		p.start = later(arrive, w.free) // refused when a worker reaches it
		return p
	}
	p.w = w
	p.start = later(arrive, w.free)
	if p.start.After(arrive) && p.cf.hang == nil && j.req.Handler == nil {
		// It would wait. If it came in late, from a goroutine that woke
		// late, the workers may have had room for it back when it arrived.
		p.service = p.cf.service.Sample(w.rng) + p.cf.slow
		if g, at, ok := b.gapLocked(arrive, p.service); ok && at.Before(p.start) {
			p.w, p.start = g, at
		}
		w = p.w
	}
	switch {
	case p.cf.hang != nil && !p.deadline.IsZero(): // stuck until the caller gives up
		p.end = later(p.deadline, p.start)
		b.freeAt(w, p.start, p.end)
	case p.cf.hang != nil: // stuck until unhung
		p.service = p.cf.service.Sample(w.rng) + p.cf.slow
		b.hold(&p)
	default:
		if p.service == 0 {
			p.service = p.cf.service.Sample(w.rng) + p.cf.slow
		}
		p.end = p.start.Add(p.service)
		if !p.deadline.IsZero() && p.end.After(p.deadline) {
			// The caller leaves first; the server cannot know, and the
			// worker is busy to the end anyway (the wasted work that makes
			// overloaded servers collapse).
			b.freeAt(w, p.start, p.end)
			break
		}
		p.fail = p.cf.errRate > 0 && w.rng.Float64() < p.cf.errRate
		if p.fail || j.req.Handler == nil {
			b.freeAt(w, p.start, p.end)
		} else {
			b.hold(&p)
		}
	}
	return p
}

// carry carries a plan out on the lab clock: it sleeps until the times the
// plan fixed, runs the handler, and reports. A caller with a Timeout is
// answered at its deadline, even if the worker stays busy after. It takes
// no locks (a held worker is this job's alone).
func (b *Backend) carry(p *plan) outcome {
	clk, stop := b.clock, b.stop
	arrive := p.j.req.Arrive
	if p.w == nil { // down
		end := later(p.start, arrive)
		if !clk.SleepUntil(end, stop) {
			return stoppedOutcome(clk, arrive, end, -1)
		}
		return outcome{kind: refused, res: Result{Start: end, End: end, QueueWait: end.Sub(arrive), Worker: -1, Err: ErrDown}}
	}
	w := p.w
	o := outcome{kind: served, queueWait: p.start.Sub(arrive), end: p.end}
	if p.cf.hang != nil {
		if !p.deadline.IsZero() { // answered at the deadline; the worker was planned busy to p.end
			if !clk.SleepUntil(p.deadline, stop) {
				return stoppedOutcome(clk, arrive, p.start, w.id)
			}
			o.busy, o.timedOut = p.end.Sub(p.start), true
			o.res = timeoutResult(arrive, p.start, p.deadline, w.id)
			return o
		}
		select { // stuck until unhung, then served
		case <-p.cf.hang.open:
			p.end = later(p.start, p.cf.hang.openedAt).Add(p.service)
			p.fail = p.cf.errRate > 0 && w.rng.Float64() < p.cf.errRate
		case <-stop:
			return stoppedOutcome(clk, arrive, p.start, w.id)
		}
	}
	if !p.deadline.IsZero() && p.end.After(p.deadline) { // the caller leaves first
		if !clk.SleepUntil(p.deadline, stop) {
			return stoppedOutcome(clk, arrive, p.start, w.id)
		}
		o.busy, o.timedOut, o.end = p.end.Sub(p.start), true, p.end
		o.res = timeoutResult(arrive, p.start, p.deadline, w.id)
		return o
	}
	if !clk.SleepUntil(p.end, stop) {
		return stoppedOutcome(clk, arrive, p.start, w.id)
	}
	end, err := p.end, error(nil)
	if p.fail {
		err = ErrInjected
	} else if p.j.req.Handler != nil {
		end, err = p.j.req.Handler(p.end)
		end = later(end, p.end)
	}
	o.end, o.busy = end, end.Sub(p.start)
	if !p.deadline.IsZero() && end.After(p.deadline) { // the handler made it late
		o.timedOut = true
		o.res = timeoutResult(arrive, p.start, p.deadline, w.id)
		return o
	}
	o.res = Result{Start: p.start, End: end, QueueWait: o.queueWait, Service: end.Sub(p.start), Worker: w.id, Err: err}
	return o
}

// timeoutResult is the caller's view of a request abandoned at deadline:
// if it gave up while still queued, service never started.
func timeoutResult(arrive, start, deadline time.Time, id int) Result {
	start = earlier(start, deadline)
	return Result{Start: start, End: deadline, QueueWait: start.Sub(arrive), Service: deadline.Sub(start), Worker: id, Err: ErrTimeout}
}

func stoppedOutcome(clk *clock.Clock, arrive, start time.Time, id int) outcome {
	end := later(clk.Now(), start)
	return outcome{kind: stopped, end: end, res: Result{Start: start, End: end, QueueWait: start.Sub(arrive), Service: end.Sub(start), Worker: id, Err: ErrStopped}}
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
