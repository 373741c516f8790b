package backend

import (
	"errors"
	"time"
)

// The errors a request can end with. Compare with errors.Is.
var (
	// ErrDown: the backend is killed; nothing listens (a refused connection).
	ErrDown = errors.New("connection refused: backend down")
	// ErrRejected: every worker is busy and the accept queue is full (a 503).
	ErrRejected = errors.New("rejected: accept queue full")
	// ErrInjected: the error-rate fault failed this request.
	ErrInjected = errors.New("injected error")
	// ErrTimeout: the caller's Timeout passed before the answer.
	ErrTimeout = errors.New("timed out")
	// ErrStopped: the backend was stopped before the request was served.
	ErrStopped = errors.New("backend stopped")
)

// Handler is work a request does after the backend's own service time,
// typically calls to downstream components (a cache, a database). It gets the
// lab time its work starts and returns the lab time it finished; it may
// block in real time meanwhile. An end earlier than start counts as start.
type Handler func(start time.Time) (end time.Time, err error)

// Request is one unit of work offered to a backend.
type Request struct {
	// Arrive is the lab time the request reached this backend. Zero means
	// "now" on the backend's clock.
	Arrive time.Time
	// Timeout is how long after Arrive the caller gives up (0 waits forever).
	Timeout time.Duration
	// Handler, if set, runs after the service time. It is skipped when the
	// request fails with an injected error or its caller has already left.
	Handler Handler
}

// Result is the answer to a Request. Times are lab times, and always
// End − Arrive = QueueWait + Service.
type Result struct {
	Start, End time.Time     // service start (after queueing) and answer time
	QueueWait  time.Duration // Start − Arrive: time spent in the accept queue
	Service    time.Duration // End − Start: service time plus handler time
	Worker     int           // worker number from 0; -1 if no worker took it
	Err        error         // nil or one of the Err values, or the handler's error
}

// job is a queued request and where its answer goes.
type job struct {
	req   Request
	done  func(Result) // Submit
	reply chan Result  // Do
}

func (j *job) send(r Result) {
	if j.reply != nil {
		j.reply <- r
	} else if j.done != nil {
		j.done(r)
	}
}
