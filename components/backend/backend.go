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

// latePeriod is how long the backend remembers how late arrivals came in;
// lateCap bounds how long it waits for one, in multiples of the clock's
// slack (an arrival later than that is taken in the order it came: a lab
// that far behind slows its clock).
const (
	latePeriod = 500 * time.Millisecond
	lateCap    = 3
)

// noteLateLocked notes that a request came in late, in real time, after
// its lab arrival time (the goroutine sending it woke late, or the work
// before it was): the backend waits that long, and the clock's slack
// besides, before it settles the order of what arrived, so the next one
// that late still takes its place. Called with b.mu held.
func (b *Backend) noteLateLocked(late time.Duration, now time.Time) {
	if now.Sub(b.lateSince) >= latePeriod {
		b.late[1], b.late[0], b.lateSince = b.late[0], 0, now
	}
	b.late[0] = max(b.late[0], late)
}

// slackLocked is how long after an arrival its order is settled: as late
// as arrivals came in lately, within lateCap times the clock's slack (the
// machine's scheduling delay), and the clock's slack besides. The cap
// keeps this server's wait from feeding on itself: a caller held waiting
// for its answer makes that caller's next requests late in turn. Called
// with b.mu held.
func (b *Backend) slackLocked() time.Duration {
	floor := b.clock.Slack()
	return min(max(b.late[0], b.late[1]), lateCap*floor) + floor
}

// admitLocked decides whether j, the earliest undecided arrival, is
// admitted: the M/M/c/K rule, in lab time. It is turned away if at the
// moment it arrived the workers and the queue already held Workers +
// QueueSize jobs: the planned ones ending after it arrived, those held by
// a handler still running, and those admitted and waiting for their turn.
// Jobs are decided and placed in lab-time order, so this is known from lab
// times alone, not from how far the goroutines have got: on a busy machine
// at high speed they are often behind, and counting their work would turn
// away requests the modelled server would have taken. With QueueSize 0
// only an idle worker accepts. Called with b.mu held.
func (b *Backend) admitLocked(j *job) bool {
	b.planned.dropUntil(j.req.Arrive)
	room := b.queueCap + b.target
	if len(b.planned)+b.held+b.queue.len() < room {
		b.st.Accepted++ // room even if every held and queued job is still there
		return true
	}
	if b.inSystemAtLocked(j.req.Arrive) >= room {
		b.st.Rejected++
		return false
	}
	b.st.Accepted++
	return true
}

// inSystemAtLocked counts the jobs in the system at lab time t: the
// planned ones ending after t, and of the held and queued ones those that
// would still be there. A held job's end is not known until its handler
// returns, and a queued job's start not until a worker frees up, so their
// ends are estimated: a handler takes as long as handlers have lately,
// a service its mean, and the queue is served in order as the workers
// free up. Without the estimate, a busy machine that is slow to run the
// handlers would hold workers and queue in real time that the model has
// long freed, and turn away requests it would have taken. Planned ends at
// or before t are dropped for good: arrivals are decided in lab-time
// order. Called with b.mu held.
func (b *Backend) inSystemAtLocked(t time.Time) int {
	b.planned.dropUntil(t)
	n := len(b.planned)
	if b.held == 0 && b.queue.len() == 0 {
		return n
	}
	frees := b.estFree[:0]
	for _, w := range b.workers {
		f := w.free
		if w.held {
			f = w.heldFrom.Add(b.handlerEst)
			if w.heldFrom.IsZero() { // hung until unhung: there for good
				f = t.Add(MaxDuration)
			}
			if f.After(t) {
				n++
			}
		}
		if w.id < b.target {
			frees = append(frees, f)
		}
	}
	q := b.queue.len()
	if q*len(frees) > 1<<16 { // too long to estimate on every arrival: all there
		n += q
		q = 0
	}
	if q > 0 && len(frees) > 0 {
		each := b.conf.service.Mean() + b.conf.slow + b.handlerEst
		for i := range q {
			k := 0 // the worker that frees up first
			for m := range frees {
				if frees[m].Before(frees[k]) {
					k = m
				}
			}
			end := later(b.queue.at(i).req.Arrive, frees[k]).Add(each)
			frees[k] = end
			if end.After(t) {
				n++
			}
		}
	}
	b.estFree = frees
	return n
}

// backlogCap bounds the jobs waiting for a decision (see enqueue).
func (b *Backend) backlogCap() int { return 4*(b.queueCap+b.target) + 1024 }

// takeRejectedLocked hands over the jobs turned away, to be answered once
// the lock is released.
func (b *Backend) takeRejectedLocked() []job {
	r := b.rejected
	b.rejected = nil
	return r
}

// sendRejected answers jobs turned away: failed when they arrived.
func sendRejected(js []job) {
	for i := range js {
		a := js[i].req.Arrive
		js[i].send(Result{Start: a, End: a, Worker: -1, Err: ErrRejected})
	}
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

// planDueLocked moves jobs along, in lab-time order. An arrival is
// decided (admitted to the queue or turned away) once the clock's slack
// has passed since it arrived: by then any request that arrived before it
// in lab time is in, however late its goroutine woke. An admitted job is
// placed on a worker when its turn comes, max(arrive, the earliest free
// worker's free time), and not before, so a fault (kill, slow, errors,
// hang) applies to the jobs that start after it, as on a real server. Its
// times are fixed here, in order, never by which goroutine happens to wake
// first. Called with b.mu held.
func (b *Backend) planDueLocked(now time.Time) {
	horizon := now.Add(-b.slackLocked())
	for {
		if j, ok := b.queue.peek(); ok {
			if w := b.earliestLocked(); w != nil && !later(j.req.Arrive, w.free).After(now) {
				next, _ := b.queue.pop() // (j pointed into the ring, now cleared)
				b.plans.push(b.planLocked(next))
				continue
			}
		}
		j, ok := b.pending.peek()
		if !ok || j.req.Arrive.After(horizon) {
			return
		}
		next, _ := b.pending.pop()
		if b.admitLocked(&next) {
			b.queue.push(next)
		} else {
			b.rejected = append(b.rejected, next)
		}
	}
}

// nextTurnLocked is when planDueLocked has something to do next: the
// earliest arrival's decision, or the queue head's turn if it has a worker
// to go to. Called with b.mu held.
func (b *Backend) nextTurnLocked() (time.Time, bool) {
	var at time.Time
	found := false
	if j, ok := b.pending.peek(); ok {
		at, found = j.req.Arrive.Add(b.slackLocked()), true
	}
	if j, ok := b.queue.peek(); ok {
		if w := b.earliestLocked(); w != nil {
			if turn := later(j.req.Arrive, w.free); !found || turn.Before(at) {
				at, found = turn, true
			}
		}
	}
	return at, found
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
			if b.pending.len() > 0 || b.queue.len() > 0 || b.plans.len() > 0 {
				b.cond.Signal() // hand on a wake-up this goroutine may have used
			}
			b.mu.Unlock()
			send()
			return
		}
		if b.pending.len() > 0 || b.queue.len() > 0 {
			b.planDueLocked(b.clock.Now())
			if len(b.rejected) > 0 {
				r := b.takeRejectedLocked()
				b.mu.Unlock()
				sendRejected(r)
				b.mu.Lock()
				continue
			}
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
		b.cond.Wait() // for a job, a settled worker or a change
	}
}

// settleLocked counts a carried-out job and, if it held its worker, frees
// the worker at the job's end. Called with b.mu held.
func (b *Backend) settleLocked(p *plan, o outcome) {
	if p.held {
		if p.cf.hang == nil && o.kind == served { // a handler ran: learn how long they take
			took := o.end.Sub(p.end)
			b.handlerEst += (took - b.handlerEst) / 8
		}
		p.w.held = false
		b.held--
		if p.w.id < b.target {
			b.free.add(p.w)
		}
		b.freeAt(p.w, p.start, o.end)
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
			b.crash.Go(func() { b.run(w) })
		}
	}
	b.nudgeDispatcher()
	b.cond.Broadcast()
}

// nudgeDispatcher asks the dispatcher to look again now.
func (b *Backend) nudgeDispatcher() {
	select {
	case b.nudge <- struct{}{}:
	default: // a nudge is already waiting
	}
}

// dispatch is the backend's clock-keeper: it moves jobs along (see
// planDueLocked) whenever something falls due in lab time with no request
// arriving to do it — a decision the slack put off, a queued job's turn —
// and hands what it placed to the goroutines that carry jobs out.
func (b *Backend) dispatch() {
	defer b.wg.Done()
	for {
		b.mu.Lock()
		if b.stopped {
			b.mu.Unlock()
			return
		}
		b.planDueLocked(b.clock.Now())
		rejected := b.takeRejectedLocked()
		placed := b.plans.len() > 0
		at, ok := b.nextTurnLocked()
		b.dispatchAt = time.Time{}
		if ok {
			b.dispatchAt = at
		}
		b.mu.Unlock()
		sendRejected(rejected)
		if placed {
			b.cond.Signal()
		}
		if ok {
			b.clock.SleepUntil(at, b.nudge)
		} else {
			<-b.nudge
		}
	}
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
