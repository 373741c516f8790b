// Package front is the lab's HTTP front door: real clients — curl, hey,
// wrk, a browser — send requests that enter the same pipeline as the lab's
// generated load (lab.Lab.Call), and get their answer when its lab-time
// latency has passed at the lab's current speed, with headers that tell
// where it went.
//
//	GET  /item/{key}        a read: cache, then the key's shard on a miss
//	PUT  /item/{key}        a write (the body is read, capped, and dropped: the lab stores versions, not bytes)
//	POST /checkout[?key=N]  a checkout: payments through the circuit breaker, then a write
//	GET  /metrics           the lab's metrics for Prometheus (when a handler is given)
//
// Status codes: 200 served; 400 a bad key or traceparent; 404 no such
// route or no payments in this lab; 405 wrong method; 413 a body over the
// cap; 502 a server failed it (an injected error, a killed server); 503 no
// capacity (an accept queue or the write queue full, no healthy web
// server, the breaker open, the front door full, the lab stopped); 504 it
// timed out.
package front

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/scalelab/scalelab/components/trace"
	"github.com/scalelab/scalelab/lab"
)

// Settings configure a front door. Zero values pick the defaults.
type Settings struct {
	// MaxInFlight is how many requests may be in the lab at once through
	// this door; one more is answered 503 at once. Default 512.
	MaxInFlight int
	// MaxBody is the largest request body read, in bytes; a larger one is
	// answered 413 and issues nothing. Default 64 KiB.
	MaxBody int64
	// Metrics, if set, is served at GET /metrics.
	Metrics http.Handler
}

// Defaults for Settings.
const (
	DefaultMaxInFlight = 512
	DefaultMaxBody     = 64 << 10
)

// Door is the front door's handler. It is safe for concurrent use.
type Door struct {
	lab     *lab.Lab
	set     Settings
	slots   chan struct{}
	mux     *http.ServeMux
	refused atomic.Uint64

	mu  sync.Mutex
	rng *rand.Rand // checkout keys when none is given
}

// New returns the front door to l.
func New(l *lab.Lab, s Settings) *Door {
	if s.MaxInFlight <= 0 {
		s.MaxInFlight = DefaultMaxInFlight
	}
	if s.MaxBody <= 0 {
		s.MaxBody = DefaultMaxBody
	}
	d := &Door{lab: l, set: s, slots: make(chan struct{}, s.MaxInFlight), mux: http.NewServeMux(),
		rng: rand.New(rand.NewPCG(l.Seed(), 0xf0)),
	}
	d.mux.HandleFunc("GET /item/{key}", func(w http.ResponseWriter, r *http.Request) { d.item(w, r, false) })
	d.mux.HandleFunc("PUT /item/{key}", func(w http.ResponseWriter, r *http.Request) { d.item(w, r, true) })
	d.mux.HandleFunc("POST /checkout", d.checkout)
	d.mux.HandleFunc("GET /{$}", d.index)
	if s.Metrics != nil {
		d.mux.Handle("GET /metrics", s.Metrics)
	}
	return d
}

// ServeHTTP routes a request.
func (d *Door) ServeHTTP(w http.ResponseWriter, r *http.Request) { d.mux.ServeHTTP(w, r) }

// Refused is how many requests the door answered 503 at once because
// MaxInFlight were already in the lab.
func (d *Door) Refused() uint64 { return d.refused.Load() }

func (d *Door) index(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	p := d.lab.Preset()
	fmt.Fprintf(w, "scalelab front door: preset %s, keys 0..%d\n\n", p.Name, d.lab.Keys()-1)
	fmt.Fprintln(w, "GET  /item/{key}        a read")
	fmt.Fprintln(w, "PUT  /item/{key}        a write")
	if d.lab.HasPayments() {
		fmt.Fprintln(w, "POST /checkout[?key=N]  a checkout through the breaker to payments")
	}
	if d.set.Metrics != nil {
		fmt.Fprintln(w, "GET  /metrics           the lab's metrics for Prometheus")
	}
}

func (d *Door) item(w http.ResponseWriter, r *http.Request, write bool) {
	key, err := d.parseKey(r.PathValue("key"))
	if err != nil {
		fail(w, http.StatusBadRequest, err)
		return
	}
	d.do(w, r, lab.Call{Key: key, Write: write})
}

func (d *Door) checkout(w http.ResponseWriter, r *http.Request) {
	if !d.lab.HasPayments() {
		fail(w, http.StatusNotFound, lab.ErrNoPayments)
		return
	}
	var key uint64
	if s := r.URL.Query().Get("key"); s != "" || r.URL.Query().Has("key") {
		k, err := d.parseKey(s)
		if err != nil {
			fail(w, http.StatusBadRequest, err)
			return
		}
		key = k
	} else {
		d.mu.Lock()
		key = d.rng.Uint64N(uint64(d.lab.Keys()))
		d.mu.Unlock()
	}
	d.do(w, r, lab.Call{Key: key, Write: true, Checkout: true})
}

// parseKey reads a key: a whole number in [0, Keys()).
func (d *Door) parseKey(s string) (uint64, error) {
	n := d.lab.Keys()
	k, err := strconv.ParseUint(s, 10, 64)
	if err != nil || k >= uint64(n) {
		return 0, fmt.Errorf("key %q: want a whole number 0..%d", s, n-1)
	}
	return k, nil
}

// do issues c and answers when its lab time has passed.
func (d *Door) do(w http.ResponseWriter, r *http.Request, c lab.Call) {
	select {
	case d.slots <- struct{}{}:
		defer func() { <-d.slots }()
	default:
		d.refused.Add(1)
		w.Header().Set("Retry-After", "1")
		fail(w, http.StatusServiceUnavailable, fmt.Errorf("the front door is full: %d requests are in the lab already", cap(d.slots)))
		return
	}
	if h := r.Header.Get("traceparent"); h != "" {
		parent, err := trace.ParseContext(h)
		if err != nil {
			fail(w, http.StatusBadRequest, fmt.Errorf("traceparent header: %w", err))
			return
		}
		c.Parent = parent
	}
	if r.Body != nil { // read it all before the request enters the lab
		if _, err := io.Copy(io.Discard, http.MaxBytesReader(w, r.Body, d.set.MaxBody)); err != nil {
			var tooBig *http.MaxBytesError
			if errors.As(err, &tooBig) {
				fail(w, http.StatusRequestEntityTooLarge, fmt.Errorf("request body over %d bytes", d.set.MaxBody))
				return
			}
			fail(w, http.StatusBadRequest, fmt.Errorf("reading the request body: %w", err))
			return
		}
	}

	// Stop waiting when the client goes or the lab stops.
	ctx, cancel := context.WithCancel(r.Context())
	defer cancel()
	go func() {
		select {
		case <-d.lab.Done():
			cancel()
		case <-ctx.Done():
		}
	}()
	answers := make(chan lab.Answer, 1) // the lab never blocks on it
	if err := d.lab.Call(c, func(a lab.Answer) { answers <- a }); err != nil {
		code := http.StatusBadRequest
		switch {
		case errors.Is(err, lab.ErrLabStopped):
			code = http.StatusServiceUnavailable
		case errors.Is(err, lab.ErrNoPayments):
			code = http.StatusNotFound
		}
		fail(w, code, err)
		return
	}
	var a lab.Answer
	select {
	case a = <-answers:
	case <-ctx.Done():
		if r.Context().Err() == nil { // the lab stopped, the client is still there
			fail(w, http.StatusServiceUnavailable, lab.ErrLabStopped)
		}
		return
	}
	// The answer leaves when its lab time has passed: at 1x a request
	// that took 40 ms in the lab takes 40 ms here.
	if !d.lab.Clock().SleepUntil(a.End, ctx.Done()) {
		if r.Context().Err() == nil {
			fail(w, http.StatusServiceUnavailable, lab.ErrLabStopped)
		}
		return
	}
	respond(w, c, a)
}

// reply is the JSON body of an answer.
type reply struct {
	ID        uint64  `json:"id"`
	Key       uint64  `json:"key"`
	Op        string  `json:"op"`
	Checkout  bool    `json:"checkout,omitempty"`
	Arrive    float64 `json:"arrive_s"` // lab seconds since the lab started
	LatencyMS float64 `json:"latency_ms"`
	Backend   string  `json:"backend,omitempty"`
	WaitMS    float64 `json:"queue_wait_ms"`
	Cache     string  `json:"cache,omitempty"`
	Shard     string  `json:"shard,omitempty"`
	TraceID   string  `json:"trace_id"`
	Sampled   bool    `json:"sampled"`
	Failure   string  `json:"failure,omitempty"`
	Err       string  `json:"error,omitempty"`
}

// statusOf maps how a request went to an HTTP status.
func statusOf(f lab.Failure) int {
	switch f {
	case lab.Served:
		return http.StatusOK
	case lab.TimedOut:
		return http.StatusGatewayTimeout
	case lab.Failed:
		return http.StatusBadGateway
	case lab.Limited:
		return http.StatusTooManyRequests
	}
	return http.StatusServiceUnavailable // unavailable, breaker open
}

func respond(w http.ResponseWriter, c lab.Call, a lab.Answer) {
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("X-Scalelab-Request", strconv.FormatUint(a.ID, 10))
	h.Set("X-Scalelab-Latency", durationText(a.Latency))
	if a.Backend != "" {
		h.Set("X-Scalelab-Backend", a.Backend)
		h.Set("X-Scalelab-Queue-Wait", durationText(a.QueueWait))
	}
	if a.Cache != "" {
		h.Set("X-Cache", a.Cache)
	}
	if a.Shard != "" {
		h.Set("X-Shard", a.Shard)
	}
	if tp := a.Trace.Traceparent(); tp != "" {
		h.Set("traceparent", tp)
	}
	body := reply{
		ID: a.ID, Key: c.Key, Op: "read", Checkout: c.Checkout, Arrive: a.At.Seconds(),
		LatencyMS: ms(a.Latency), Backend: a.Backend, WaitMS: ms(a.QueueWait), Cache: a.Cache, Shard: a.Shard,
		TraceID: a.Trace.TraceID.String(), Sampled: a.Trace.Sampled,
	}
	if c.Write {
		body.Op = "write"
	}
	if a.Err != nil {
		h.Set("X-Scalelab-Error", a.Err.Error())
		body.Failure, body.Err = a.Failure.String(), a.Err.Error()
	}
	w.WriteHeader(statusOf(a.Failure))
	_ = json.NewEncoder(w).Encode(body)
}

// fail answers a request that did not enter the lab (or could not be
// answered by it).
func fail(w http.ResponseWriter, code int, err error) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	_ = json.NewEncoder(w).Encode(map[string]string{"error": err.Error()})
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

// durationText renders a lab duration to the microsecond, like "3.214ms".
func durationText(d time.Duration) string { return d.Round(time.Microsecond).String() }
