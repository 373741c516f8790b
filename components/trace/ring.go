package trace

// A fixed-size ring buffer of finished traces: the "recent traces" view that
// Dapper's and Jaeger's UIs start from.

// ring keeps the last limit finished traces, overwriting the oldest. It has no
// locking; Tracer guards it. Its buffer grows with use up to limit, so a large
// Keep costs memory only once that many traces have finished.
type ring struct {
	buf   []Finished
	limit int
	next  int // where the next trace goes once buf is full
}

func (r *ring) add(f Finished) {
	if len(r.buf) < r.limit {
		r.buf = append(r.buf, f)
		return
	}
	r.buf[r.next] = f
	r.next = (r.next + 1) % r.limit
}

// len is how many traces are held.
func (r *ring) len() int { return len(r.buf) }

// at returns the i-th newest trace (0 = newest); i < r.len().
func (r *ring) at(i int) *Finished {
	newest := len(r.buf) - 1
	if len(r.buf) == r.limit {
		newest = r.next - 1 + r.limit
	}
	return &r.buf[(newest-i)%len(r.buf)]
}
