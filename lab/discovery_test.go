package lab

import (
	"strings"
	"testing"
	"testing/synctest"
)

// A killed server stops heartbeating and is dropped ttl after its last
// heartbeat (within a fleet tick), and the balancer stops sending it
// requests; revived, it registers again. A hung server heartbeats on and
// stays listed: only the health checks would find it out.
func TestDiscoveryDropsAfterTTL(t *testing.T) {
	for _, speed := range []float64{1, 20} {
		synctest.Test(t, func(t *testing.T) {
			l := newLab(t, "web", speed, nil)
			sub := l.Subscribe(false)
			mustExec(t, l, "health off", "load 300/s", "discovery on heartbeat=1s ttl=3s", "wait 2500ms",
				"expect discovery.on == 1", "expect discovery.ttl == 3000",
				"expect registry.instances{service=web} == 3", "expect registry.listed{backend=web-2} == 1",
				"kill web-2", "wait 2s", // its last heartbeat: at 2 s
				"expect registry.listed{backend=web-2} == 1", // under 3 s since its last heartbeat
				"wait 1s",
				"expect registry.instances{service=web} == 2", "expect registry.listed{backend=web-2} == 0",
				"wait 6s", "expect lb.routed{backend=web-2} == 0", "expect errors.ratio == 0",
				"revive web-2", "wait 2s", "expect registry.listed{backend=web-2} == 1", "expect lb.routed{backend=web-2} > 50",
				"hang web-3", "wait 6s", "expect registry.listed{backend=web-3} == 1", "expect lb.routed{backend=web-3} > 50")
			l.Stop()
			sub.Unsubscribe()
			var killed, dropped float64
			for _, e := range sub.Drain() {
				if e.Kind == KindFault && e.Component == "web-2" && strings.Contains(e.Line+e.Detail, "kill") && killed == 0 {
					killed = e.T
				}
				if e.Component == "web-2" && e.To == "dropped" {
					dropped = e.T
				}
			}
			// The last heartbeat was at most one interval before the kill,
			// on the 1 s grid from when discovery went on.
			if dropped == 0 || killed == 0 {
				t.Fatalf("%gx: kill at %.3f, drop at %.3f", speed, killed, dropped)
			}
			last := float64(int(killed)) // discovery on at t=0: heartbeats at whole seconds
			if want := last + 3; dropped < want-1e-9 || dropped > want+fleetTick.Seconds()+1e-9 {
				t.Errorf("%gx: dropped at %.3fs, want last heartbeat %.0fs + ttl 3s = %.0fs (within a %v tick)", speed, dropped, last, want, fleetTick)
			}
		})
	}
}

// Draining servers deregister; new ones register at the next heartbeat;
// off routes to everyone again.
func TestDiscoveryWithScaling(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		l := newLab(t, "web", 1, nil)
		mustExec(t, l, "load 200/s", "discovery on", "scale web 2",
			"expect registry.instances{service=web} == 2",
			"scale web 4", "wait 1500ms",
			"expect registry.instances{service=web} == 4", "wait 3s", "expect lb.routed{backend=web-4} > 20",
			"kill web-1", "discovery off", "expect discovery.on == 0", "wait 1s", "expect lb.routed{backend=web-1} > 0")
		l.Stop()
	})
}

func TestDiscoveryBadInput(t *testing.T) {
	for _, tt := range []struct{ line, msg string }{
		{"discovery", "missing on or off"},
		{"discovery on heartbeat=0s", "out of range"},
		{"discovery on heartbeat=NaN", "not a duration"},
		{"discovery on ttl=-1s", "out of range"},
		{"discovery on ttl=1000h", "out of range"},
		{"discovery off ttl=3s", "takes nothing"},
	} {
		wantSyntaxError(t, tt.line, tt.msg)
	}
	synctest.Test(t, func(t *testing.T) {
		l := newLab(t, "web", 1, nil)
		if err := l.Exec("discovery on heartbeat=2s ttl=2s", SourceTyped); err == nil || !strings.Contains(err.Error(), "not longer than") {
			t.Errorf("ttl = heartbeat: %v", err)
		}
		if l.registry() != nil {
			t.Error("a refused line turned discovery on")
		}
		mustExec(t, l, "discovery on heartbeat=500ms", "expect discovery.ttl == 1500")
		l.Stop()
	})
}
