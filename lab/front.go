package lab

// Calls from outside the lab: a request a real client sent (the HTTP front
// door, lab/front) enters the same pipeline as a generated arrival — the
// balancer, a web server's queue and workers, the cache, the shards, the
// queue, the breaker — and is told how it went, in lab time.

import (
	"errors"
	"fmt"
	"time"

	"github.com/scalelab/scalelab/components/backend"
	"github.com/scalelab/scalelab/components/balancer"
	"github.com/scalelab/scalelab/components/breaker"
	"github.com/scalelab/scalelab/components/queue"
	"github.com/scalelab/scalelab/components/trace"
)

// Call is one request from outside the lab.
type Call struct {
	Key      uint64        // the item, in [0, Keys())
	Write    bool          // a write (PUT); else a read (GET)
	Checkout bool          // a write that charges payments through the breaker first
	Parent   trace.Context // the caller's trace context (a traceparent); zero for none
}

// Answer is how a call went. Times are lab times; Latency is End − Arrive,
// what the lab measured and recorded for it like for any request.
type Answer struct {
	ID          uint64        // the request's id, from the same sequence as generated arrivals
	At          time.Duration // when it arrived, in lab time since the lab started
	Arrive, End time.Time
	Latency     time.Duration
	Backend     string        // the web server that took it; "" if none could
	QueueWait   time.Duration // in that web server's accept queue
	Cache       string        // "hit", "miss", or "" when the cache was not asked
	Shard       string        // the database server read; "" if none was
	Err         error         // nil when it succeeded
	Failure     Failure       // why it failed; Served when it did not
	Trace       trace.Context // the request's own trace context (sampled or not)
}

// Failure is why a request failed, in the words a client is told.
type Failure int

// Failures, from the error a request ended with (see FailureOf).
const (
	Served      Failure = iota // it succeeded
	Unavailable                // no capacity: an accept queue or the write queue full, no healthy web server, the lab stopping
	BreakerOpen                // the circuit breaker failed the checkout fast
	TimedOut                   // a timeout passed before the answer
	Failed                     // a server failed it: an injected error, a killed server, a primary lost
	Limited                    // the rate limiter at the edge refused it
)

var failureNames = [...]string{"served", "unavailable", "breaker open", "timed out", "failed", "rate limited"}

func (f Failure) String() string {
	if f >= 0 && int(f) < len(failureNames) {
		return failureNames[f]
	}
	return fmt.Sprintf("Failure(%d)", int(f))
}

// FailureOf classifies the error a request ended with.
func FailureOf(err error) Failure {
	switch {
	case err == nil:
		return Served
	case errors.Is(err, errLimited):
		return Limited
	case errors.Is(err, breaker.ErrOpen), errors.Is(err, breaker.ErrTooManyRequests):
		return BreakerOpen
	case errors.Is(err, backend.ErrTimeout):
		return TimedOut
	case errors.Is(err, backend.ErrRejected), errors.Is(err, errNoBackend), errors.Is(err, balancer.ErrNoHealthy), errors.Is(err, queue.ErrFull),
		errors.Is(err, backend.ErrStopped), errors.Is(err, queue.ErrStopped), errors.Is(err, ErrLabStopped):
		return Unavailable
	}
	return Failed
}

// Errors Call returns without issuing anything.
var (
	ErrLabStopped = errors.New("the lab has stopped")
	ErrNoPayments = errors.New("this lab has no payments service to check out with (preset shop has one)")
)

// Keys is the size of the key space: a call's key is in [0, Keys()).
func (l *Lab) Keys() int { return len(l.latest) }

// HasPayments reports whether checkouts are possible.
func (l *Lab) HasPayments() bool { return l.payments != nil }

// Call issues c into the pipeline at the current lab time, exactly as the
// load generator issues an arrival, and calls done once when it finishes,
// on a lab goroutine: done must not block. The request is counted, traced
// and shown like any other; its request event has source "http". A call
// with a bad key, a checkout without payments, or a call to a stopped lab
// is refused with an error and nothing is issued.
func (l *Lab) Call(c Call, done func(Answer)) error {
	switch {
	case l.stopped():
		return ErrLabStopped
	case c.Key >= uint64(l.Keys()):
		return fmt.Errorf("key %d is out of range 0..%d", c.Key, l.Keys()-1)
	case c.Checkout && (!c.Write || l.payments == nil):
		if !c.Write {
			return errors.New("a checkout is a write")
		}
		return ErrNoPayments
	}
	g := l.load
	g.mu.Lock()
	g.nextID++
	id := g.nextID
	g.mu.Unlock()
	at := l.clock.Now()
	l.m.http.Inc()
	r := l.newRequest(id, c.Key, c.Write, c.Checkout, at)
	r.answer = done
	r.tr, r.own = l.tracer.StartFrom(r.name(), at, c.Parent, trace.Attr{Key: "source", Value: "http"})
	l.route(r, at)
	return nil
}

// answerOf is the request's Answer, when it finished at end.
func (r *request) answerOf(end time.Time, backendName string, err error) Answer {
	a := Answer{
		ID: r.id, At: r.arrive.Sub(r.lab.start), Arrive: r.arrive, End: end, Latency: end.Sub(r.arrive),
		Backend: backendName, Cache: r.cacheUse, Shard: r.shard,
		Err: err, Failure: FailureOf(err), Trace: r.own,
	}
	if backendName != "" {
		a.QueueWait = r.res.QueueWait
	}
	return a
}

// source is where the request came from, for its request event: "http"
// for a call from outside, "" for generated load.
func (r *request) source() string {
	if r.answer != nil {
		return "http"
	}
	return ""
}
