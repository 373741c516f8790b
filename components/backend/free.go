package backend

// freeList is a min-heap of the workers a job can be planned on, by the
// time they free up and then by number: its top is the worker the next job
// in a shared FIFO queue goes to. A held worker, or one beyond the
// configured count, is not in it. Each worker keeps its index (pos, -1 when
// out) so a change of free time is fixed in place.
type freeList []*worker

func (h freeList) less(i, j int) bool {
	if !h[i].free.Equal(h[j].free) {
		return h[i].free.Before(h[j].free)
	}
	return h[i].id < h[j].id
}

func (h freeList) swap(i, j int) {
	h[i], h[j] = h[j], h[i]
	h[i].pos, h[j].pos = i, j
}

// top is the worker that frees up first, or nil.
func (h freeList) top() *worker {
	if len(h) == 0 {
		return nil
	}
	return h[0]
}

func (h *freeList) add(w *worker) {
	if w.pos >= 0 {
		return
	}
	w.pos = len(*h)
	*h = append(*h, w)
	h.up(w.pos)
}

func (h *freeList) remove(w *worker) {
	i := w.pos
	if i < 0 {
		return
	}
	n := len(*h) - 1
	if i != n {
		h.swap(i, n)
	}
	(*h)[n] = nil
	*h = (*h)[:n]
	w.pos = -1
	if i != n {
		h.fix(i)
	}
}

// fix restores the order after the worker at i changed its free time.
func (h freeList) fix(i int) {
	if !h.down(i) {
		h.up(i)
	}
}

func (h freeList) up(i int) {
	for i > 0 {
		p := (i - 1) / 2
		if !h.less(i, p) {
			return
		}
		h.swap(i, p)
		i = p
	}
}

func (h freeList) down(i int) bool {
	start := i
	for {
		l, r, small := 2*i+1, 2*i+2, i
		if l < len(h) && h.less(l, small) {
			small = l
		}
		if r < len(h) && h.less(r, small) {
			small = r
		}
		if small == i {
			return i > start
		}
		h.swap(i, small)
		i = small
	}
}
