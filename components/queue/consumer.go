package queue

import (
	"fmt"
	"time"
)

// consume is one consumer goroutine of topic t. Its loop:
//
//	idle ──message──▶ deliver (handler runs, no lock held) ──▶ settle ──▶ idle
//	idle ──Stop, or more consumers than wanted──▶ exit
//
// A consumer exits only between messages, so a handler in progress always
// finishes and is settled. Cost per message: two lock round-trips and one
// handler call; a cond signal only when someone is actually waiting.
func (b *Broker) consume(t *topic) {
	defer b.wg.Done()
	var free time.Time // lab time this consumer finished its last message
	for {
		t.mu.Lock()
		for t.q.len() == 0 && !t.stopped && t.running <= t.want {
			t.idle++
			t.notEmpty.Wait()
			t.idle--
		}
		if t.stopped || t.running > t.want {
			t.running--
			t.mu.Unlock()
			return
		}
		e := t.q.pop()
		m := e.m
		m.Attempts++
		t.inFlight++
		t.delivered++
		h := t.handler
		if t.blocked > 0 {
			t.notFull.Signal() // a slot just opened
		}
		t.mu.Unlock()

		start := later(e.at, free)
		end, err := deliver(h, m, start)
		free = later(end, start)
		b.settle(t, m, err, free)
	}
}

// deliver runs the handler, turning a panic into a nack.
func deliver(h TimedHandler, m *Message, start time.Time) (end time.Time, err error) {
	defer func() {
		if r := recover(); r != nil {
			end, err = start, fmt.Errorf("handler panic: %v", r)
		}
	}()
	return h(m, start)
}

func later(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}

// settle records the outcome of one delivery, which ended at lab time
// now: ack, retry (now or after RetryDelay), or — when attempts are used
// up — dead-letter or drop.
func (b *Broker) settle(t *topic, m *Message, err error, now time.Time) {
	if err == nil {
		t.mu.Lock()
		t.inFlight--
		t.acked++
		t.mu.Unlock()
		return
	}
	t.mu.Lock()
	t.inFlight--
	t.nacked++
	m.LastError = err.Error()
	if m.Attempts < t.cfg.MaxAttempts {
		t.retried++
		if d := t.cfg.RetryDelay; d > 0 {
			t.delayed++
			t.mu.Unlock()
			b.retries.add(b, now.Add(d), t, m)
			return
		}
		t.enqueue(m, now) // back of the queue: retries lose their place
		t.mu.Unlock()
		return
	}
	dead := t.dead
	t.mu.Unlock()

	// The dead topic is locked on its own, never while holding t: two
	// topics may dead-letter into each other.
	ev := Event{At: now, Topic: t.name, Kind: Dropped, MessageID: m.ID, Attempts: m.Attempts, Err: m.LastError}
	if dead != nil {
		dm := &Message{ID: m.ID, Topic: dead.name, Body: m.Body, Published: m.Published, LastError: m.LastError, Origin: t.name}
		if dead.offer(dm, now) {
			ev.Kind, ev.DeadTopic = DeadLettered, dead.name
		}
	}
	t.mu.Lock()
	if ev.Kind == DeadLettered {
		t.deadLettered++
	} else {
		t.dropped++
	}
	t.mu.Unlock()
	b.emit(ev)
}
