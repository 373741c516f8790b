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
