package lab

import (
	"slices"
	"sync"
	"sync/atomic"
)

// Event kinds written to subscribers and session logs.
const (
	KindCommand = "command" // a command ran (or failed): Source, Line, Err
	KindFault   = "fault"   // a fault was injected or cleared: Component, Detail
	KindState   = "state"   // a component changed state: Component, From, To, Detail
	KindExpect  = "expect"  // an expect passed or failed: Line, Value, Err
	KindRequest = "request" // one finished request (only for subscribers that ask)
	KindLesson  = "lesson"  // lesson progress: Lesson, Step, What (and Choice, Correct, Hint)
)

// What a lesson event reports (Event.What).
const (
	LessonStarted   = "started"   // a step started
	LessonPassed    = "passed"    // a step's checks all held at once (after the learner acted, for a task)
	LessonShown     = "shown"     // the learner asked to be shown a task's solution, which ran
	LessonSkipped   = "skipped"   // the learner skipped a step before it passed
	LessonRestarted = "restarted" // the learner restarted the step: the lab was rebuilt to its start
	LessonQuiz      = "quiz"      // a quiz answer was locked in: Choice, Correct
	LessonHint      = "hint"      // a hint was shown: Hint (1-based)
	LessonDone      = "done"      // the lesson's last step was left: the summary shows
)

// Event is one thing that happened in the lab, stamped with lab time T in
// seconds since the lab started. It marshals to one JSON Lines record.
type Event struct {
	T         float64  `json:"t"`
	Kind      string   `json:"kind"`
	Source    string   `json:"source,omitempty"`
	Line      string   `json:"line,omitempty"`
	Component string   `json:"component,omitempty"`
	From      string   `json:"from,omitempty"`
	To        string   `json:"to,omitempty"`
	Detail    string   `json:"detail,omitempty"`
	Err       string   `json:"err,omitempty"`
	Value     *float64 `json:"value,omitempty"`

	// Request fields (Kind == "request"; T is when it was answered, in
	// lab time). ID is also a dead-lettered message's id.
	ID        uint64  `json:"id,omitempty"`
	Key       *uint64 `json:"key,omitempty"`
	Op        string  `json:"op,omitempty"`
	Checkout  bool    `json:"checkout,omitempty"` // a write that called payments
	Arrive    float64 `json:"arrive,omitempty"`   // lab seconds it reached the balancer
	Backend   string  `json:"backend,omitempty"`
	Worker    *int    `json:"worker,omitempty"`     // the web server's worker that served it
	WaitMS    float64 `json:"wait_ms,omitempty"`    // in the web server's accept queue
	ServiceMS float64 `json:"service_ms,omitempty"` // from the web server's service start to the answer
	Cache     string  `json:"cache,omitempty"`      // hit, miss, or empty when the cache was not asked
	Shard     string  `json:"shard,omitempty"`
	LatencyMS float64 `json:"latency_ms,omitempty"`

	// Lost-message fields (a queue's state event for messages that ran out
	// of attempts, once a lab second): how many, and the last one's
	// attempts (its id is ID).
	Count    int `json:"count,omitempty"`
	Attempts int `json:"attempts,omitempty"`

	// Lesson fields (Kind == "lesson").
	Lesson  string `json:"lesson,omitempty"` // lesson id
	Step    int    `json:"step,omitempty"`   // 1-based
	What    string `json:"what,omitempty"`   // LessonStarted, LessonPassed, …
	Choice  int    `json:"choice,omitempty"` // quiz: the choice locked in, 1-based
	Correct *bool  `json:"correct,omitempty"`
	Hint    int    `json:"hint,omitempty"` // hint: which one, 1-based
}

// Bus fans events out to subscribers. Commands, faults and state changes are
// never dropped: each subscriber has an unbounded queue for them. Request
// events go only to subscribers that asked for them and are dropped (and
// counted) when that subscriber falls more than RequestBacklog behind, so a
// slow log writer can never stall the request path.
type Bus struct {
	dropped  atomic.Uint64 // request events lost by all subscribers
	mu       sync.Mutex
	subs     []*Subscription
	requests atomic.Int32 // subscribers that want request events
}

// RequestBacklog is how many request events a subscriber may have pending.
const RequestBacklog = 1 << 16

// Subscription is one subscriber's queue.
type Subscription struct {
	bus      *Bus
	requests bool
	mu       sync.Mutex
	queue    []Event
	pendingR int
	wake     chan struct{}
	dropped  atomic.Uint64
}

// Subscribe adds a subscriber; wantRequests asks for per-request events too.
func (b *Bus) Subscribe(wantRequests bool) *Subscription {
	s := &Subscription{bus: b, requests: wantRequests, wake: make(chan struct{}, 1)}
	b.mu.Lock()
	b.subs = append(b.subs, s)
	b.mu.Unlock()
	if wantRequests {
		b.requests.Add(1)
	}
	return s
}

// Unsubscribe removes s; its queue is left as it was.
func (s *Subscription) Unsubscribe() {
	b := s.bus
	b.mu.Lock()
	defer b.mu.Unlock()
	for i, t := range b.subs {
		if t == s {
			b.subs = slices.Concat(b.subs[:i], b.subs[i+1:]) // a new slice: publishers may hold the old one
			if s.requests {
				b.requests.Add(-1)
			}
			return
		}
	}
}

// WantsRequests reports whether any subscriber wants request events, so the
// request path can skip building them.
func (b *Bus) WantsRequests() bool { return b.requests.Load() > 0 }

// Publish delivers e to every subscriber that wants it. It never blocks on a
// subscriber.
func (b *Bus) Publish(e Event) {
	b.mu.Lock()
	subs := b.subs
	b.mu.Unlock()
	for _, s := range subs {
		s.push(e)
	}
}

func (s *Subscription) push(e Event) {
	req := e.Kind == KindRequest
	if req && !s.requests {
		return
	}
	s.mu.Lock()
	if req && s.pendingR >= RequestBacklog {
		s.mu.Unlock()
		s.dropped.Add(1)
		s.bus.dropped.Add(1)
		return
	}
	if req {
		s.pendingR++
	}
	s.queue = append(s.queue, e)
	s.mu.Unlock()
	select {
	case s.wake <- struct{}{}:
	default:
	}
}

// Ready is signalled when events are waiting; then call Drain.
func (s *Subscription) Ready() <-chan struct{} { return s.wake }

// Drain returns and clears the pending events, oldest first.
func (s *Subscription) Drain() []Event {
	s.mu.Lock()
	q := s.queue
	s.queue = nil
	s.pendingR = 0
	s.mu.Unlock()
	return q
}

// Dropped counts request events this subscriber lost to backlog.
func (s *Subscription) Dropped() uint64 { return s.dropped.Load() }
