package backend

// fifo is a growable ring buffer, oldest first: the accept queue of jobs,
// and the plans waiting for a goroutine to carry them out. It is not safe
// for concurrent use; Backend guards it with its mutex. Items are stored by
// value, so queueing allocates nothing once the ring has grown to the
// backend's working size.
type fifo[T any] struct {
	buf  []T // len is zero or a power of two
	head int // index of the oldest item
	n    int // number of items held
}

func (q *fifo[T]) len() int { return q.n }

// at is the i-th oldest item, in place.
func (q *fifo[T]) at(i int) *T { return &q.buf[(q.head+i)&(len(q.buf)-1)] }

// push appends j at the tail, doubling the ring when it is full.
func (q *fifo[T]) push(j T) {
	if q.n == len(q.buf) {
		q.grow()
	}
	q.buf[(q.head+q.n)&(len(q.buf)-1)] = j
	q.n++
}

// peek returns the oldest item without removing it; ok is false when q is
// empty.
func (q *fifo[T]) peek() (j *T, ok bool) {
	if q.n == 0 {
		return nil, false
	}
	return &q.buf[q.head], true
}

// pop removes and returns the oldest item; ok is false when q is empty.
func (q *fifo[T]) pop() (j T, ok bool) {
	var zero T
	if q.n == 0 {
		return zero, false
	}
	j = q.buf[q.head]
	q.buf[q.head] = zero // drop references for the garbage collector
	q.head = (q.head + 1) & (len(q.buf) - 1)
	q.n--
	return j, true
}

func (q *fifo[T]) grow() {
	buf := make([]T, max(16, 2*len(q.buf)))
	for i := range q.n {
		buf[i] = q.buf[(q.head+i)&(len(q.buf)-1)]
	}
	q.buf, q.head = buf, 0
}
