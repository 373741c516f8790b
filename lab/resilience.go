package lab

// Timeouts and retries of the calls the lab's tiers make: the client's
// call to the web tier, the web tier's calls to the database shards and to
// payments. Each callee has the caller's deadline (`timeout NAME D`) and,
// for db and payments, a retrier (`retry NAME attempts=N …`, see
// components/retry). The pipeline makes every such call through callDB and
// charge here.

import (
	"errors"
	"sync/atomic"
	"time"

	"github.com/scalelab/scalelab/components/backend"
	"github.com/scalelab/scalelab/components/breaker"
	"github.com/scalelab/scalelab/components/retry"
)

// callee is a tier the lab calls with a deadline.
type callee int

const (
	calleeWeb      callee = iota // the client's call to the web tier
	calleeDB                     // a web server's call to a database shard
	calleePayments               // a checkout's call to payments
	numCallees
)

// calleeNames are the names `timeout` and `retry` take, by callee.
var calleeNames = []string{"web", "db", "payments"}

func (c callee) String() string { return calleeNames[c] }

// retryNames are the callees a retry policy can be set for: the client
// does not retry the web tier (its requests are the load itself).
var retryNames = []string{"db", "payments"}

// calls are the lab's deadlines and retriers, and what they counted.
type calls struct {
	deadline [numCallees]atomic.Int64                  // ns
	retrier  [numCallees]atomic.Pointer[retry.Retrier] // nil: no retries
	made     [numCallees]*Counter                      // original calls
	failed   [numCallees]*Counter                      // original calls that failed after their retries
	tries    [numCallees]*Counter                      // attempts, the first included
	timedOut [numCallees]*Counter                      // attempts that hit the deadline
	budgeted [numCallees]*Counter                      // retries a budget refused
}

// initCalls sets each callee's deadline from the preset and makes its
// counters.
func (l *Lab) initCalls() {
	p := l.preset
	l.calls.deadline[calleeWeb].Store(int64(p.Web.Timeout))
	if p.DB != nil {
		l.calls.deadline[calleeDB].Store(int64(p.DB.Timeout))
	}
	if p.Payments != nil {
		l.calls.deadline[calleePayments].Store(int64(p.Payments.Timeout))
	}
	for c := range numCallees {
		n := "{" + calleeNames[c] + "}"
		l.calls.made[c] = l.reg.Counter("calls.made" + n)
		l.calls.failed[c] = l.reg.Counter("calls.failed" + n)
		l.calls.tries[c] = l.reg.Counter("calls.attempts" + n)
		l.calls.timedOut[c] = l.reg.Counter("calls.timeouts" + n)
		l.calls.budgeted[c] = l.reg.Counter("calls.budgeted" + n)
	}
}

// has reports whether the lab has callee c.
func (l *Lab) has(c callee) bool {
	switch c {
	case calleeDB:
		return l.cluster != nil
	case calleePayments:
		return l.payments != nil
	}
	return true
}

// deadline is how long a caller waits for callee c.
func (l *Lab) deadline(c callee) time.Duration { return time.Duration(l.calls.deadline[c].Load()) }

// retryable: every failure but a breaker's refusal, which is the breaker's
// verdict on the dependency (retrying into an open breaker only spins), and
// a lab that is stopping.
func retryable(err error) bool {
	return !errors.Is(err, breaker.ErrOpen) && !errors.Is(err, breaker.ErrTooManyRequests) && !errors.Is(err, backend.ErrStopped)
}

// call makes one original call to callee c at lab time at, with its
// retries, and counts it.
func (l *Lab) call(c callee, at time.Time, attempt retry.Call) (time.Time, error) {
	// Counted when they end, calls and attempts alike, so that a window's
	// ratios compare the same calls.
	counted := func(at time.Time) (time.Time, error) {
		end, err := attempt(at)
		l.calls.tries[c].Inc()
		if errors.Is(err, backend.ErrTimeout) {
			l.calls.timedOut[c].Inc()
		}
		return end, err
	}
	var end time.Time
	var err error
	if r := l.calls.retrier[c].Load(); r != nil {
		o := r.Do(at, counted)
		if o.Budgeted {
			l.calls.budgeted[c].Inc()
		}
		end, err = o.End, o.Err
	} else {
		end, err = counted(at)
	}
	if err != nil {
		l.calls.failed[c].Inc()
	}
	l.calls.made[c].Inc()
	return end, err
}

// newRetrier makes the retrier for callee c: its waits sleep a web
// worker's goroutine on the lab clock, as a synchronous client's do.
func (l *Lab) newRetrier(c callee, p retry.Policy, b *retry.Budget) *retry.Retrier {
	return retry.New(retry.Settings{
		Policy: p, Budget: b, Retryable: retryable, Seed: l.cfg.Seed ^ uint64(c+1)*0x51ed27,
		Wait: func(t time.Time) bool { return l.clock.SleepUntil(t, l.stop) },
	})
}

// callDB calls database server s at lab time cur with the db deadline and
// retries, and returns the last attempt's result (its End the call's end).
func (l *Lab) callDB(s *server, cur time.Time) backend.Result {
	var res backend.Result
	end, _ := l.call(calleeDB, cur, func(at time.Time) (time.Time, error) {
		res = s.b.Do(backend.Request{Arrive: at, Timeout: l.deadline(calleeDB)})
		return res.End, res.Err
	})
	res.End = end
	return res
}

// charge calls payments, through the circuit breaker when it is on, with
// the payments deadline and retries: each attempt asks the breaker and is
// a span of the trace.
func (r *request) charge(cur time.Time) (time.Time, error) {
	return r.lab.call(calleePayments, cur, r.chargeOnce)
}

// noteWebAnswer counts a web server's answer that came too late for the
// client's deadline.
func (l *Lab) noteWebAnswer(res backend.Result) {
	if errors.Is(res.Err, backend.ErrTimeout) {
		l.calls.timedOut[calleeWeb].Inc()
	}
}

// CallStats is one callee as its callers see it: the deadline, the retry
// policy, and what the calls came to.
type CallStats struct {
	Name     string
	Timeout  time.Duration // the caller's deadline
	Retry    retry.Policy  // Attempts 1: no retries
	Budget   float64       // the retry budget's share of calls; 0 for none
	Calls    float64       // original calls per second
	Attempts float64       // attempts per second, retries included
	// Amplification is attempts per original call over the stat window:
	// 1 without retries, up to Retry.Attempts when everything fails.
	Amplification float64
	SuccessRatio  float64 // share of original calls that succeeded, retries included
	Timeouts      float64 // attempts that hit the deadline, per second
	Budgeted      float64 // retries the budget refused, per second
}

// callStats measures every callee the lab has.
func (l *Lab) callStats(rate, stat *Window) []CallStats {
	var out []CallStats
	for c := range numCallees {
		if !l.has(c) {
			continue
		}
		n := "{" + calleeNames[c] + "}"
		cs := CallStats{
			Name: calleeNames[c], Timeout: l.deadline(c), Retry: retry.Policy{Attempts: 1},
			Calls: rate.Rate("calls.made" + n), Attempts: rate.Rate("calls.attempts" + n),
			Amplification: ratio(stat.Delta("calls.attempts"+n), stat.Delta("calls.made"+n)),
			SuccessRatio:  max(ratio(stat.Delta("calls.made"+n)-stat.Delta("calls.failed"+n), stat.Delta("calls.made"+n)), 0),
			Timeouts:      rate.Rate("calls.timeouts" + n), Budgeted: rate.Rate("calls.budgeted" + n),
		}
		if r := l.calls.retrier[c].Load(); r != nil {
			cs.Retry = r.Policy()
			if b := r.Budget(); b != nil {
				cs.Budget = b.Ratio()
			}
		}
		out = append(out, cs)
	}
	return out
}

// Call returns the callee called name in the snapshot, or nil.
func (s *Snapshot) Call(name string) *CallStats {
	for i := range s.Calls {
		if s.Calls[i].Name == name {
			return &s.Calls[i]
		}
	}
	return nil
}

// labelCallee labels a row by the tier called.
const labelCallee = "name"

var perCall = labelled(labelCallee, func(s *Snapshot, yield func(string, *CallStats)) {
	for i := range s.Calls {
		yield(s.Calls[i].Name, &s.Calls[i])
	}
})

// callMetrics are the metric table's rows for timeouts and retries.
var callMetrics = []MetricInfo{
	perCall("timeout.after", UnitMS, "the caller's deadline for calls to a tier: web (the client's), db, payments (`timeout NAME D`)", func(c *CallStats) float64 { return ms(c.Timeout) }),
	perCall("timeout.count", UnitPerSec, "calls to a tier that hit the caller's deadline, per second (last 1 s); the server may still be working on them", func(c *CallStats) float64 { return c.Timeouts }),
	perCall("retry.max_attempts", UnitCount, "attempts a call to a tier gets, the first included, as set (`retry NAME attempts=N`); 1: no retries", func(c *CallStats) float64 { return float64(c.Retry.Attempts) }),
	perCall("retry.attempts.rate", UnitPerSec, "attempts made at a tier per second, retries included (last 1 s)", func(c *CallStats) float64 { return c.Attempts }),
	perCall("retry.amplification", UnitCount, "attempts made per original call to a tier (last 5 s): 1 without retries", func(c *CallStats) float64 { return c.Amplification }),
	perCall("retry.success_ratio", UnitShare, "share of original calls to a tier that succeeded, retries included (last 5 s)", func(c *CallStats) float64 { return c.SuccessRatio }),
	perCall("retry.budgeted", UnitPerSec, "retries refused by the retry budget per second (last 1 s)", func(c *CallStats) float64 { return c.Budgeted }),
}
