package crash

import (
	"strings"
	"sync"
	"testing"
)

func TestGoHandsPanicToHandler(t *testing.T) {
	var got any
	var stack []byte
	var wg sync.WaitGroup
	wg.Add(1)
	restore := Handle(func(v any, s []byte) { got, stack = v, s; wg.Done() })
	defer restore()
	ran := false
	Go(func() { ran = true; panic("boom") })
	wg.Wait()
	if !ran || got != "boom" || !strings.Contains(string(stack), "crash_test.go") {
		t.Errorf("handler got %v, stack:\n%s", got, stack)
	}
}

func TestNoPanicNoHandler(t *testing.T) {
	called := false
	restore := Handle(func(any, []byte) { called = true })
	var wg sync.WaitGroup
	wg.Add(1)
	Go(func() { wg.Done() })
	wg.Wait()
	restore()
	if called {
		t.Error("the handler ran without a panic")
	}
	if handler.Load() != nil {
		t.Error("restore did not put back no handler")
	}
}

func TestRecoverWithoutHandlerPanicsAgain(t *testing.T) {
	defer func() {
		if r := recover(); r != "again" {
			t.Errorf("recovered %v, want the panic again", r)
		}
	}()
	func() {
		defer Recover()
		panic("again")
	}()
}

// A scope's panics go to its own handler, not the process's or another
// scope's; a scope without one falls back to the process's.
func TestScopeHandlesItsOwn(t *testing.T) {
	var mu sync.Mutex
	got := map[string]any{}
	var wg sync.WaitGroup
	note := func(who string) Handler {
		return func(v any, _ []byte) { mu.Lock(); got[who] = v; mu.Unlock(); wg.Done() }
	}
	restore := Handle(note("process"))
	defer restore()
	a, b, bare := NewScope(), NewScope(), NewScope()
	defer a.Handle(note("a"))()
	defer b.Handle(note("b"))()
	wg.Add(3)
	a.Go(func() { panic("in a") })
	b.Go(func() { panic("in b") })
	bare.Go(func() { panic("in bare") })
	wg.Wait()
	if got["a"] != "in a" || got["b"] != "in b" || got["process"] != "in bare" {
		t.Errorf("handlers got %v", got)
	}
	var nilScope *Scope
	wg.Add(1)
	nilScope.Go(func() { panic("in nil") })
	wg.Wait()
	if got["process"] != "in nil" {
		t.Errorf("a nil scope's panic went to %v", got)
	}
}
