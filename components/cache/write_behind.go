package cache

import (
	"errors"
	"sync"
	"time"

	"github.com/scalelab/scalelab/components/clock"
	"github.com/scalelab/scalelab/components/crash"
)

// Write-behind queue limits.
const (
	DefaultBehindQueue = 1024
	MaxBehindQueue     = 1 << 20
)

var (
	// ErrBehindFull is returned by Enqueue (and Write in WriteBehind mode)
	// when the queue is full: the database is not keeping up, and the write
	// is dropped — it is in the cache but will never be stored.
	ErrBehindFull = errors.New("cache: write-behind queue is full")
	// ErrBehindStopped is returned by Enqueue after Stop.
	ErrBehindStopped = errors.New("cache: write-behind is stopped")
)

// BehindSettings configures a BehindQueue. The zero value stores each write
// as soon as the flusher reaches it, from a 1024-write queue, on a 1x clock.
type BehindSettings struct {
	// Delay is the lab time a write waits in the queue before it is stored
	// (Ehcache's write-behind "write delay"); default 0, negative means 0.
	Delay time.Duration
	// QueueSize is how many writes may wait, the one being stored included;
	// default 1024 when <= 0, at most MaxBehindQueue.
	QueueSize int
	// Clock times the delay; default clock.New(1). The lab passes its own.
	Clock *clock.Clock
	// Crash is where a panic on the flusher goes; nil: the process's handler.
	Crash *crash.Scope
}

// BehindStats is a snapshot of a BehindQueue's counters.
type BehindStats struct {
	Pending   int           // writes queued or being stored
	Flushed   uint64        // writes stored successfully
	Failed    uint64        // writes whose store returned an error (lost)
	Dropped   uint64        // writes refused (queue full, stopped) or still queued at Stop (lost)
	OldestAge time.Duration // how long the oldest pending write has waited: how far the database lags
	Delay     time.Duration
	QueueSize int
}

// BehindQueue stores writes in the background, in the order they were
// enqueued, each once it has waited Delay of lab time — write-behind (or
// write-back) caching. One flusher goroutine takes the oldest write, sleeps
// until it is due, calls store and moves on, so the store sees one write at a
// time and its latency directly limits throughput: when writes arrive faster
// than the store absorbs them the queue fills and Enqueue refuses.
//
// Writes to the same key are not merged; each is stored. A write that fails
// is counted and not retried. Safe for concurrent use.
//
// With a timed store (NewWriteBehindTimed) the flusher keeps a cursor in
// lab time: a write is stored from the later of its due time and the end
// of the write before it, and the store says when it finished. So the
// flusher's pace is the store's modelled latency, whatever the clock speed
// and however late its goroutine wakes.
type BehindQueue[K comparable, V any] struct {
	clock *clock.Clock
	store func(k K, v V, start time.Time) (end time.Time, err error)
	wake  chan struct{} // nudges an idle flusher; buffered, never closed
	done  chan struct{} // closed when the flusher exits

	mu      sync.Mutex
	ring    []behindWrite[K, V]
	head, n int
	delay   time.Duration
	kick    chan struct{} // closed (and replaced) to cut the flusher's sleep short
	stopped bool

	// counters, guarded by mu
	flushed, failed, dropped uint64
}

type behindWrite[K comparable, V any] struct {
	key K
	val V
	at  time.Time // lab time of Enqueue
}

// NewWriteBehind returns a BehindQueue writing to store and starts its
// flusher goroutine; call Stop to end it. A nil store fails every write.
// A store takes as long as it takes on the clock.
func NewWriteBehind[K comparable, V any](s BehindSettings, store func(K, V) error) *BehindQueue[K, V] {
	if s.Clock == nil {
		s.Clock = clock.New(1)
	}
	if store == nil {
		store = func(K, V) error { return errNoStore }
	}
	clk := s.Clock
	return NewWriteBehindTimed(s, func(k K, v V, start time.Time) (time.Time, error) {
		err := store(k, v)
		return clk.Now(), err
	})
}

// NewWriteBehindTimed is NewWriteBehind with a store on lab time: it gets
// the lab time the write starts and returns the lab time it finished.
func NewWriteBehindTimed[K comparable, V any](s BehindSettings, store func(k K, v V, start time.Time) (time.Time, error)) *BehindQueue[K, V] {
	if s.QueueSize <= 0 {
		s.QueueSize = DefaultBehindQueue
	}
	if s.Clock == nil {
		s.Clock = clock.New(1)
	}
	if store == nil {
		store = func(_ K, _ V, start time.Time) (time.Time, error) { return start, errNoStore }
	}
	w := &BehindQueue[K, V]{
		clock: s.Clock,
		store: store,
		wake:  make(chan struct{}, 1),
		done:  make(chan struct{}),
		ring:  make([]behindWrite[K, V], min(s.QueueSize, MaxBehindQueue)),
		delay: max(s.Delay, 0),
		kick:  make(chan struct{}),
	}
	s.Crash.Go(w.flush)
	return w
}

// Enqueue queues k=v to be stored after Delay. It never blocks: a full queue
// returns ErrBehindFull, a stopped one ErrBehindStopped, and either counts
// the write as dropped.
func (w *BehindQueue[K, V]) Enqueue(k K, v V) error { return w.EnqueueAt(k, v, time.Time{}) }

// EnqueueAt is Enqueue stamped with the lab time of the write (zero: now).
func (w *BehindQueue[K, V]) EnqueueAt(k K, v V, at time.Time) error {
	now := at
	if now.IsZero() {
		now = w.clock.Now()
	}
	w.mu.Lock()
	switch {
	case w.stopped:
		w.dropped++
		w.mu.Unlock()
		return ErrBehindStopped
	case w.n == len(w.ring):
		w.dropped++
		w.mu.Unlock()
		return ErrBehindFull
	}
	w.ring[(w.head+w.n)%len(w.ring)] = behindWrite[K, V]{k, v, now}
	w.n++
	w.mu.Unlock()
	select {
	case w.wake <- struct{}{}:
	default: // a nudge is already waiting
	}
	return nil
}

// flush is the flusher goroutine. It leaves the write being stored at the
// head of the queue until store returns, so Pending and OldestAge count it.
func (w *BehindQueue[K, V]) flush() {
	defer close(w.done)
	var free time.Time // lab time the last store finished
	for {
		w.mu.Lock()
		if w.stopped {
			w.mu.Unlock()
			return
		}
		kick := w.kick
		if w.n == 0 {
			w.mu.Unlock()
			select {
			case <-w.wake:
			case <-kick:
			}
			continue
		}
		next := w.ring[w.head]
		start := next.at.Add(w.delay)
		if free.After(start) {
			start = free
		}
		w.mu.Unlock()
		if !w.clock.SleepUntil(start, kick) {
			continue // stopped, or the delay changed: look again
		}
		end, err := w.store(next.key, next.val, start)
		if end.Before(start) {
			end = start
		}
		free = end
		w.mu.Lock()
		w.ring[w.head] = behindWrite[K, V]{}
		w.head = (w.head + 1) % len(w.ring)
		w.n--
		if err != nil {
			w.failed++
		} else {
			w.flushed++
		}
		w.mu.Unlock()
	}
}

// SetDelay changes Delay (negative means 0) for every write not yet stored,
// the queued ones included; the flusher re-aims at once.
func (w *BehindQueue[K, V]) SetDelay(d time.Duration) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.delay = max(d, 0)
	if !w.stopped {
		close(w.kick)
		w.kick = make(chan struct{})
	}
}

// Stats returns a snapshot of the counters.
func (w *BehindQueue[K, V]) Stats() BehindStats {
	now := w.clock.Now()
	w.mu.Lock()
	defer w.mu.Unlock()
	s := BehindStats{
		Pending: w.n, Flushed: w.flushed, Failed: w.failed, Dropped: w.dropped,
		Delay: w.delay, QueueSize: len(w.ring),
	}
	if w.n > 0 {
		s.OldestAge = max(now.Sub(w.ring[w.head].at), 0)
	}
	return s
}

// Stop ends the flusher, waiting for a store in progress to return. Writes
// still queued are never stored: they are counted as Dropped — the data a
// write-behind cache loses when its process stops. Safe to call more than once.
func (w *BehindQueue[K, V]) Stop() {
	w.mu.Lock()
	if !w.stopped {
		w.stopped = true
		close(w.kick)
	}
	w.mu.Unlock()
	<-w.done
	w.mu.Lock()
	w.dropped += uint64(w.n)
	clear(w.ring)
	w.head, w.n = 0, 0
	w.mu.Unlock()
}
