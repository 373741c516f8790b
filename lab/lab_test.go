package lab

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"go.uber.org/goleak"

	"github.com/scalelab/scalelab/components/backend"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// newLab starts a lab from a named preset, edited by edit, inside the
// current synctest bubble.
func newLab(t *testing.T, preset string, speed float64, edit func(*Preset)) *Lab {
	t.Helper()
	p, err := LoadPreset(preset)
	if err != nil {
		t.Fatal(err)
	}
	if edit != nil {
		edit(p)
	}
	l, err := New(Config{Preset: p, Seed: 7, Speed: speed})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(l.Stop)
	return l
}

func mustExec(t *testing.T, l *Lab, lines ...string) {
	t.Helper()
	for _, line := range lines {
		if err := l.Exec(line, SourceScript); err != nil {
			t.Fatalf("%s: %v", line, err)
		}
	}
}

func value(t *testing.T, l *Lab, name string) float64 {
	t.Helper()
	v, ok := l.Value(name)
	if !ok {
		t.Fatalf("metric %s not present", name)
	}
	return v
}

// The lab's physics: over a long run the configured arrival rate and mean
// service time are what is measured, at normal speed and at 10x.
func TestFaithfulTiming(t *testing.T) {
	for _, speed := range []float64{1, 10} {
		t.Run(FormatNumber(speed, 4)+"x", func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				l := newLab(t, "web", speed, func(p *Preset) {
					p.Web.Service = "exp:20ms"
					p.Health.Interval = 0
				})
				mustExec(t, l, "load 100/s poisson", "wait 600s", "load off", "wait 5s")
				arrivals := float64(l.m.arrivals.Load()) / 600
				if math.Abs(arrivals-100)/100 > 0.02 {
					t.Errorf("arrival rate %.2f/s, want 100/s within 2%%", arrivals)
				}
				var served time.Duration
				var n uint64
				for _, name := range l.webNames() {
					st := l.server(name).b.Stats()
					served += st.ServiceTotal
					n += st.Completed
				}
				mean := served.Seconds() * 1000 / float64(n)
				if math.Abs(mean-20)/20 > 0.02 {
					t.Errorf("mean service %.3fms over %d requests, want 20ms within 2%%", mean, n)
				}
			})
		})
	}
}

// Queueing delay is real waiting in the accept queue: one server, one
// worker, exponential service of 10 ms and Poisson arrivals at 80/s is an
// M/M/1 queue at utilisation 0.8, whose mean wait is ρ/(μ−λ) = 40 ms.
func TestQueueWaitMatchesMM1(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		l := newLab(t, "web", 1, func(p *Preset) {
			p.Web = ServerConf{Count: 1, Workers: 1, Queue: 10000, Service: "exp:10ms", Timeout: Duration(time.Hour)}
			p.Health.Interval = 0
		})
		mustExec(t, l, "load 80/s poisson", "wait 1200s", "load off", "wait 10s")
		st := l.server("web-1").b.Stats()
		wait := st.QueueWaitTotal.Seconds() * 1000 / float64(st.Completed)
		service := st.ServiceTotal.Seconds() * 1000 / float64(st.Completed)
		if math.Abs(wait-40)/40 > 0.15 {
			t.Errorf("mean queue wait %.1fms, want M/M/1's 40ms within 15%%", wait)
		}
		if math.Abs(service-10)/10 > 0.03 {
			t.Errorf("mean service %.2fms, want 10ms: waiting must not leak into service time", service)
		}
	})
}

func TestKillEjectsAndRevivesRestores(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		l := newLab(t, "shop", 1, nil)
		mustExec(t, l, "load 300/s", "wait 3s", "kill web-2")
		if got := value(t, l, "backend.health{backend=web-2}"); got != float64(backend.Down) {
			t.Fatalf("web-2 health %v after kill, want down", got)
		}
		mustExec(t, l,
			"expect lb.healthy{backend=web-2} == 0 within 3s",
			"wait 2s",
			"expect lb.routed{backend=web-2} == 0",
			"expect lb.share{backend=web-1} > 0.4",
			"expect lb.share{backend=web-3} > 0.4",
		)
		if errs := value(t, l, "errors.total"); errs == 0 {
			t.Error("no request failed between the kill and its detection; the balancer should have sent some to the dead server")
		}
		mustExec(t, l, "revive web-2", "expect lb.healthy{backend=web-2} == 1 within 3s", "wait 6s",
			"expect lb.share{backend=web-2} > 0.25", "expect errors.ratio == 0")
	})
}

func TestOverloadStaysBounded(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		// capacity: 2 workers / 20 ms = 100/s; offer 10x that for 60 s
		l := newLab(t, "web", 1, func(p *Preset) {
			p.Web = ServerConf{Count: 1, Workers: 2, Queue: 64, Service: "exp:20ms", Timeout: Duration(5 * time.Second)}
			p.Health.Interval = 0 // probes would be rejected too, and eject the only server
		})
		mustExec(t, l, "load 1000/s")
		base := runtime.NumGoroutine()
		var peakG int
		var peakHeap uint64
		for i := 0; i < 60; i++ {
			time.Sleep(time.Second)
			var ms runtime.MemStats
			runtime.ReadMemStats(&ms)
			peakG = max(peakG, runtime.NumGoroutine())
			peakHeap = max(peakHeap, ms.HeapInuse)
		}
		if peakG > base+10 {
			t.Errorf("goroutines grew from %d to %d under overload", base, peakG)
		}
		if peakHeap > 256<<20 {
			t.Errorf("heap reached %d MiB under overload", peakHeap>>20)
		}
		st := l.server("web-1").b.Stats()
		rejected, done := float64(st.Rejected)/60, float64(st.Completed)/60
		if rejected < 850 || done < 90 || done > 110 {
			t.Errorf("at 10x capacity: %.0f/s rejected, %.0f/s served; want ~900 rejected and ~100 served", rejected, done)
		}
		if p99 := value(t, l, "latency.p99"); p99 > 5000 {
			t.Errorf("p99 %.0fms exceeds the client timeout", p99)
		}
		// The served wait behind a full queue of 64 at 100/s, about 640 ms;
		// the refused fail at once, and are not averaged in (they once
		// made the median read 0.0 ms).
		if p50 := value(t, l, "latency.p50"); p50 < 400 || p50 > 900 {
			t.Errorf("latency.p50 %.1fms; want the served requests' wait, ~660ms", p50)
		}
		if f := value(t, l, "latency.failed.p50"); f > 1 {
			t.Errorf("latency.failed.p50 %.1fms; a refusal is immediate", f)
		}
	})
}

func TestStopLeavesNothingRunning(t *testing.T) {
	l, err := New(Config{})
	if err != nil {
		t.Fatal(err)
	}
	mustExec(t, l, "load 2000/s", "errors payments 50%", "cache mode write-behind", "wait 200ms", "hang db-1")
	time.Sleep(100 * time.Millisecond)
	l.Stop()
	l.Stop() // idempotent
	goleak.VerifyNone(t)
}

func TestExpectFailureCarriesValue(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		l := newLab(t, "web", 1, nil)
		mustExec(t, l, "load 50/s constant", "wait 3s")
		err := l.Exec("expect requests.rate > 1000 within 2s", SourceScript)
		var ee *ExpectError
		if !errors.As(err, &ee) {
			t.Fatalf("got %v, want an ExpectError", err)
		}
		if math.Abs(ee.Value-50) > 5 || !strings.Contains(err.Error(), "requests.rate is ") {
			t.Errorf("error %q: value %v, want about 50", err, ee.Value)
		}
		err = l.Exec("expect lb.routed{backend=web-9} > 1", SourceScript)
		if err == nil || !strings.Contains(err.Error(), "not present") {
			t.Errorf("expect on a missing server: %v", err)
		}
	})
}

func TestBadCommandsChangeNothing(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		l := newLab(t, "shop", 1, nil)
		mustExec(t, l, "load 100/s")
		before, _ := l.Load()
		for _, line := range []string{
			"load 5000000/s",            // over the cap
			"load 100/s keys=20000",     // more keys than the preset
			"kill web-9",                // no such server
			"balancer weighted web-9=3", // not behind the balancer
			"shard remove db-7",         // no such shard
			"breaker web-1 threshold=3", // no such breaker
			"load 100/s zipff=3",        // syntax
		} {
			if err := l.Exec(line, SourceTyped); err == nil {
				t.Errorf("%q: no error", line)
			}
		}
		after, _ := l.Load()
		if before != after {
			t.Errorf("load changed by failing commands: %+v → %+v", before, after)
		}
		if l.lb.Policy() != "round-robin" || value(t, l, "shard.count") != 2 {
			t.Error("topology changed by failing commands")
		}
	})
}

func TestShardAddMovesKeys(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		l := newLab(t, "shop", 1, nil)
		mustExec(t, l, "load 200/s", "wait 2s", "shard add")
		moved := value(t, l, "shard.moved_keys")
		if moved < 1000 || moved > 5000 {
			t.Errorf("ring 2→3 shards moved %v of 10000 keys, want about a third", moved)
		}
		if value(t, l, "shard.count") != 3 || value(t, l, "shard.keys{shard=db-3}") != moved {
			t.Errorf("db-3 should hold exactly the moved keys")
		}
		mustExec(t, l, "wait 3s", "expect shard.reads{shard=db-3} > 0", "shard strategy mod")
	})
}

func TestBreakerTripsAndRecovers(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		l := newLab(t, "shop", 1, nil)
		mustExec(t, l, "load 500/s reads=0%", "wait 2s", "errors payments 100%",
			"expect breaker.state{name=payments} == open within 5s",
			"wait 1s",
			"expect breaker.rejected{name=payments} > 10",
			"errors payments off",
			"expect breaker.state{name=payments} == closed within 15s")
		if trips := value(t, l, "breaker.trips{name=payments}"); trips < 1 {
			t.Errorf("trips = %v", trips)
		}
	})
}

func TestCacheHitRatioUnderZipf(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		l := newLab(t, "shop", 1, nil)
		mustExec(t, l, "load 500/s zipf=1.1 reads=100%", "expect cache.hit_ratio > 0.5 within 20s", "cache clear", "wait 1s")
		if hr := value(t, l, "cache.hit_ratio"); hr > 0.5 {
			// the window still holds warm seconds; the hit rate in the last second must have dropped
			if misses := value(t, l, "cache.misses"); misses < 50 {
				t.Errorf("after clear: hit ratio %v and %v misses/s; want a cold-cache dip", hr, misses)
			}
		}
	})
}

func TestRunScriptJSON(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		l := newLab(t, "web", 1, nil)
		lines, err := ParseScript("s.lab", strings.NewReader("load 100/s\nwait 3s\nexpect requests.rate > 50\nexpect requests.rate > 5000\n"))
		if err != nil {
			t.Fatal(err)
		}
		var out bytes.Buffer
		res := l.RunScript(lines, SourceScript, RunOptions{Out: &out, JSON: true})
		if res.Passed != 1 || len(res.Failures) != 1 || !strings.Contains(res.Failures[0], "s.lab:4") {
			t.Fatalf("result %+v", res)
		}
		rows := strings.Split(strings.TrimSpace(out.String()), "\n")
		if len(rows) < 4 {
			t.Fatalf("%d JSON lines, want 3 ticks and a final one:\n%s", len(rows), out.String())
		}
		for i, row := range rows {
			var tl struct {
				T       float64            `json:"t"`
				Final   bool               `json:"final"`
				Metrics map[string]float64 `json:"metrics"`
			}
			if err := json.Unmarshal([]byte(row), &tl); err != nil {
				t.Fatalf("line %d: %v: %s", i, err, row)
			}
			if i < 3 && tl.T != float64(i+1) {
				t.Errorf("tick %d at t=%v, want %d", i, tl.T, i+1)
			}
			if _, ok := tl.Metrics["latency.p99"]; !ok {
				t.Errorf("line %d lacks latency.p99", i)
			}
			if tl.Final != (i == len(rows)-1) {
				t.Errorf("line %d final=%v", i, tl.Final)
			}
		}
	})
}

func TestRequestEvents(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		l := newLab(t, "shop", 1, nil)
		sub := l.Subscribe(true)
		mustExec(t, l, "load 100/s reads=100%", "wait 2s", "kill web-3", "wait 1s")
		l.Stop()
		sub.Unsubscribe()
		kinds := map[string]int{}
		for _, e := range sub.Drain() {
			b, err := json.Marshal(e)
			if err != nil {
				t.Fatal(err)
			}
			row := string(b)
			kinds[e.Kind]++
			if e.Kind == KindRequest && e.Err == "" && (e.Backend == "" || e.Cache == "" || e.Key == nil) {
				t.Errorf("request event lacks fields: %s", row)
			}
			if e.Kind == KindRequest && e.Cache == "miss" && e.Shard == "" {
				t.Errorf("a cache miss without a shard: %s", row)
			}
			if e.Kind == KindRequest && e.Err == "" {
				// Its times add up: answered at arrival + wait + service.
				if e.Worker == nil || *e.Worker < 0 || e.Arrive < 0 {
					t.Errorf("request event without its worker or arrival: %s", row)
				} else if got := e.Arrive*1000 + e.WaitMS + e.ServiceMS; math.Abs(got-e.T*1000) > 0.001 || math.Abs(e.WaitMS+e.ServiceMS-e.LatencyMS) > 0.001 {
					t.Errorf("arrival %.3fs + wait %.3fms + service %.3fms is not the answer at %.3fs: %s", e.Arrive, e.WaitMS, e.ServiceMS, e.T, row)
				}
			}
		}
		if kinds[KindRequest] < 250 || kinds[KindCommand] != 4 || kinds[KindFault] != 1 {
			t.Errorf("event counts %v", kinds)
		}
	})
}

func TestScaleWebAddsServers(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		l := newLab(t, "web", 1, nil)
		mustExec(t, l, "load 300/s", "wait 2s", "scale web 5", "wait 4s",
			"expect lb.share{backend=web-5} > 0.1", "expect lb.healthy{backend=web-4} == 1")
		if got := len(l.webNames()); got != 5 {
			t.Errorf("%d web servers, want 5", got)
		}
	})
}

// A write counts for stale reads from its acknowledgement: write-through
// acknowledges after the database write, so few reads are stale (what is
// left is the real cache-aside race: a slow miss refills the cache with the
// version it read after a newer write updated it); write-behind with a
// lagging database serves many more.
func TestStaleReadsByWritePolicy(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		l := newLab(t, "shop", 1, nil)
		mustExec(t, l, "cache mode write-through", "load 300/s zipf=1.1 reads=50%", "wait 10s")
		through := value(t, l, "cache.stale_ratio")
		if through > 0.03 {
			t.Errorf("write-through stale ratio %v, want under 3%%", through)
		}
		mustExec(t, l, "cache mode write-behind delay=2s", "cache size 100", "wait 10s")
		if behind := value(t, l, "cache.stale_ratio"); behind < 0.05 || behind < 3*through {
			t.Errorf("write-behind with a lagging database: stale ratio %v, want well above write-through's %v", behind, through)
		}
	})
}

// Adding and removing shards all day keeps the registry, and so memory,
// bounded: a removed server's series and histograms (~400 KB each) are
// freed and their slots reused.
func TestShardChurnIsBounded(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		l := newLab(t, "shop", 1, nil)
		mustExec(t, l, "load 200/s")
		cycle := func(i int) {
			mustExec(t, l, "shard add db-x"+strconv.Itoa(i), "wait 300ms", "shard remove db-x"+strconv.Itoa(i))
		}
		cycle(0)
		l.reg.mu.Lock()
		series, hists := len(l.reg.series), len(l.reg.hists)
		l.reg.mu.Unlock()
		for i := 1; i < 200; i++ {
			cycle(i)
		}
		l.reg.mu.Lock()
		defer l.reg.mu.Unlock()
		if len(l.reg.series) != series || len(l.reg.hists) != hists {
			t.Errorf("after 200 cycles: %d series, %d histograms; after 1: %d, %d", len(l.reg.series), len(l.reg.hists), series, hists)
		}
		live := 0
		for _, h := range l.reg.hists {
			if h != nil {
				live++
			}
		}
		for _, f := range l.reg.ring {
			n := 0
			for _, hf := range f.hists {
				if hf != nil {
					n++
				}
			}
			if n > live {
				t.Errorf("a frame holds %d histogram copies for %d live histograms", n, live)
				break
			}
		}
	})
}

// With both databases down every queued write is dead-lettered, thousands
// a second; the log gets one event a lab second saying how many, not one
// per message.
func TestDeadLettersAreToldOnceASecond(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		l := newLab(t, "shop", 1, nil)
		sub := l.Subscribe(false)
		defer sub.Unsubscribe()
		mustExec(t, l, "queue attempts=1 retry=0s consumers=8", "kill db-1", "kill db-2", "load 2000/s reads=10%", "wait 10s")
		l.Stop()
		events, lost := 0, 0
		for _, e := range sub.Drain() {
			var kind string
			var n int
			if _, err := fmt.Sscanf(e.Detail, "%s %d message(s)", &kind, &n); err == nil && e.Component == "queue:writes" {
				events++
				if e.Count != n || e.ID == 0 || e.Attempts != 1 || e.Err == "" {
					t.Errorf("lost-message event without its count, last id, attempts and error: %+v", e)
				}
				if kind == "dead-lettered" {
					lost += n
				}
			}
		}
		if events < 8 || events > 22 { // dead-lettered, and dropped once the dead-letter topic is full
			t.Errorf("%d queue events in 10 lab seconds, want one or two a second", events)
		}
		if dead := value(t, l, "queue.dead"); lost < int(dead)*8/10 || lost > int(dead) {
			t.Errorf("events told of %d dead letters; the queue counted %v", lost, dead)
		}
	})
}
