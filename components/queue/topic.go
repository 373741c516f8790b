package queue

import (
	"sync"
	"time"
)

// Message is one unit of work. The broker hands the same *Message to each
// delivery attempt; a handler must not keep it after returning, because a
// retry may already be running on another consumer.
type Message struct {
	ID        uint64 // unique within a broker, in publish order
	Topic     string
	Body      any
	Attempts  int       // deliveries so far, including the current one
	Published time.Time // lab time of the first publish
	LastError string    // error of the last failed delivery; "" if none
	Origin    string    // for a dead-lettered message: the topic it left
}

// Handler processes one message. Returning nil acks it (done); returning an
// error nacks it (retried after RetryDelay, or dead-lettered after
// MaxAttempts deliveries). A panic counts as a nack.
type Handler func(m *Message) error

// TimedHandler is a Handler on lab time: start is when this delivery
// begins, the later of the message becoming ready and the consumer
// finishing its last one, and it returns the lab time it finished. A
// consumer keeps that as its cursor, so its work is placed on the lab
// clock by the model, not by when its goroutine woke.
type TimedHandler func(m *Message, start time.Time) (end time.Time, err error)

// topic is one named queue: a ring of waiting messages, the counters that
// describe it, and the bookkeeping for its consumer goroutines. Every field
// below mu is guarded by it.
type topic struct {
	name string

	mu       sync.Mutex
	notEmpty sync.Cond // idle consumers wait here
	notFull  sync.Cond // blocked publishers wait here

	q       ring
	cfg     TopicConfig // normalised
	dead    *topic      // nil when cfg.DeadLetter is "-"
	handler TimedHandler
	stopped bool

	want    int // consumers asked for
	running int // consumer goroutines alive
	idle    int // consumers waiting in notEmpty
	blocked int // publishers waiting in notFull

	inFlight, delayed int

	published, rejected, delivered, acked, nacked, retried, deadLettered, dropped uint64
}

func newTopic(name string, cfg TopicConfig) *topic {
	t := &topic{name: name, cfg: cfg}
	t.notEmpty.L = &t.mu
	t.notFull.L = &t.mu
	return t
}

// enqueue appends m, entering the queue at lab time at, and wakes one idle
// consumer. It ignores Capacity: callers that must respect it check first.
// Caller holds t.mu.
func (t *topic) enqueue(m *Message, at time.Time) {
	t.q.push(entry{m: m, at: at})
	if t.idle > 0 {
		t.notEmpty.Signal()
	}
}

// offer adds m if there is room, never blocking; it reports whether m was
// taken. Used for dead letters, which must not stall the consumer pool.
func (t *topic) offer(m *Message, at time.Time) bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.q.len() >= t.cfg.Capacity {
		t.rejected++
		return false
	}
	t.published++
	t.enqueue(m, at)
	return true
}

// stop wakes everyone waiting on the topic so they see stopped.
func (t *topic) stop() {
	t.mu.Lock()
	t.stopped = true
	t.notEmpty.Broadcast()
	t.notFull.Broadcast()
	t.mu.Unlock()
}

// TopicStats is a plain-value snapshot of one topic, cheap to take
// (one lock, no allocation).
type TopicStats struct {
	Name      string
	Depth     int // messages waiting to be delivered (not in flight, not delayed)
	Capacity  int
	Consumers int // consumer goroutines alive (after a shrink, those finishing a handler still count)
	InFlight  int // messages a handler is working on
	Delayed   int // nacked messages waiting out RetryDelay
	Blocked   int // publishers waiting for room (Block policy)
	WhenFull  FullPolicy

	MaxAttempts int
	RetryDelay  time.Duration
	DeadLetter  string // "-" when dead letters are dropped

	Published    uint64 // messages accepted (including dead letters received from other topics)
	Rejected     uint64 // publishes turned away with ErrFull
	Delivered    uint64 // handler calls, retries included
	Acked        uint64
	Nacked       uint64 // = Retried + DeadLettered + Dropped
	Retried      uint64 // nacks that led to another delivery
	DeadLettered uint64 // moved to the dead-letter topic
	Dropped      uint64 // out of attempts and discarded ("-" or dead topic full)

	// OldestAge is how long the message at the head of the queue has been
	// waiting since it (last) entered the queue, in lab time; 0 when empty.
	// The head is always the longest waiter, so this is the queueing delay
	// the next delivery will have seen.
	OldestAge time.Duration
}

// stats snapshots t at lab time now.
func (t *topic) stats(now time.Time) TopicStats {
	t.mu.Lock()
	defer t.mu.Unlock()
	s := TopicStats{
		Name: t.name, Depth: t.q.len(), Capacity: t.cfg.Capacity,
		Consumers: t.running, InFlight: t.inFlight, Delayed: t.delayed, Blocked: t.blocked,
		WhenFull: t.cfg.WhenFull, MaxAttempts: t.cfg.MaxAttempts, RetryDelay: t.cfg.RetryDelay,
		DeadLetter: t.cfg.DeadLetter,
		Published:  t.published, Rejected: t.rejected, Delivered: t.delivered,
		Acked: t.acked, Nacked: t.nacked, Retried: t.retried,
		DeadLettered: t.deadLettered, Dropped: t.dropped,
	}
	if t.q.len() > 0 {
		s.OldestAge = max(now.Sub(t.q.at(0).at), 0)
	}
	return s
}
