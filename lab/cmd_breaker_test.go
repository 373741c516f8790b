package lab

import (
	"testing"
	"testing/synctest"
)

// With the breaker off, checkouts call a hung payments server and wait for
// their timeout; the breaker never trips. Put back, it trips and fails fast.
func TestBreakerOffAndOn(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		l := newLab(t, "shop", 1, nil)
		mustExec(t, l, "breaker payments off", "load 300/s reads=50%", "hang payments", "wait 20s",
			"expect breaker.on{name=payments} == 0",
			"expect breaker.trips{name=payments} == 0",
			"expect breaker.state{name=payments} == closed",
			"expect latency.p99 > 900ms")
		if err := l.Exec("breaker payments off threshold=5", SourceTyped); err == nil {
			t.Error("off with settings was accepted")
		}
		mustExec(t, l, "breaker payments on threshold=5", "wait 5s",
			"expect breaker.on{name=payments} == 1",
			"expect breaker.threshold{name=payments} == 5",
			"expect breaker.trips{name=payments} >= 1",
			"expect breaker.rejected{name=payments} > 0")
		l.Stop()
	})
}
