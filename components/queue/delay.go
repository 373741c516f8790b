package queue

import (
	"container/heap"
	"sync"
	"time"
)

// Delayed retries.
//
// A nacked message must wait RetryDelay before it is visible again (SQS's
// visibility timeout). Sleeping in the consumer would idle a worker for the
// whole delay, so a message that 5 consumers keep failing with a 10 s delay
// would stall the topic. Instead the consumer hands the message to the
// broker's retry scheduler and goes back to work: one goroutine, one min-heap
// of (due time, message), sleeping on the lab clock until the earliest due
// time — the timer-heap design of Go's runtime timers and most schedulers.
// Adding or removing a retry costs O(log n); a due message is re-enqueued at
// the back of its topic (counted in Delayed until then, in Depth after).
//
// The goroutine starts with the first delayed retry and ends at Stop; retries
// still waiting at Stop stay counted in Delayed.

// retry is one message waiting out its delay.
type retry struct {
	due time.Time
	seq uint64 // ties broken in arrival order
	t   *topic
	m   *Message
}

// retryHeap orders retries by due time (container/heap.Interface).
type retryHeap []retry

func (h retryHeap) Len() int { return len(h) }
func (h retryHeap) Less(i, j int) bool {
	if !h[i].due.Equal(h[j].due) {
		return h[i].due.Before(h[j].due)
	}
	return h[i].seq < h[j].seq
}
func (h retryHeap) Swap(i, j int) { h[i], h[j] = h[j], h[i] }
func (h *retryHeap) Push(x any)   { *h = append(*h, x.(retry)) }
func (h *retryHeap) Pop() any {
	old := *h
	r := old[len(old)-1]
	old[len(old)-1] = retry{}
	*h = old[:len(old)-1]
	return r
}

// add schedules m to re-enter t at lab time due. The scheduler is woken
// only when the new retry is the earliest.
func (s *retryScheduler) add(b *Broker, due time.Time, t *topic, m *Message) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.seq++
	heap.Push(&s.heap, retry{due: due, seq: s.seq, t: t, m: m})
	switch {
	case s.stopped:
	case !s.started:
		s.started = true
		s.wake = make(chan struct{})
		b.wg.Add(1)
		b.crash.Go(func() { s.run(b) })
	case s.heap[0].seq == s.seq:
		close(s.wake) // re-aim the sleeper at the new earliest deadline
		s.wake = make(chan struct{})
	}
}

// run moves due retries back into their topics, then sleeps until the next
// one is due, a new earliest retry arrives, or Stop.
func (s *retryScheduler) run(b *Broker) {
	defer b.wg.Done()
	var due []retry
	for {
		now := b.clock.Now()
		s.mu.Lock()
		if s.stopped {
			s.mu.Unlock()
			return
		}
		for len(s.heap) > 0 && !s.heap[0].due.After(now) {
			due = append(due, heap.Pop(&s.heap).(retry))
		}
		var next time.Time
		waiting := len(s.heap) > 0
		if waiting {
			next = s.heap[0].due
		}
		wake := s.wake
		s.mu.Unlock()

		for i, r := range due {
			r.t.mu.Lock()
			r.t.delayed--
			r.t.enqueue(r.m, r.due) // ready when due, however late this wakes
			r.t.mu.Unlock()
			due[i] = retry{}
		}
		if len(due) > 0 {
			due = due[:0]
			continue // time passed while re-enqueueing; look again
		}
		if waiting {
			b.clock.SleepUntil(next, wake)
		} else {
			<-wake
		}
	}
}

// stop ends the scheduler goroutine (the broker then waits for it).
func (s *retryScheduler) stop() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.stopped && s.started {
		close(s.wake)
	}
	s.stopped = true
}

// retryScheduler owns the retry heap and its goroutine.
type retryScheduler struct {
	mu      sync.Mutex
	heap    retryHeap
	seq     uint64
	wake    chan struct{} // closed to interrupt the sleeper; replaced after
	started bool
	stopped bool
}
