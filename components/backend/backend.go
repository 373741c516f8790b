package backend

import (
	"math/rand/v2"
	"sync"
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
	seed    uint64
	onEvent func(Event)
	stop    chan struct{} // closed by Stop
	replies sync.Pool     // chan Result, one per Do in flight
	wg      sync.WaitGroup

	mu       sync.Mutex
	cond     sync.Cond     // a job was queued, the pool shrank, or Stop
	queue    fifo[job]     // jobs whose turn has not come: not yet placed on a worker
	plans    fifo[plan]    // jobs placed on a worker, waiting for a goroutine to carry them
	workers  []*worker     // every worker ever started, by number
	free     freeList      // the workers a job can be planned on, earliest free first
	target   int           // configured worker count
	planned  ends          // end times of planned jobs not yet over
	held     int           // planned jobs whose end is not known yet
	timing   bool          // a goroutine sleeps until the queue's head has its turn
	kick     chan struct{} // closed (and replaced) when that turn may come sooner: the pool grew, or Stop
	queueCap int
	conf     conf
	stopped  bool
	st       Stats // counters only; the rest is filled in by Stats
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
		seed:     s.Seed,
		onEvent:  s.OnEvent,
		stop:     make(chan struct{}),
		kick:     make(chan struct{}),
		queueCap: min(s.QueueSize, MaxQueueSize),
		conf:     conf{service: s.Service.clamped()},
	}
	b.cond.L = &b.mu
	b.replies.New = func() any { return make(chan Result, 1) }
	b.mu.Lock()
	b.resizeLocked(min(s.Workers, MaxWorkers))
	b.mu.Unlock()
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

// enqueue admits req or says why not. Admission is the M/M/c/K rule, in
// lab time: a job is turned away if, at the moment it arrives, the workers
// and the queue already hold Workers + QueueSize jobs, counting the jobs
// not yet planned and the planned ones that end after it arrives. (A job
// whose end has passed in lab time is gone, even if the goroutine carrying
// it has not woken yet: at high clock speeds on a busy machine that is
// often the case, and counting it would turn away requests the modelled
// server would have taken.) With QueueSize 0 only an idle worker accepts.
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
	case b.inSystemLocked(req.Arrive) >= b.queueCap+b.target:
		err = ErrRejected
		b.st.Rejected++
	default:
		b.queue.push(job{req: req, done: done, reply: reply})
		b.st.Accepted++
		b.planDueLocked(now)
		wake := b.plans.len() > 0 || !b.timing
		b.mu.Unlock()
		if wake {
			b.cond.Signal()
		}
		return Result{}, true
	}
	b.mu.Unlock()
	return Result{Start: req.Arrive, End: req.Arrive, Worker: -1, Err: err}, false
}

// inSystemLocked counts the jobs queued or in service at lab time t:
// those not yet planned, those held, and the planned ones ending after t.
// Planned ends at or before t are dropped for good: arrivals come in lab
// time order, near enough (each source stamps its own in order). Called
// with b.mu held.
func (b *Backend) inSystemLocked(t time.Time) int {
	b.planned.dropUntil(t)
	return b.queue.len() + b.held + len(b.planned)
}

// freeAt moves w's free time to end, a planned job's known end.
func (b *Backend) freeAt(w *worker, end time.Time) {
	w.free = end
	b.planned.push(end)
	if w.pos >= 0 {
		b.free.fix(w.pos)
	}
}

// hold marks p's worker busy with p, whose end is not known yet: nothing
// more is planned on it until p settles.
func (b *Backend) hold(p *plan) {
	p.w.held, p.held = true, true
	b.held++
	b.free.remove(p.w)
}

// planDueLocked places the queued jobs whose turn has come by lab time
// now, oldest first: a job's turn is max(arrive, the earliest free
// worker's free time). A job is placed when its turn comes, not before, so
// a fault (kill, slow, errors, hang) applies to the jobs that start after
// it, as on a real server; and its times are fixed in queue order, never by
// which goroutine happens to wake first. Called with b.mu held.
func (b *Backend) planDueLocked(now time.Time) {
	for {
		j, ok := b.queue.peek()
		if !ok {
			return
		}
		w := b.earliestLocked()
		if w == nil || later(j.req.Arrive, w.free).After(now) {
			return
		}
		next, _ := b.queue.pop() // (j pointed into the ring, now cleared)
		b.plans.push(b.planLocked(next))
	}
}

// nextTurnLocked is when the queue's head has its turn, if it has a
// worker to go to. Called with b.mu held.
func (b *Backend) nextTurnLocked() (time.Time, bool) {
	j, ok := b.queue.peek()
	w := b.earliestLocked()
	if !ok || w == nil {
		return time.Time{}, false
	}
	return later(j.req.Arrive, w.free), true
}

// run is the loop of goroutine id: place the jobs whose turn has come,
// carry out the oldest placed one on the lab clock, account for it,
// answer. With nothing to carry, one goroutine sleeps until the queue's
// head has its turn and the rest wait to be woken.
func (b *Backend) run(g *worker) {
	defer b.wg.Done()
	// The answer to one job is sent after the next has been taken (or none
	// found), outside the lock: one lock round per job.
	var last job
	var lastRes Result
	pending := false
	send := func() {
		if pending {
			last.send(lastRes)
			last, pending = job{}, false
		}
	}
	b.mu.Lock()
	for {
		if b.stopped || g.id >= b.target {
			g.alive = false
			if b.queue.len() > 0 || b.plans.len() > 0 {
				b.cond.Signal() // hand on a wake-up this goroutine may have used
			}
			b.mu.Unlock()
			send()
			return
		}
		if b.queue.len() > 0 {
			b.planDueLocked(b.clock.Now())
		}
		if p, ok := b.plans.pop(); ok {
			if b.plans.len() > 0 {
				b.cond.Signal() // more for another goroutine
			}
			b.mu.Unlock()
			send()
			o := b.carry(&p)
			b.mu.Lock()
			b.settleLocked(&p, o)
			last, lastRes, pending = p.j, o.res, true
			continue
		}
		if pending {
			b.mu.Unlock()
			send()
			b.mu.Lock()
			continue
		}
		if turn, ok := b.nextTurnLocked(); ok && !b.timing {
			b.timing = true
			kick := b.kick
			b.mu.Unlock()
			b.clock.SleepUntil(turn, kick)
			b.mu.Lock()
			b.timing = false
			continue
		}
		b.cond.Wait() // for a job, a settled worker or a change
	}
}

// settleLocked counts a carried-out job and, if it held its worker, frees
// the worker at the job's end. Called with b.mu held.
func (b *Backend) settleLocked(p *plan, o outcome) {
	if p.held {
		p.w.held = false
		b.held--
		if p.w.id < b.target {
			b.free.add(p.w)
		}
		b.freeAt(p.w, later(p.w.free, o.end))
	}
	switch o.kind {
	case refused:
		b.st.Refused++
	case served:
		b.st.Completed++
		b.st.QueueWaitTotal += o.queueWait
		b.st.ServiceTotal += o.busy
		switch {
		case o.timedOut:
			b.st.Timeouts++
		case o.res.Err != nil:
			b.st.Errors++
		}
	}
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
			crash.Go(func() { b.run(w) })
		}
	}
	b.kickLocked()
	b.cond.Broadcast()
}

// kickLocked wakes the goroutine sleeping until the queue head's turn, to
// look again. Called with b.mu held.
func (b *Backend) kickLocked() {
	close(b.kick)
	b.kick = make(chan struct{})
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
	b.mu.Unlock()
}

// Stats returns a snapshot of the backend's configuration and counters.
func (b *Backend) Stats() Stats {
	b.mu.Lock()
	defer b.mu.Unlock()
	s := b.st
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
	s.Queued = b.queue.len() + planned - s.Busy
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
		for j, ok := b.queue.pop(); ok; j, ok = b.queue.pop() {
			drained = append(drained, j)
		}
		for p, ok := b.plans.pop(); ok; p, ok = b.plans.pop() {
			drained = append(drained, p.j)
		}
		close(b.stop)
		b.cond.Broadcast()
	}
	now := b.clock.Now()
	b.mu.Unlock()
	for _, j := range drained {
		end := later(now, j.req.Arrive)
		j.send(Result{Start: end, End: end, QueueWait: end.Sub(j.req.Arrive), Worker: -1, Err: ErrStopped})
	}
	b.wg.Wait()
}
