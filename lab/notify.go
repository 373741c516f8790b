package lab

// The lab's own events: what the components report, stamped with lab time
// and published on the bus.

import (
	"fmt"
	"sync"
	"time"

	"github.com/scalelab/scalelab/components/backend"
	"github.com/scalelab/scalelab/components/breaker"
	"github.com/scalelab/scalelab/components/queue"
)

// event stamps and publishes an event, at the lab time now.
func (l *Lab) event(e Event) {
	e.T = l.Since().Seconds()
	l.Bus.Publish(e)
}

// eventAt publishes an event that happened at lab time at (a request's
// answer, which its own logical time says, not the clock).
func (l *Lab) eventAt(e Event, at time.Time) {
	e.T = at.Sub(l.start).Seconds()
	l.Bus.Publish(e)
}

// Publish stamps e with the lab time and publishes it on the bus, for
// events the lab does not make itself: lesson progress, or a session log
// reporting that it stopped writing. It never blocks.
func (l *Lab) Publish(e Event) { l.event(e) }

func (l *Lab) onBackendEvent(e backend.Event) {
	l.event(Event{Kind: KindState, Component: e.Backend, From: e.From.String(), To: e.To.String(), Detail: "health"})
	if s := l.server(e.Backend); s != nil && s.role == RoleDB && l.tier != nil {
		l.tier.health(e.Backend, e.To)
	}
	if e.To == backend.Down && l.ctier != nil {
		l.ctier.lost(e.Backend)
	}
}

func (l *Lab) onBreakerChange(name string, from, to breaker.State, at time.Time) {
	if to == breaker.Open {
		l.trips.Add(1)
	}
	l.event(Event{Kind: KindState, Component: name, From: from.String(), To: to.String(), Detail: "breaker"})
}

func (l *Lab) onQueueEvent(e queue.Event) {
	if e.Kind == queue.DeadLettered || e.Kind == queue.Dropped {
		// A dead database dead-letters thousands of messages a second: they
		// are told once a lab second (see lostMessages), not one by one.
		l.lost.note(e)
		return
	}
	l.event(Event{Kind: KindState, Component: "queue:" + e.Topic, Detail: e.Kind.String()})
}

// lostMessages counts messages that ran out of attempts, for one event a
// lab second: how many, the last one's id, attempts and error.
type lostMessages struct {
	mu    sync.Mutex
	n     map[queue.EventKind]int
	last  queue.Event
	topic string
}

func (m *lostMessages) note(e queue.Event) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.n == nil {
		m.n = map[queue.EventKind]int{}
	}
	m.n[e.Kind]++
	m.last, m.topic = e, e.Topic
}

// flush publishes what was counted since the last flush, if anything.
func (l *Lab) flushLost() {
	m := &l.lost
	m.mu.Lock()
	n, last := m.n, m.last
	m.n = nil
	m.mu.Unlock()
	for _, kind := range []queue.EventKind{queue.DeadLettered, queue.Dropped} {
		if c := n[kind]; c > 0 {
			l.event(Event{Kind: KindState, Component: "queue:" + last.Topic, Count: c, ID: last.MessageID, Attempts: last.Attempts, Err: last.Err,
				Detail: fmt.Sprintf("%s %d message(s) in the last second; the last, message %d after %d attempts: %s", kind, c, last.MessageID, last.Attempts, last.Err)})
		}
	}
}

// Subscribe returns a new event subscription (request events too, if asked).
func (l *Lab) Subscribe(requests bool) *Subscription { return l.Bus.Subscribe(requests) }
