package backend

import (
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"time"

	"github.com/scalelab/scalelab/components/clock"
	"github.com/scalelab/scalelab/components/crash"
)

// Limits and defaults for Settings.
const (
	DefaultWorkers   = 4
	MaxWorkers       = 1024
	DefaultQueueSize = 64
	MaxQueueSize     = 65536
)

// Settings configures a Backend. The zero value is a usable backend with
// 4 workers, no accept queue (QueueSize 0: busy means rejected) and instant
// (const:0) service on a fresh speed-1 clock. Set QueueSize -1 for the
// default 64-place queue.
type Settings struct {
	Name string // shown in Stats and Events
	// Workers is the number of requests served at once: threads, processes.
	// Default 4 when <= 0; at most MaxWorkers.
	Workers int
	// QueueSize is the accept queue's capacity (the listen backlog,
	// Tomcat's acceptCount). 0 is allowed: no waiting room, only an idle
	// worker accepts. Default 64 when < 0; at most MaxQueueSize.
	QueueSize int
	Service   Dist         // service-time distribution; zero value const:0
	Clock     *clock.Clock // lab clock; default clock.New(1)
	Crash     *crash.Scope // where a panic on its goroutines goes; nil: the process's handler
	// Seed seeds worker i's random source as PCG(Seed, i), so a run
	// replays exactly given the same order of requests.
	Seed uint64
	// OnEvent, if set, is called on every health change, after the backend
	// has unlocked, on the goroutine that made the change.
	OnEvent func(Event)
}

// Stats is a snapshot of a backend, cheap enough to take ten times a second.
//
// Accepted requests end as Completed, Refused (the backend was killed while
// they queued), stopped, or are still Queued/Busy. Completed counts every job
// a worker finished, whatever the answer: Errors and Timeouts are parts of
// it, and Completed − Errors − Timeouts succeeded.
type Stats struct {
	Name      string
	Health    Health
	Service   Dist
	Slow      time.Duration // injected extra latency
	ErrorRate float64       // injected failure probability
	Workers   int           // configured worker count
	Busy      int           // workers holding a job (may exceed Workers briefly after a shrink)
	Queued    int           // jobs waiting in the accept queue
	QueueCap  int           // accept queue capacity
	Accepted  uint64        // admitted to the queue
	Rejected  uint64        // turned away: queue full (ErrRejected)
	Refused   uint64        // turned away or dropped while down (ErrDown)
	Completed uint64        // finished by a worker, success or not
	Errors    uint64        // injected and handler errors
	Timeouts  uint64        // callers that gave up before the answer
	// QueueWaitTotal and ServiceTotal sum, over Completed jobs, the time
	// spent queued and the time a worker was occupied (for a timed-out job,
	// until the server finished, not until the caller left). Divide by
	// Completed for the means; ServiceTotal over Workers × elapsed is the
	// utilisation ρ.
	QueueWaitTotal, ServiceTotal time.Duration
}

// Backend is a running worker-pool server. Its methods are safe for
// concurrent use. Create it with New and end it with Stop.
type Backend struct {
	name    string
	clock   *clock.Clock
	crash   *crash.Scope
	seed    uint64
	onEvent func(Event)
	stop    chan struct{} // closed by Stop
	replies sync.Pool     // chan Result, one per Do in flight
	wg      sync.WaitGroup

	mu         sync.Mutex
	cond       sync.Cond        // a job was queued, the pool shrank, or Stop
	pending    arrivals         // jobs not yet admitted or turned away, by arrival time
	queue      fifo[job]        // admitted jobs whose turn has not come: the accept queue
	plans      fifo[plan]       // jobs placed on a worker, waiting for a goroutine to carry them
	rejected   []job            // turned away under the lock, to be answered after it
	workers    []*worker        // every worker ever started, by number
	free       freeList         // the workers a job can be planned on, earliest free first
	target     int              // configured worker count
	planned    ends             // end times of planned jobs not yet over
	held       int              // planned jobs whose end is not known yet
	nudge      chan struct{}    // wakes the dispatcher to look again (buffered, never closed)
	handlerEst time.Duration    // how long handlers take, in lab time: a running average
	estFree    []time.Time      // scratch for inSystemAtLocked
	late       [2]time.Duration // the latest an arrival came in, in lab time: this period and the last
	lateSince  time.Time        // when this period began
	dispatchAt time.Time        // when the dispatcher is to look next; zero: when nudged
	queueCap   int
	conf       conf
	stopped    bool
	st         Stats // counters only; the rest is filled in by Stats

	// instant is whether a job would be answered on the spot (see Pass),
	// kept up to date under mu; passed counts the jobs Pass answered,
	// added to st's Accepted and Completed by Stats.
	instant atomic.Bool
	passed  atomic.Uint64
}

// noteFreeLocked recomputes instant after a change of conf or stopped.
func (b *Backend) noteFreeLocked() {
	b.instant.Store(!b.stopped && b.conf.health() == Up && b.conf.service.Mean() == 0)
}

// conf is the part of the configuration a worker reads when it takes a job.
type conf struct {
	down    bool
	hang    *gate // nil unless hung
	slow    time.Duration
	errRate float64
	service Dist
}

// gate holds hung workers until SetHang(false) closes open.
type gate struct {
	open     chan struct{}
	openedAt time.Time // lab time of the unhang; written before open closes
}

// New starts a backend with s's settings (out-of-range values clamped to
// the documented defaults and limits). Its workers run until Stop.
func New(s Settings) *Backend {
	if s.Clock == nil {
		s.Clock = clock.New(1)
	}
	if s.Workers <= 0 {
		s.Workers = DefaultWorkers
	}
	if s.QueueSize < 0 {
		s.QueueSize = DefaultQueueSize
	}
	b := &Backend{
		name:     s.Name,
		clock:    s.Clock,
		crash:    s.Crash,
		seed:     s.Seed,
		onEvent:  s.OnEvent,
		stop:     make(chan struct{}),
		nudge:    make(chan struct{}, 1),
		queueCap: min(s.QueueSize, MaxQueueSize),
		conf:     conf{service: s.Service.clamped()},
	}
	b.cond.L = &b.mu
	b.replies.New = func() any { return make(chan Result, 1) }
	b.mu.Lock()
	b.resizeLocked(min(s.Workers, MaxWorkers))
	b.noteFreeLocked()
	b.mu.Unlock()
	b.wg.Add(1)
	b.crash.Go(b.dispatch)
	return b
}

// Name returns the backend's name.
func (b *Backend) Name() string { return b.name }

// Submit offers req and returns at once; done receives the Result exactly
// once: from a worker, from Stop for a job still queued, or inline (before
// Submit returns) when the request is refused, rejected or the backend is
// stopped. A nil done discards the result. Submit costs one lock and no
// allocation.
func (b *Backend) Submit(req Request, done func(Result)) {
	if res, queued := b.enqueue(req, done, nil); !queued && done != nil {
		done(res)
	}
}

// Do offers req and blocks until its Result. It allocates nothing in the
// steady state (reply channels are pooled).
func (b *Backend) Do(req Request) Result {
	ch := b.replies.Get().(chan Result)
	res, queued := b.enqueue(req, nil, ch)
	if queued {
		res = <-ch
	}
	b.replies.Put(ch)
	return res
}

// enqueue takes req in, or refuses it at once when the backend is down
// or stopped. Whether it is admitted is decided in lab-time order (see
// planDueLocked): at once, unless the clock's slack asks to wait a moment
// for requests that arrived before it in lab time but are still on their
// way in real time.
func (b *Backend) enqueue(req Request, done func(Result), reply chan Result) (Result, bool) {
	now := b.clock.Now()
	if req.Arrive.IsZero() {
		req.Arrive = now
	}
	req.Timeout = max(req.Timeout, 0)
	var err error
	b.mu.Lock()
	switch {
	case b.stopped:
		err = ErrStopped
	case b.conf.down:
		err = ErrDown
		b.st.Refused++
	case b.pending.len() >= b.backlogCap():
		// A machine far behind real time: more undecided jobs than memory
		// should hold. The lab slows its clock long before this.
		err = ErrRejected
		b.st.Rejected++
	default:
		b.noteLateLocked(now.Sub(req.Arrive), now)
		b.pending.push(job{req: req, done: done, reply: reply})
		b.planDueLocked(now)
		wake := b.plans.len() > 0
		if at, ok := b.nextTurnLocked(); ok && (b.dispatchAt.IsZero() || at.Before(b.dispatchAt)) {
			b.nudgeDispatcher() // it would look too late
		}
		rejected := b.takeRejectedLocked()
		b.mu.Unlock()
		if wake {
			b.cond.Signal()
		}
		sendRejected(rejected)
		return Result{}, true
	}
	b.mu.Unlock()
	return Result{Start: req.Arrive, End: req.Arrive, Worker: -1, Err: err}, false
}

// freeAt records a planned job on w from start to end: w is free from
// then on, unless the job went in a gap before its free time.
func (b *Backend) freeAt(w *worker, start, end time.Time) {
	w.busyFor(start, end)
	w.free = later(w.free, end)
	b.planned.push(end)
	if w.pos >= 0 {
		b.free.fix(w.pos)
	}
}

// hold marks p's worker busy with p, whose end is not known yet: nothing
// more is planned on it until p settles.
func (b *Backend) hold(p *plan) {
	p.w.held, p.held = true, true
	p.w.heldFrom = p.end // zero for a job hung until unhung
	b.held++
	b.free.remove(p.w)
}

// resizeLocked sets the worker count to n, starting workers for empty slots
// and waking idle ones so that surplus workers exit. Called with b.mu held.
func (b *Backend) resizeLocked(n int) {
	b.target = n
	for _, w := range b.workers[min(n, len(b.workers)):] {
		b.free.remove(w)
	}
	for i := range n {
		if i == len(b.workers) {
			b.workers = append(b.workers, &worker{id: i, pos: -1, rng: rand.New(rand.NewPCG(b.seed, uint64(i)))})
		}
		if w := b.workers[i]; !w.held {
			b.free.add(w)
		}
		if w := b.workers[i]; !w.alive && !b.stopped {
			w.alive = true
			b.wg.Add(1)
			b.crash.Go(func() { b.run(w) })
		}
	}
	b.nudgeDispatcher()
	b.cond.Broadcast()
}

// SetWorkers changes the worker count live, clamped to 1..MaxWorkers.
// Growing starts workers at once; shrinking lets surplus workers finish
// their current job and exit.
func (b *Backend) SetWorkers(n int) {
	b.mu.Lock()
	b.resizeLocked(min(max(n, 1), MaxWorkers))
	b.mu.Unlock()
}

// SetQueueSize changes the accept queue's capacity live, clamped to
// 0..MaxQueueSize. Jobs already queued beyond a smaller capacity stay and
// are served; new ones are rejected until the queue drains below it.
func (b *Backend) SetQueueSize(n int) {
	b.mu.Lock()
	b.queueCap = min(max(n, 0), MaxQueueSize)
	b.mu.Unlock()
}

// SetService changes the service-time distribution for jobs not yet started.
func (b *Backend) SetService(d Dist) {
	b.mu.Lock()
	b.conf.service = d.clamped()
	b.noteFreeLocked()
	b.mu.Unlock()
}

// Stats returns a snapshot of the backend's configuration and counters.
func (b *Backend) Stats() Stats {
	b.mu.Lock()
	defer b.mu.Unlock()
	s := b.st
	passed := b.passed.Load()
	s.Accepted += passed
	s.Completed += passed
	s.Name = b.name
	s.Health = b.conf.health()
	s.Service = b.conf.service
	s.Slow = b.conf.slow
	s.ErrorRate = b.conf.errRate
	s.Workers = b.target
	// In lab time now: the planned jobs not over, the held ones, and the
	// queue. In a FIFO pool a job waits only while every worker is busy.
	planned := b.planned.after(b.clock.Now()) + b.held
	s.Busy = min(planned, b.target)
	s.Queued = b.pending.len() + b.queue.len() + planned - s.Busy
	s.QueueCap = b.queueCap
	return s
}

// Stop shuts the backend down: queued jobs get ErrStopped at once, jobs in
// service or hung get ErrStopped as their worker wakes, and Stop returns when
// every worker has exited (a Handler still running is waited for). Later
// requests get ErrStopped inline. Stop is idempotent.
func (b *Backend) Stop() {
	var drained []job
	b.mu.Lock()
	if !b.stopped {
		b.stopped = true
		b.noteFreeLocked()
		for j, ok := b.pending.pop(); ok; j, ok = b.pending.pop() {
			drained = append(drained, j)
		}
		for j, ok := b.queue.pop(); ok; j, ok = b.queue.pop() {
			drained = append(drained, j)
		}
		for p, ok := b.plans.pop(); ok; p, ok = b.plans.pop() {
			drained = append(drained, p.j)
		}
		close(b.stop)
		b.cond.Broadcast()
		b.nudgeDispatcher()
	}
	now := b.clock.Now()
	b.mu.Unlock()
	for _, j := range drained {
		end := later(now, j.req.Arrive)
		j.send(Result{Start: end, End: end, QueueWait: end.Sub(j.req.Arrive), Worker: -1, Err: ErrStopped})
	}
	b.wg.Wait()
}
