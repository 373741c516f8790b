package lab

import (
	"fmt"
	"testing"
	"testing/synctest"
	"time"
)

// A hung web server must not stop health checking: the dead web-1 is
// ejected within fall × interval + probe timeout of its kill, though web-3
// hung a second before it; and web-3 is ejected too. (Before probes were
// timed from sending and judged one by one, a round waited for the hung
// server's probe, and neither was ejected for 9–10 s.)
func TestHungServerDelaysNoEjection(t *testing.T) {
	for _, speed := range []float64{1, 2, 20} {
		t.Run(fmt.Sprintf("%gx", speed), func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				l := newLab(t, "web", speed, nil)
				// interval 1s, fall 2, probe timeout 500ms: ejected at most
				// 2 × 1s + 500ms after the fault, plus the interval's phase.
				mustExec(t, l, "load 150/s poisson uniform", "wait 2500ms", "hang web-3", "wait 1s", "kill web-1")
				killed := l.Since()
				mustExec(t, l, "expect lb.healthy{backend=web-1} == 0 within 4s")
				if took := l.Since() - killed; took > 3500*time.Millisecond {
					t.Errorf("web-1 ejected %v after its kill; want at most fall × interval + timeout + one interval", took)
				}
				mustExec(t, l, "expect lb.healthy{backend=web-3} == 0 within 3s")
				if healthy := value(t, l, "lb.healthy{backend=web-2}"); healthy != 1 {
					t.Error("web-2, which is fine, was ejected")
				}
			})
		})
	}
}
