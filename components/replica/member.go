package replica

import "time"

// run is the replica's goroutine: take the next entry, wait until it is
// shipped (Ack+Lag on the lab clock, or when the replica is back up), and
// hand it to the replica's server to apply; settle applies the finished
// ones to the data, in order.
func (r *Replica) run() {
	s := r.set
	for shipped := 0; ; shipped++ {
		s.mu.Lock()
		r.mu.Lock()
		if r.stopped {
			r.mu.Unlock()
			s.mu.Unlock()
			return
		}
		seq := r.submitted + 1
		if r.applied+1 < s.base { // the log has moved past it: re-cloned
			if s.clone != nil {
				r.data = s.clone()
			}
			r.applied, r.received, r.submitted = s.next-1, s.next-1, s.next-1
			r.gen++
			clear(r.finished)
			r.mu.Unlock()
			s.mu.Unlock()
			continue
		}
		e, ok := s.entryLocked(seq)
		up, wake, upAt, retry := r.up, r.wake, r.upAt, r.retryAt
		lag := s.lag
		if s.sync {
			lag = 0
		}
		if ok && !s.downAt.IsZero() && later(e.Ack.Add(lag), upAt).After(s.downAt) {
			ok = false // the primary died before shipping it: it waits for a promotion, or the primary's return
		}
		if shipped%64 == 63 {
			r.mu.Unlock()
			s.trimLocked()
			r.mu.Lock()
		}
		r.mu.Unlock()
		s.mu.Unlock()
		if !ok || !up {
			<-wake // more to do, up again, or stopped
			continue
		}
		shipAt := later(later(e.Ack.Add(lag), upAt), retry)
		if !s.clock.SleepUntil(shipAt, wake) {
			continue // changed, down, or stopped: look again
		}
		r.mu.Lock()
		if r.submitted+1 != seq || r.stopped { // cut back while it slept
			r.mu.Unlock()
			continue
		}
		r.received = max(r.received, seq)
		r.submitted = seq
		gen := r.gen
		r.mu.Unlock()
		r.apply(e, shipAt, func(end time.Time, err error) { r.settle(gen, e, end, err) })
	}
}

// finished is an entry its server has applied, and when.
type finished struct {
	e   Entry
	end time.Time
}

// retryDelay is how long after an apply was turned away (its server's queue
// full) the replica ships again.
const retryDelay = 10 * time.Millisecond

// settle takes an applied entry: the data changes for it, and for the ones
// after it that finished first, in order. An error ships it again, and
// every entry after it.
func (r *Replica) settle(gen uint64, e Entry, end time.Time, err error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if gen != r.gen {
		return // cut back, or after an error: shipped again
	}
	if err != nil {
		r.gen++
		r.submitted = r.applied
		clear(r.finished)
		r.retryAt = r.set.clock.Now().Add(retryDelay)
		r.kickLocked()
		return
	}
	r.finished[e.Seq] = finished{e, end}
	for {
		f, ok := r.finished[r.applied+1]
		if !ok {
			break
		}
		delete(r.finished, f.e.Seq)
		if f.e.Version >= r.data[f.e.Key] {
			r.data[f.e.Key] = f.e.Version
		}
		r.applied = f.e.Seq
		r.ends[f.e.Seq%endsKept] = f.end
	}
	r.changed.Broadcast()
}

// kick wakes the goroutine to look again.
func (r *Replica) kick() {
	r.mu.Lock()
	r.kickLocked()
	r.mu.Unlock()
}

func (r *Replica) kickLocked() {
	close(r.wake)
	r.wake = make(chan struct{})
}

// halt stops the goroutine, and anyone waiting on it.
func (r *Replica) halt() {
	r.mu.Lock()
	r.stopped = true
	r.changed.Broadcast()
	r.mu.Unlock()
	r.kick()
}

// waitApplied waits until the replica has applied entry seq, which the
// primary acknowledged at ack, and returns the lab time it finished; false
// if the replica is down or stopped (a synchronous write does not wait for
// it) or the primary died before shipping it.
func (r *Replica) waitApplied(seq uint64, ack time.Time) (time.Time, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for r.applied < seq {
		if !r.up || r.stopped || r.set.diedBefore(ack) {
			return time.Time{}, false
		}
		r.changed.Wait()
	}
	if r.applied-seq >= endsKept {
		return time.Time{}, false
	}
	return r.ends[seq%endsKept], true
}

// receivedBy is the Seq of the last entry the replica had been shipped by
// lab time at. Called with the set's and the replica's locks held.
func (r *Replica) receivedBy(at time.Time) uint64 {
	s := r.set
	got := r.received
	if !r.up {
		return got
	}
	if !s.downAt.IsZero() && s.downAt.Before(at) {
		at = s.downAt // nothing was shipped after the primary died
	}
	lag := s.lag
	if s.sync {
		lag = 0
	}
	for seq := got + 1; ; seq++ {
		e, ok := s.entryLocked(seq)
		if !ok || later(e.Ack.Add(lag), r.upAt).After(at) {
			return got
		}
		got = seq
	}
}

// SetUp marks the replica up or down (its server killed or revived): a
// replica that is down receives nothing and catches up when it is back.
func (r *Replica) SetUp(up bool) {
	r.mu.Lock()
	if up && !r.up {
		r.upAt = r.set.clock.Now()
	}
	r.up = up
	r.changed.Broadcast()
	r.mu.Unlock()
	r.kick()
}

// Get reads key from the replica's copy.
func (r *Replica) Get(key uint64) uint64 {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.data[key]
}

// Lag is how far behind the replica is at lab time now: the age of the
// oldest write it has not applied (0 when caught up).
func (r *Replica) Lag(now time.Time) time.Duration {
	s := r.set
	s.mu.Lock()
	defer s.mu.Unlock()
	r.mu.Lock()
	defer r.mu.Unlock()
	e, ok := s.entryLocked(r.applied + 1)
	if !ok {
		return 0
	}
	return max(now.Sub(e.Ack), 0)
}

// Applied is the Seq of the last entry the replica applied.
func (r *Replica) Applied() uint64 {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.applied
}
