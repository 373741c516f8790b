package backend

import "time"

// ends is a min-heap of the planned end times of jobs still in the system:
// how the backend counts, for a request arriving at any lab time, the jobs
// that are queued or in service at that time (M/M/c/K admission), without
// asking which of its goroutines happen to be awake.
type ends []time.Time

func (h *ends) push(t time.Time) {
	*h = append(*h, t)
	s := *h
	for i := len(s) - 1; i > 0; {
		up := (i - 1) / 2
		if !s[i].Before(s[up]) {
			break
		}
		s[i], s[up] = s[up], s[i]
		i = up
	}
}

// dropUntil removes every end at or before t: those jobs have left.
func (h *ends) dropUntil(t time.Time) {
	for len(*h) > 0 && !(*h)[0].After(t) {
		h.pop()
	}
}

func (h *ends) pop() {
	s := *h
	n := len(s) - 1
	s[0] = s[n]
	s = s[:n]
	for i := 0; ; {
		l, r, small := 2*i+1, 2*i+2, i
		if l < n && s[l].Before(s[small]) {
			small = l
		}
		if r < n && s[r].Before(s[small]) {
			small = r
		}
		if small == i {
			break
		}
		s[i], s[small] = s[small], s[i]
		i = small
	}
	*h = s
}

// after counts the ends later than t.
func (h ends) after(t time.Time) int {
	n := 0
	for _, e := range h {
		if e.After(t) {
			n++
		}
	}
	return n
}
