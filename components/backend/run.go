package backend

// The goroutines: the ones that carry placed jobs out on the lab clock,
// and the dispatcher that moves jobs along when something falls due.

import (
	"time"
)

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
