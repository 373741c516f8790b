package lab

import (
	"fmt"
	"sync"

	"github.com/scalelab/scalelab/components/queue"
)

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
