package breaker

import "time"

// machine is the breaker's state machine, with no locking; Breaker wraps it
// in a mutex (as hashicorp/golang-lru wraps simplelru), so the whole algorithm
// reads here in one screen. Every transition is appended to log, which is how
// the Breaker learns, after a call, which transitions to report.
//
// The clock is read only when a rule needs the time (an Open period or a
// Closed interval to check, a transition to stamp, an outcome to place in
// the FailureRatio window), so the common case — a Closed Consecutive
// breaker with no Interval — never reads the clock at all.
type machine struct {
	now func() time.Time // injected clock

	mode        Mode          // which rule trips Closed → Open
	threshold   uint32        // Consecutive: failures in a row that trip
	ratio       float64       // FailureRatio: failure share that trips, in (0, 1]
	minRequests uint32        // FailureRatio: outcomes the window needs before it can trip
	win         window        // FailureRatio: outcomes of Closed calls, rolling
	openFor     time.Duration // how long Open lasts before a trial
	halfOpenMax uint32        // trial calls admitted in HalfOpen
	interval    time.Duration // Closed-state count reset period; 0 = never

	state  State
	gen    uint64    // bumped on every state change and every count reset
	counts Counts    // for the current generation only
	expiry time.Time // Closed: next count reset (zero = never); Open: end of Open; HalfOpen: zero

	successes, failures uint64 // lifetime outcomes that were counted (not stale)
	rejected            uint64 // lifetime rejections made under the lock

	log  [logSize]Transition // ring of the latest transitions
	logN int                 // transitions ever made
}

const logSize = 32

func (m *machine) reset() {
	m.state = Closed
	m.newGeneration(m.clock())
}

// clock reads the time. It is called with the Breaker's lock held, so
// transitions are stamped in order.
func (m *machine) clock() time.Time { return m.now() }

// current applies the time-driven rules — a Closed window ending, an Open
// period ending — so that m.state is the state as of now.
func (m *machine) current() {
	switch m.state {
	case Closed:
		if !m.expiry.IsZero() { // Consecutive with an Interval
			if now := m.clock(); !now.Before(m.expiry) {
				m.newGeneration(now) // Interval elapsed: forget the window's failures
			}
		}
	case Open:
		if now := m.clock(); !now.Before(m.expiry) {
			m.setState(HalfOpen, now)
		}
	}
}

// allow decides whether one call may go ahead.
func (m *machine) allow() (Ticket, error) {
	m.current()
	switch {
	case m.state == Open:
		m.rejected++
		return Ticket{}, ErrOpen
	case m.state == HalfOpen && m.counts.Requests >= m.halfOpenMax:
		m.rejected++
		return Ticket{}, ErrTooManyRequests
	}
	m.counts.Requests++
	return Ticket{gen: m.gen}, nil
}

// done records the outcome of a call admitted under generation gen. An outcome
// from an older generation is ignored: it describes a world that has moved on.
func (m *machine) done(gen uint64, success bool) {
	if m.current(); gen != m.gen {
		return
	}
	var now time.Time
	if m.state == Closed && m.mode == FailureRatio {
		now = m.clock()
		m.win.add(now, !success)
	}
	if success {
		m.successes++
		m.counts.TotalSuccesses++
		m.counts.ConsecutiveSuccesses++
		m.counts.ConsecutiveFailures = 0
		if m.state == HalfOpen && m.counts.ConsecutiveSuccesses >= m.halfOpenMax {
			m.setState(Closed, m.clock()) // every trial succeeded
		}
		return
	}
	m.failures++
	m.counts.TotalFailures++
	m.counts.ConsecutiveFailures++
	m.counts.ConsecutiveSuccesses = 0
	switch {
	case m.state == HalfOpen:
		m.setState(Open, m.clock()) // one failed trial is enough
	case m.state == Closed && m.mode == Consecutive && m.counts.ConsecutiveFailures >= m.threshold:
		m.setState(Open, m.clock())
	case m.state == Closed && m.mode == FailureRatio && m.win.counts(now).trips(m.ratio, m.minRequests):
		m.setState(Open, now)
	}
}

// setMode switches the trip rule. A new rule starts from a clean slate: the
// window is cleared and, while Closed, a new generation begins, so calls
// admitted under the old rule do not count toward the new one. (Open and
// HalfOpen keep their generation: switching rules does not restart an Open
// period or void a trial.) Setting the rule already in force changes nothing.
func (m *machine) setMode(mode Mode) {
	if mode == m.mode {
		return
	}
	m.mode = mode
	m.win.clear()
	if m.state == Closed {
		m.newGeneration(m.clock())
	}
}

// recent is the FailureRatio window as of now (zero under Consecutive).
func (m *machine) recent() WindowCounts {
	if m.mode != FailureRatio {
		return WindowCounts{}
	}
	return m.win.counts(m.clock())
}

func (m *machine) setState(to State, now time.Time) {
	m.log[m.logN%logSize] = Transition{At: now, From: m.state, To: to}
	m.logN++
	m.state = to
	if to == Closed {
		m.win.clear() // closing forgives the failures that opened it, as Hystrix resets its stream
	}
	m.newGeneration(now)
}

// newGeneration starts a fresh generation of the current state: counts are
// cleared, tickets issued before now become stale, and the expiry is set.
func (m *machine) newGeneration(now time.Time) {
	m.gen++
	m.counts = Counts{}
	m.expiry = time.Time{}
	switch m.state {
	case Closed:
		if m.interval > 0 && m.mode == Consecutive { // FailureRatio forgets by its window
			m.expiry = now.Add(m.interval)
		}
	case Open:
		m.expiry = now.Add(m.openFor)
	}
}

// transitions returns the logged transitions made after the first `from`
// (clamped to the ones still in the log), oldest first.
func (m *machine) transitions(from int) []Transition {
	from = max(from, m.logN-logSize)
	out := make([]Transition, 0, m.logN-from)
	for i := from; i < m.logN; i++ {
		out = append(out, m.log[i%logSize])
	}
	return out
}
