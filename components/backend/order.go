package backend

// Arrivals in lab-time order: how long to wait for late ones, admission
// (M/M/c/K, in lab time), and placing each admitted job when its turn
// comes. Everything here is called with b.mu held.

import (
	"time"
)

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
