package backend

// arrivals is the accept queue: a min-heap of jobs by arrival lab time
// (ties in the order they came), so a job that reaches the backend a little
// late in real time, from a goroutine that woke late, still takes its place
// by lab time. Jobs are stored by value: queueing allocates nothing once
// the heap has grown to the backend's working size.
type arrivals struct {
	h   []queued
	seq uint64
}

type queued struct {
	job
	seq uint64
}

func (q *arrivals) len() int { return len(q.h) }

func (q *arrivals) less(i, j int) bool {
	a, b := &q.h[i], &q.h[j]
	if !a.req.Arrive.Equal(b.req.Arrive) {
		return a.req.Arrive.Before(b.req.Arrive)
	}
	return a.seq < b.seq
}

func (q *arrivals) push(j job) {
	q.seq++
	q.h = append(q.h, queued{j, q.seq})
	for i := len(q.h) - 1; i > 0; {
		p := (i - 1) / 2
		if !q.less(i, p) {
			break
		}
		q.h[i], q.h[p] = q.h[p], q.h[i]
		i = p
	}
}

// peek is the earliest arrival, in place (valid until the next push or
// pop).
func (q *arrivals) peek() (*job, bool) {
	if len(q.h) == 0 {
		return nil, false
	}
	return &q.h[0].job, true
}

func (q *arrivals) pop() (job, bool) {
	if len(q.h) == 0 {
		return job{}, false
	}
	j := q.h[0].job
	n := len(q.h) - 1
	q.h[0] = q.h[n]
	q.h[n] = queued{} // drop references for the garbage collector
	q.h = q.h[:n]
	for i := 0; ; {
		l, r, small := 2*i+1, 2*i+2, i
		if l < n && q.less(l, small) {
			small = l
		}
		if r < n && q.less(r, small) {
			small = r
		}
		if small == i {
			break
		}
		q.h[i], q.h[small] = q.h[small], q.h[i]
		i = small
	}
	return j, true
}
