package backend

// fifo is the accept queue: a growable ring buffer of jobs, oldest first.
// It is not safe for concurrent use; Backend guards it with its mutex.
// Jobs are stored by value, so queueing a request allocates nothing once
// the ring has grown to the backend's working size.
type fifo struct {
	buf  []job // len is zero or a power of two
	head int   // index of the oldest job
	n    int   // number of jobs held
}

func (q *fifo) len() int { return q.n }

// push appends j at the tail, doubling the ring when it is full.
func (q *fifo) push(j job) {
	if q.n == len(q.buf) {
		q.grow()
	}
	q.buf[(q.head+q.n)&(len(q.buf)-1)] = j
	q.n++
}

// pop removes and returns the oldest job; ok is false when q is empty.
func (q *fifo) pop() (j job, ok bool) {
	if q.n == 0 {
		return job{}, false
	}
	j = q.buf[q.head]
	q.buf[q.head] = job{} // drop references for the garbage collector
	q.head = (q.head + 1) & (len(q.buf) - 1)
	q.n--
	return j, true
}

func (q *fifo) grow() {
	buf := make([]job, max(16, 2*len(q.buf)))
	for i := range q.n {
		buf[i] = q.buf[(q.head+i)&(len(q.buf)-1)]
	}
	q.buf, q.head = buf, 0
}
