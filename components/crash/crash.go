// Package crash carries a panic in one of the lab's goroutines to the
// program that runs it. A panic on a goroutine of its own kills the
// process at once: no deferred call runs anywhere else, so a terminal in
// raw mode stays raw and a session log loses its last lines. Goroutines
// started with Go report their panic to the program's handler instead,
// which can restore the terminal, close the logs and exit cleanly.
//
// The handler is process-wide, as signal handling is: there is one
// terminal and one set of logs to save. Without one, a panic crashes the
// process as usual. A Scope is a part of the process with a handler of its
// own — the labs of one SSH session, when one process serves many — so a
// panic in one attendee's lab ends that attendee's session and no other.
package crash

import (
	"runtime/debug"
	"sync/atomic"
)

// Handler is told of a panic: its value and the panicking goroutine's
// stack. It runs on that goroutine, which then ends.
type Handler func(v any, stack []byte)

var handler atomic.Pointer[Handler]

// Handle makes fn the handler until the returned function is called, which
// puts back the one before.
func Handle(fn Handler) (restore func()) {
	old := handler.Swap(&fn)
	return func() { handler.Store(old) }
}

// Go runs f on a new goroutine whose panic goes to the handler.
func Go(f func()) { (*Scope)(nil).Go(f) }

// Recover, deferred at the top of a goroutine, hands a panic to the
// handler and ends the goroutine; with no handler it panics again, as if
// nothing had caught it.
func Recover() {
	if v := recover(); v != nil {
		(*Scope)(nil).handle(v)
	}
}

// Scope is a part of the program whose goroutines' panics go to a handler
// of its own, if it has one, else to the process's. A nil *Scope is the
// process: its Go is the package's Go. Components take one in their
// settings and start their goroutines with its Go.
type Scope struct{ h atomic.Pointer[Handler] }

// NewScope returns a scope with no handler of its own yet.
func NewScope() *Scope { return &Scope{} }

// Handle makes fn the scope's handler until the returned function is
// called, which puts back the one before. On a nil scope it is the
// package's Handle.
func (s *Scope) Handle(fn Handler) (restore func()) {
	if s == nil {
		return Handle(fn)
	}
	old := s.h.Swap(&fn)
	return func() { s.h.Store(old) }
}

// Go runs f on a new goroutine whose panic goes to the scope's handler.
func (s *Scope) Go(f func()) {
	go func() {
		defer func() {
			if v := recover(); v != nil {
				s.handle(v)
			}
		}()
		f()
	}()
}

// handle hands v to the scope's handler, else the process's, else panics
// again.
func (s *Scope) handle(v any) {
	var h *Handler
	if s != nil {
		h = s.h.Load()
	}
	if h == nil {
		h = handler.Load()
	}
	if h == nil {
		panic(v)
	}
	(*h)(v, debug.Stack())
}
