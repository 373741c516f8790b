package queue

import (
	"errors"
	"fmt"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/scalelab/scalelab/components/clock"
	"github.com/scalelab/scalelab/components/crash"
)

// Errors returned by the broker. Errors about a named topic wrap ErrNoTopic
// or ErrStopped; test with errors.Is. ErrFull is returned bare so a rejected
// publish does not allocate.
var (
	ErrFull     = errors.New("queue full")
	ErrNoTopic  = errors.New("no such topic")
	ErrStopped  = errors.New("broker stopped")
	errNoHandle = errors.New("no handler: call Subscribe first")
)

// Settings configures a Broker. The zero value works: a real-time lab clock
// and no events.
type Settings struct {
	// Clock stamps messages and times retry delays. nil means clock.New(1).
	Clock *clock.Clock
	// Crash is where a panic on a consumer goes; nil: the process's handler.
	Crash *crash.Scope
	// OnEvent, if set, receives topic changes, consumer-count changes and
	// dead-lettered or dropped messages — never per-message acks/nacks. It is
	// called after the broker's locks are released.
	OnEvent func(Event)
}

// Broker holds named topics and their consumer pools. All methods are safe
// for concurrent use. Publish and TryPublish take one atomic load to find the
// topic and one mutex round-trip; they allocate the Message (plus whatever
// boxing body into an interface costs). Stop must be called to end the
// consumer goroutines.
type Broker struct {
	clock   *clock.Clock
	crash   *crash.Scope
	onEvent func(Event)
	nextID  atomic.Uint64

	mu      sync.Mutex               // serialises topic creation, Configure and Stop
	reg     atomic.Pointer[registry] // copy-on-write, so lookups take no lock
	stopped bool
	retries retryScheduler
	wg      sync.WaitGroup // consumer and retry goroutines
}

// registry is an immutable snapshot of the topics, replaced on every
// CreateTopic (rare), read lock-free on every publish (hot).
type registry struct {
	byName map[string]*topic
	names  []string // sorted
}

// NewBroker returns an empty broker. It starts no goroutine until a topic
// gets consumers or a delayed retry.
func NewBroker(s Settings) *Broker {
	b := &Broker{clock: s.Clock, crash: s.Crash, onEvent: s.OnEvent}
	if b.clock == nil {
		b.clock = clock.New(1)
	}
	b.reg.Store(&registry{byName: map[string]*topic{}})
	return b
}

func (b *Broker) emit(e Event) {
	if b.onEvent != nil {
		b.onEvent(e)
	}
}

func (b *Broker) emitAll(es []Event) {
	for _, e := range es {
		b.emit(e)
	}
}

// lookup finds a topic without locking.
func (b *Broker) lookup(name string) (*topic, error) {
	if t := b.reg.Load().byName[name]; t != nil {
		return t, nil
	}
	return nil, fmt.Errorf("topic %q: %w", name, ErrNoTopic)
}

// CreateTopic adds a topic (and its dead-letter topic, unless that exists
// or cfg.DeadLetter is "-"). A duplicate name is an error; so is a config
// that cannot be clamped to its defaults (see TopicConfig).
func (b *Broker) CreateTopic(name string, cfg TopicConfig) error {
	if err := checkName(name); err != nil {
		return err
	}
	cfg, err := cfg.normalize(name)
	if err != nil {
		return err
	}
	var events []Event
	b.mu.Lock()
	switch {
	case b.stopped:
		err = ErrStopped
	case b.reg.Load().byName[name] != nil:
		err = fmt.Errorf("topic %q already exists", name)
	default:
		t := newTopic(name, cfg)
		events = b.addTopic(t, events)
		t.dead, events = b.deadTopic(cfg, events)
	}
	b.mu.Unlock()
	b.emitAll(events)
	return err
}

// addTopic publishes a new registry holding t. Caller holds b.mu.
func (b *Broker) addTopic(t *topic, events []Event) []Event {
	old := b.reg.Load()
	r := &registry{byName: make(map[string]*topic, len(old.byName)+1)}
	for k, v := range old.byName {
		r.byName[k] = v
	}
	r.byName[t.name] = t
	r.names = append(slices.Clone(old.names), t.name)
	slices.Sort(r.names)
	b.reg.Store(r)
	return append(events, Event{At: b.clock.Now(), Topic: t.name, Kind: TopicCreated})
}

// deadTopic resolves cfg.DeadLetter, creating the topic if needed. Caller
// holds b.mu. An auto-created dead topic drops its own dead letters, so the
// chain stops at one level.
func (b *Broker) deadTopic(cfg TopicConfig, events []Event) (*topic, []Event) {
	if cfg.DeadLetter == DropDeadLetters {
		return nil, events
	}
	if d := b.reg.Load().byName[cfg.DeadLetter]; d != nil {
		return d, events
	}
	d := newTopic(cfg.DeadLetter, TopicConfig{
		Capacity: cfg.Capacity, WhenFull: Reject, MaxAttempts: DefaultMaxAttempts, DeadLetter: DropDeadLetters,
	})
	return d, b.addTopic(d, events)
}

// Configure changes a live topic: capacity, full policy, max attempts,
// retry delay and dead-letter topic, all at once, with the same defaults as
// CreateTopic (read the current values with Config to change one). Messages
// already waiting are kept even if the new capacity is smaller; publishers
// blocked on a full topic re-check at once (and get ErrFull if the policy is
// now Reject). New MaxAttempts and RetryDelay apply from the next nack.
func (b *Broker) Configure(name string, cfg TopicConfig) error {
	t, err := b.lookup(name)
	if err != nil {
		return err
	}
	if cfg, err = cfg.normalize(name); err != nil {
		return err
	}
	var events []Event
	b.mu.Lock()
	if b.stopped {
		b.mu.Unlock()
		return ErrStopped
	}
	var dead *topic
	dead, events = b.deadTopic(cfg, events)
	t.mu.Lock()
	t.cfg, t.dead = cfg, dead
	t.notFull.Broadcast()
	t.mu.Unlock()
	b.mu.Unlock()
	b.emitAll(append(events, Event{At: b.clock.Now(), Topic: name, Kind: TopicConfigured}))
	return nil
}

// Config returns a topic's current configuration, defaults filled in.
func (b *Broker) Config(name string) (TopicConfig, bool) {
	t, err := b.lookup(name)
	if err != nil {
		return TopicConfig{}, false
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.cfg, true
}

// Publish adds body to a topic. When the topic is full it waits for room
// under the Block policy (returning ErrStopped if the broker stops first) and
// returns ErrFull at once under Reject. Cost: one allocation for the Message.
func (b *Broker) Publish(topic string, body any) error {
	return b.publish(topic, body, time.Time{}, true)
}

// TryPublish is Publish that never waits: a full topic returns ErrFull
// whatever its policy.
func (b *Broker) TryPublish(topic string, body any) error {
	return b.publish(topic, body, time.Time{}, false)
}

// PublishAt and TryPublishAt are Publish and TryPublish stamped with the
// lab time the publisher sent the message (a request carrying its own
// logical time), not the clock's now.
func (b *Broker) PublishAt(topic string, body any, at time.Time) error {
	return b.publish(topic, body, at, true)
}

// TryPublishAt: see PublishAt.
func (b *Broker) TryPublishAt(topic string, body any, at time.Time) error {
	return b.publish(topic, body, at, false)
}

func (b *Broker) publish(name string, body any, at time.Time, mayWait bool) error {
	t, err := b.lookup(name)
	if err != nil {
		return err
	}
	now := at
	if now.IsZero() {
		now = b.clock.Now()
	}
	t.mu.Lock()
	waited := false
	for !t.stopped && t.q.len() >= t.cfg.Capacity {
		if !mayWait || t.cfg.WhenFull == Reject {
			t.rejected++
			t.mu.Unlock()
			return ErrFull
		}
		t.blocked++
		t.notFull.Wait()
		t.blocked--
		waited = true
	}
	if t.stopped {
		t.mu.Unlock()
		return ErrStopped
	}
	m := &Message{ID: b.nextID.Add(1), Topic: t.name, Body: body, Published: now}
	ready := now
	if waited {
		ready = later(now, b.clock.Now()) // queueing starts when it got in
	}
	t.published++
	t.enqueue(m, ready)
	t.mu.Unlock()
	return nil
}

// Subscribe sets the topic's handler and starts consumers goroutines
// running it (0 is allowed). Calling it again replaces the handler (from the
// next delivery on) and sets the count, like SetConsumers.
func (b *Broker) Subscribe(topic string, consumers int, h Handler) error {
	if h == nil {
		return fmt.Errorf("topic %q: nil handler", topic)
	}
	return b.setConsumers(topic, consumers, func(m *Message, start time.Time) (time.Time, error) {
		err := h(m)
		return later(start, b.clock.Now()), err // it took real time: as long as the clock says
	})
}

// SubscribeTimed is Subscribe with a handler on lab time (see TimedHandler).
func (b *Broker) SubscribeTimed(topic string, consumers int, h TimedHandler) error {
	if h == nil {
		return fmt.Errorf("topic %q: nil handler", topic)
	}
	return b.setConsumers(topic, consumers, h)
}

// SetConsumers grows or shrinks a subscribed topic's consumer pool live. A
// shrink wakes idle consumers so the extra ones exit; busy ones exit after
// their current message. 0 stops consumption: the backlog builds up.
func (b *Broker) SetConsumers(topic string, n int) error { return b.setConsumers(topic, n, nil) }

func (b *Broker) setConsumers(name string, n int, h TimedHandler) error {
	t, err := b.lookup(name)
	if err != nil {
		return err
	}
	if n < 0 || n > MaxConsumers {
		return fmt.Errorf("topic %q: %d consumers: want 0..%d", name, n, MaxConsumers)
	}
	t.mu.Lock()
	if t.stopped {
		t.mu.Unlock()
		return fmt.Errorf("topic %q: %w", name, ErrStopped)
	}
	if h != nil {
		t.handler = h
	}
	if t.handler == nil {
		t.mu.Unlock()
		return fmt.Errorf("topic %q: %w", name, errNoHandle)
	}
	changed := t.want != n
	t.want = n
	for t.running < n {
		t.running++
		b.wg.Add(1)
		b.crash.Go(func() { b.consume(t) })
	}
	if t.running > n {
		t.notEmpty.Broadcast()
	}
	t.mu.Unlock()
	if changed {
		b.emit(Event{At: b.clock.Now(), Topic: name, Kind: ConsumersChanged, Consumers: n})
	}
	return nil
}

// Topics returns the topic names, sorted. It allocates the slice.
func (b *Broker) Topics() []string { return slices.Clone(b.reg.Load().names) }

// Topic returns one topic's snapshot.
func (b *Broker) Topic(name string) (TopicStats, bool) {
	t, err := b.lookup(name)
	if err != nil {
		return TopicStats{}, false
	}
	return t.stats(b.clock.Now()), true
}

// Stats returns a snapshot of every topic, sorted by name. Each topic is
// locked briefly on its own, so the snapshot is per-topic consistent.
func (b *Broker) Stats() []TopicStats {
	r := b.reg.Load()
	now := b.clock.Now()
	out := make([]TopicStats, 0, len(r.names))
	for _, name := range r.names {
		out = append(out, r.byName[name].stats(now))
	}
	return out
}

// Peek returns copies of up to n waiting messages from the head of a topic
// without removing them — for looking into a dead-letter topic. n <= 0 or
// more than Depth means all of them.
func (b *Broker) Peek(topic string, n int) ([]Message, error) {
	t, err := b.lookup(topic)
	if err != nil {
		return nil, err
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	if n <= 0 || n > t.q.len() {
		n = t.q.len()
	}
	out := make([]Message, n)
	for i := range out {
		out[i] = *t.q.at(i).m
	}
	return out, nil
}

// Stop shuts the broker down: consumers exit (a handler in progress
// finishes and is settled first), blocked publishers return ErrStopped, the
// retry scheduler ends. It returns when no broker goroutine is left. Waiting
// and delayed messages stay counted in Stats. Stop is idempotent; do not
// call it from a handler (it would wait for itself).
func (b *Broker) Stop() {
	b.mu.Lock()
	if !b.stopped {
		b.stopped = true
		for _, t := range b.reg.Load().byName {
			t.stop()
		}
		b.retries.stop()
	}
	b.mu.Unlock()
	b.wg.Wait()
}
