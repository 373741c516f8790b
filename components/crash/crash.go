// Package crash carries a panic in one of the lab's goroutines to the
// program that runs it. A panic on a goroutine of its own kills the
// process at once: no deferred call runs anywhere else, so a terminal in
// raw mode stays raw and a session log loses its last lines. Goroutines
// started with Go report their panic to the program's handler instead,
// which can restore the terminal, close the logs and exit cleanly.
//
// The handler is process-wide, as signal handling is: there is one
// terminal and one set of logs to save. Without one, a panic crashes the
// process as usual.
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
func Go(f func()) {
	go func() {
		defer Recover()
		f()
	}()
}

// Recover, deferred at the top of a goroutine, hands a panic to the
// handler and ends the goroutine; with no handler it panics again, as if
// nothing had caught it.
func Recover() {
	v := recover()
	if v == nil {
		return
	}
	h := handler.Load()
	if h == nil {
		panic(v)
	}
	(*h)(v, debug.Stack())
}
