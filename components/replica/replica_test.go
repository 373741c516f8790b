package replica

import (
	"errors"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"go.uber.org/goleak"

	"github.com/scalelab/scalelab/components/clock"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

const ms = time.Millisecond

// server is a replica's server in the tests: every apply takes service of
// lab time, one at a time, and can be down.
type server struct {
	clk     *clock.Clock
	service time.Duration
	mu      sync.Mutex
	free    time.Time
	down    bool
	applied []Entry
}

var errDown = errors.New("down")

func (s *server) apply(e Entry, at time.Time, done func(time.Time, error)) {
	s.mu.Lock()
	if s.down {
		s.mu.Unlock()
		done(time.Time{}, errDown)
		return
	}
	start := later(at, s.free)
	end := start.Add(s.service)
	s.free = end
	s.applied = append(s.applied, e)
	s.mu.Unlock()
	go func() {
		s.clk.SleepUntil(end, nil)
		done(end, nil)
	}()
}

func newSet(t *testing.T, lag time.Duration, sync bool, n int) (*Set, *clock.Clock, []*Replica, []*server) {
	t.Helper()
	clk := clock.New(1)
	set := New(Settings{Lag: lag, Sync: sync, Clock: clk})
	t.Cleanup(set.Stop)
	var rs []*Replica
	var ss []*server
	for i := range n {
		srv := &server{clk: clk, service: 5 * ms}
		r, err := set.Add(string(rune('a'+i)), map[uint64]uint64{}, srv.apply)
		if err != nil {
			t.Fatal(err)
		}
		rs, ss = append(rs, r), append(ss, srv)
	}
	return set, clk, rs, ss
}

// A replica applies each write Lag after the primary acknowledged it, plus
// its own apply time, and in order.
func TestAsyncReplicaLagsExactly(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		set, clk, rs, ss := newSet(t, 100*ms, false, 1)
		t0 := clk.Now()
		for i := range 5 {
			set.Write(uint64(i%2), uint64(i+1), t0.Add(time.Duration(i)*10*ms))
		}
		r := rs[0]
		time.Sleep(104 * ms) // the first write is shipped at 100ms, applied at 105ms
		synctest.Wait()
		if r.Get(0) != 0 || r.Applied() != 0 {
			t.Fatalf("at 104ms the replica has applied %d writes", r.Applied())
		}
		if lag := r.Lag(clk.Now()); lag != 104*ms {
			t.Errorf("lag at 104ms is %v, want the oldest unapplied write's age, 104ms", lag)
		}
		time.Sleep(2 * ms)
		synctest.Wait()
		if r.Get(0) != 1 || r.Applied() != 1 {
			t.Fatalf("at 106ms: key 0 = %d, applied %d; want the first write", r.Get(0), r.Applied())
		}
		time.Sleep(100 * ms)
		synctest.Wait()
		if r.Get(0) != 5 || r.Get(1) != 4 || r.Applied() != 5 {
			t.Fatalf("after all: key 0 = %d, key 1 = %d, applied %d", r.Get(0), r.Get(1), r.Applied())
		}
		for i, e := range ss[0].applied {
			if e.Seq != uint64(i+1) {
				t.Fatalf("applied out of order: %v", ss[0].applied)
			}
		}
		if r.Lag(clk.Now()) != 0 {
			t.Error("a caught-up replica reports lag")
		}
	})
}

// Promoting the most up-to-date replica loses exactly the writes it had not
// been shipped; with sync replication, none.
func TestPromoteLosesExactlyTheUnshipped(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		set, clk, rs, _ := newSet(t, 100*ms, false, 2)
		t0 := clk.Now()
		for i := range 10 { // acknowledged at 0, 20, … 180ms
			set.Write(uint64(i), 1, t0.Add(time.Duration(i)*20*ms))
		}
		rs[1].SetUp(false) // b is down: it receives nothing
		time.Sleep(150 * ms)
		synctest.Wait()
		// At 150ms the writes acknowledged at 0..40ms (3) have reached a.
		if got := set.MostUpToDate(clk.Now()); got != "a" {
			t.Fatalf("most up to date: %q, want a", got)
		}
		lost, data, err := set.Promote("a", clk.Now())
		if err != nil {
			t.Fatal(err)
		}
		if len(lost) != 7 || set.Lost() != 7 || lost[0].Seq != 4 {
			t.Fatalf("lost %d writes (first %+v), counted %d; want the 7 acknowledged after 40ms", len(lost), lost[0], set.Lost())
		}
		for k := range 3 {
			if data[uint64(k)] != 1 {
				t.Errorf("the promoted replica lacks shipped write %d", k)
			}
		}
		if data[3] != 0 {
			t.Error("the promoted replica has a write it was never shipped")
		}
		if len(set.Replicas()) != 1 {
			t.Error("the promoted replica is still a replica")
		}
	})
	synctest.Test(t, func(t *testing.T) {
		set, clk, rs, _ := newSet(t, 100*ms, true, 2)
		t0 := clk.Now()
		for i := range 5 {
			if end, _ := set.Write(uint64(i), 1, t0.Add(time.Duration(i)*20*ms)); end.Before(t0.Add(time.Duration(i)*20*ms + 5*ms)) {
				t.Fatalf("a synchronous write acknowledged at %v, before its replicas applied it", end.Sub(t0))
			}
		}
		lost, _, err := set.Promote(set.MostUpToDate(clk.Now()), clk.Now())
		if err != nil || len(lost) != 0 || set.Lost() != 0 {
			t.Fatalf("sync replication lost %d writes (%v)", len(lost), err)
		}
		_ = rs
	})
}

// A replica that was down catches up, in order, when it is back.
func TestDownReplicaCatchesUp(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		set, clk, rs, ss := newSet(t, 10*ms, false, 1)
		ss[0].down = true
		rs[0].SetUp(false)
		t0 := clk.Now()
		for i := range 3 {
			set.Write(7, uint64(i+1), t0)
		}
		time.Sleep(time.Second)
		synctest.Wait()
		if rs[0].Applied() != 0 {
			t.Fatal("a down replica applied writes")
		}
		ss[0].mu.Lock()
		ss[0].down = false
		ss[0].mu.Unlock()
		rs[0].SetUp(true)
		time.Sleep(20 * ms)
		synctest.Wait()
		if rs[0].Get(7) != 3 || rs[0].Applied() != 3 {
			t.Fatalf("after coming back: key 7 = %d, applied %d", rs[0].Get(7), rs[0].Applied())
		}
	})
}
