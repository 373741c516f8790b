package queue

import "time"

// entry is one waiting message and the lab time it entered the queue.
type entry struct {
	m  *Message
	at time.Time
}

// ring is the FIFO buffer behind a topic: a circular slice that grows by
// doubling when full and, above keepRing slots, halves when less than an
// eighth full — so a topic with capacity 1<<20 costs memory only for the
// backlog it actually holds, and a queue that keeps filling and draining
// below keepRing never reallocates. It is not safe
// for concurrent use; the topic's mutex guards it. Push and pop are O(1)
// amortised; they allocate only when the buffer is resized.
type ring struct {
	buf  []entry // len(buf) is 0 or a power of two
	head int     // index of the oldest entry
	n    int     // number of entries
}

const (
	minRing  = 16
	keepRing = 1024
)

func (r *ring) len() int { return r.n }

// push appends e at the tail.
func (r *ring) push(e entry) {
	if r.n == len(r.buf) {
		r.resize(max(minRing, 2*len(r.buf)))
	}
	r.buf[(r.head+r.n)&(len(r.buf)-1)] = e
	r.n++
}

// pop removes and returns the head. The caller checks len() > 0 first.
func (r *ring) pop() entry {
	e := r.buf[r.head]
	r.buf[r.head] = entry{} // let the GC have the message
	r.head = (r.head + 1) & (len(r.buf) - 1)
	r.n--
	if len(r.buf) > keepRing && r.n < len(r.buf)/8 {
		r.resize(len(r.buf) / 2)
	}
	return e
}

// at returns the i-th entry from the head without removing it.
func (r *ring) at(i int) entry { return r.buf[(r.head+i)&(len(r.buf)-1)] }

// resize copies the entries, oldest first, into a new buffer of size.
func (r *ring) resize(size int) {
	buf := make([]entry, size)
	for i := range r.n {
		buf[i] = r.at(i)
	}
	r.buf, r.head = buf, 0
}
