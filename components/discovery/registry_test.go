package discovery

import (
	"slices"
	"testing"
	"time"
)

var t0 = time.Unix(500, 0)

func at(ms int) time.Time { return t0.Add(time.Duration(ms) * time.Millisecond) }

// An instance is dropped exactly TTL after its last heartbeat: listed a
// nanosecond before, gone at the instant.
func TestDroppedTTLAfterLastHeartbeat(t *testing.T) {
	r := New(3 * time.Second)
	r.Register("web", "web-1", at(0))
	r.Register("web", "web-2", at(0))
	for ms := 1000; ms <= 5000; ms += 1000 {
		r.Heartbeat("web", "web-1", at(ms))
		if ms <= 2000 {
			r.Heartbeat("web", "web-2", at(ms)) // web-2's last heartbeat: 2 s
		}
	}
	if got := r.Discover("web", at(5000).Add(-time.Nanosecond)); !slices.Equal(got, []string{"web-1", "web-2"}) {
		t.Fatalf("just before the TTL: %v", got)
	}
	if got := r.Discover("web", at(5000)); !slices.Equal(got, []string{"web-1"}) {
		t.Fatalf("at last heartbeat + TTL: %v, want web-2 dropped", got)
	}
	// A heartbeat after the drop is refused; the instance registers again.
	if r.Heartbeat("web", "web-2", at(5500)) {
		t.Error("a dropped instance renewed")
	}
	r.Register("web", "web-2", at(5500))
	if !r.Listed("web", "web-2") {
		t.Error("re-registration did not list it")
	}
}

func TestExpireReportsLastHeartbeat(t *testing.T) {
	r := New(time.Second)
	r.Register("web", "a", at(0))
	r.Register("web", "b", at(300))
	r.Register("web", "c", at(900))
	got := r.Expire("web", at(1300))
	if len(got) != 2 || got[0] != (Dropped{"a", at(0)}) || got[1] != (Dropped{"b", at(300)}) {
		t.Fatalf("expired %v", got)
	}
	// A heartbeat that comes in late, past its TTL, does not revive it.
	if r.Heartbeat("web", "c", at(1900)) || r.Listed("web", "c") {
		t.Error("a heartbeat TTL after the last one renewed the instance")
	}
}

func TestDeregisterAndOrder(t *testing.T) {
	r := New(0)
	if r.TTL() != DefaultTTL {
		t.Errorf("default TTL %v", r.TTL())
	}
	r.Register("web", "b", at(0))
	r.Register("web", "a", at(0))
	r.Register("db", "x", at(0))
	r.Deregister("web", "b")
	if got := r.Discover("web", at(10)); !slices.Equal(got, []string{"a"}) {
		t.Errorf("%v", got)
	}
	// An older heartbeat (from a goroutine running late) does not move time back.
	r.Heartbeat("web", "a", at(2000))
	r.Heartbeat("web", "a", at(1000))
	if got := r.Discover("web", at(4999)); len(got) != 1 {
		t.Errorf("late heartbeat shortened the lease: %v", got)
	}
	if got := r.Discover("nothing", at(0)); len(got) != 0 {
		t.Errorf("%v", got)
	}
}
