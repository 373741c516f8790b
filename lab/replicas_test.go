package lab

import (
	"math"
	"strings"
	"testing"
	"testing/synctest"
	"time"
)

// dataLab is the shop without the cache and the queue, so every read
// reaches a database and every write is stored before it is acknowledged:
// one shard of 100 keys, a database with a constant 5 ms service.
func dataLab(t *testing.T) *Lab {
	return newLab(t, "shop", 1, func(p *Preset) {
		p.Keys = 100
		p.Cache, p.Queue, p.Payments, p.Orders = nil, nil, nil, nil
		p.DB.Count, p.DB.Service, p.DB.Workers = 1, "const:5ms", 8
	})
}

// With lag L, a replica applies a write L + 5 ms (its apply) after it was
// acknowledged; a read in that window is stale. Writes to a key arrive at
// rate w (Poisson), so a replica read is stale with probability
// 1 − e^(−w(L+5ms)): w = 20% of 500/s over 100 keys = 1/s per key, L = 200
// ms → 18.5%. The primary is never stale. Read-your-writes with a window
// longer than the lag reads every recently written key from the primary:
// (almost) no stale reads.
func TestReplicaReadsAreStaleAsTheModelSays(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		l := dataLab(t)
		mustExec(t, l, "replicas 2 lag=200ms", "load 500/s poisson uniform reads=80%", "wait 5s")
		stale := func(sec int) float64 {
			s0, r0 := l.m.stale.Load(), l.m.reads.Load()
			mustExec(t, l, "wait "+time.Duration(sec*int(time.Second)).String())
			return float64(l.m.stale.Load()-s0) / float64(l.m.reads.Load()-r0)
		}
		// (A write is stored when its answer is delivered, in real time; a
		// read that starts just after it in lab time can, once in a few
		// thousand, be served a moment before: hence "almost none".)
		if got := stale(60); got > 0.001 {
			t.Errorf("reads from the primary: %.4f stale, want almost none", got)
		}
		mustExec(t, l, "reads replicas", "wait 2s")
		want := 1 - math.Exp(-1*0.205)
		if got := stale(120); math.Abs(got-want) > 0.02 {
			t.Errorf("replica reads: %.3f stale, the model says %.3f", got, want)
		}
		if v := value(t, l, "reads.stale_ratio"); math.Abs(v-want) > 0.06 {
			t.Errorf("reads.stale_ratio %.3f, the model says %.3f", v, want)
		}
		if lag := value(t, l, "db.replication_lag{replica=db-1-r1}"); lag > 0.3 {
			t.Errorf("db.replication_lag %.3fs with a 200ms lag", lag)
		}
		mustExec(t, l, "reads sticky=300ms", "wait 2s")
		if got := stale(60); got > 0.001 {
			t.Errorf("read-your-writes with a window over the lag: %.4f stale, want almost none", got)
		}
	})
}

// Replicas take reads off the primary: round-robin, each serves its share.
func TestReplicasShareTheReads(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		l := dataLab(t)
		mustExec(t, l, "replicas 2", "reads replicas", "load 400/s reads=100%", "wait 5s")
		p := value(t, l, "backend.rate{backend=db-1}")
		r1, r2 := value(t, l, "backend.rate{backend=db-1-r1}"), value(t, l, "backend.rate{backend=db-1-r2}")
		if p > 1 || math.Abs(r1-200) > 30 || math.Abs(r2-200) > 30 {
			t.Errorf("primary %.0f/s, replicas %.0f/s and %.0f/s; want the reads split over the replicas", p, r1, r2)
		}
		mustExec(t, l, "kill db-1-r2", "wait 3s")
		if r1 := value(t, l, "backend.rate{backend=db-1-r1}"); math.Abs(r1-400) > 40 {
			t.Errorf("with db-1-r2 down, db-1-r1 serves %.0f/s; want all 400", r1)
		}
		if e := value(t, l, "errors.ratio"); e > 0.01 {
			t.Errorf("errors %.3f: reads should skip the dead replica", e)
		}
	})
}

// Killing the primary under asynchronous replication: writes fail until a
// replica is promoted (here by failover auto, after two failed probes);
// the writes it had acknowledged but not shipped are lost and counted; the
// old primary comes back as a replica. With sync replication nothing is
// lost, and writes are slower by a replica's apply.
func TestFailoverLosesUnshippedWrites(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		l := dataLab(t)
		sub := l.Subscribe(false)
		defer sub.Unsubscribe()
		mustExec(t, l, "replicas 2 lag=500ms", "failover auto", "load 400/s reads=50%", "wait 3s", "kill db-1")
		mustExec(t, l, "expect shard.writable{shard=db-1} == 0")
		mustExec(t, l, "expect shard.writable{shard=db-1} == 1 within 5s")
		lost := value(t, l, "db.lost_writes")
		// About 500 ms of writes at 200/s were not yet shipped.
		if lost < 50 || lost > 150 {
			t.Errorf("%.0f writes lost; about 100 (500 ms of writes) were unshipped", lost)
		}
		promoted := ""
		for _, e := range sub.Drain() {
			if e.To == "primary" {
				promoted = e.Component
			}
		}
		if !strings.HasPrefix(promoted, "db-1-r") {
			t.Fatalf("no promotion told (got %q)", promoted)
		}
		mustExec(t, l, "wait 2s", "expect errors.ratio == 0 within 5s", "revive db-1", "wait 2s")
		if n := value(t, l, "shard.replicas{shard=db-1}"); n != 2 {
			t.Errorf("after the old primary came back, %.0f replicas; want 2 (one promoted, the old primary rejoined)", n)
		}
	})
	synctest.Test(t, func(t *testing.T) {
		l := dataLab(t)
		mustExec(t, l, "load 400/s reads=50%", "wait 3s")
		async := value(t, l, "latency.mean")
		mustExec(t, l, "replicas 2 sync", "failover auto", "wait 6s")
		syncMean := value(t, l, "latency.mean")
		mustExec(t, l, "kill db-1", "expect shard.writable{shard=db-1} == 1 within 5s")
		if lost := value(t, l, "db.lost_writes"); lost != 0 {
			t.Errorf("sync replication lost %.0f writes", lost)
		}
		if syncMean < async+2 { // half the requests are writes, each 5 ms longer
			t.Errorf("mean latency %.1fms with sync replicas, %.1fms without: a write should wait for a replica's 5 ms apply", syncMean, async)
		}
	})
}

func TestReplicaCommandsRefuseNonsense(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		l := dataLab(t)
		for _, line := range []string{"replicas 6", "replicas -1", "replicas 2 sync lag=1s", "promote db-1", "promote nosuch", "reads", "reads sticky=0s", "failover sometimes"} {
			if err := l.Exec(line, SourceScript); err == nil {
				t.Errorf("%q was accepted", line)
			}
		}
		if n := value(t, l, "shard.replicas{shard=db-1}"); n != 0 {
			t.Errorf("refused commands left %v replicas", n)
		}
	})
	synctest.Test(t, func(t *testing.T) {
		l := newLab(t, "web", 1, nil)
		if err := l.Exec("replicas 2", SourceScript); err == nil || !strings.Contains(err.Error(), "no database tier") {
			t.Errorf("replicas on the web preset: %v", err)
		}
	})
}
