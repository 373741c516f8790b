package lab

import (
	"errors"
	"strings"
	"testing"
	"testing/synctest"

	"github.com/scalelab/scalelab/components/backend"
	"github.com/scalelab/scalelab/components/balancer"
	"github.com/scalelab/scalelab/components/breaker"
	"github.com/scalelab/scalelab/components/queue"
	"github.com/scalelab/scalelab/components/trace"
)

// call issues c and waits (in the bubble's lab time) for its answer.
func call(t *testing.T, l *Lab, c Call) Answer {
	t.Helper()
	ch := make(chan Answer, 1)
	if err := l.Call(c, func(a Answer) { ch <- a }); err != nil {
		t.Fatalf("call %+v: %v", c, err)
	}
	return <-ch
}

func TestCallGoesThroughThePipeline(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		l := newLab(t, "shop", 1, nil)
		sub := l.Subscribe(true)
		defer sub.Unsubscribe()

		first := call(t, l, Call{Key: 42})
		if first.Err != nil || first.Failure != Served || !strings.HasPrefix(first.Backend, "web-") ||
			first.Cache != "miss" || !strings.HasPrefix(first.Shard, "db-") {
			t.Fatalf("first read: %+v", first)
		}
		if first.Latency <= 0 || first.End.Sub(first.Arrive) != first.Latency {
			t.Errorf("latency %v from %v to %v", first.Latency, first.Arrive, first.End)
		}
		// The answer comes when its lab time has passed, not before.
		if now := l.Clock().Now(); now.Before(first.End) {
			t.Errorf("answered at lab %v, before its end %v", now, first.End)
		}
		if second := call(t, l, Call{Key: 42}); second.Cache != "hit" || second.Shard != "" || second.ID <= first.ID {
			t.Errorf("second read of the same key: %+v (first id %d)", second, first.ID)
		}
		if w := call(t, l, Call{Key: 7, Write: true}); w.Err != nil || w.Cache != "" {
			t.Errorf("write: %+v", w)
		}
		if c := call(t, l, Call{Key: 8, Write: true, Checkout: true}); c.Err != nil {
			t.Errorf("checkout: %+v", c)
		}
		synctest.Wait()
		if got := value(t, l, "requests.total"); got != 4 {
			t.Errorf("requests.total %v, want the 4 calls", got)
		}
		if got := value(t, l, "http.total"); got != 4 {
			t.Errorf("http.total %v, want 4", got)
		}
		sources := 0
		for _, e := range sub.Drain() {
			if e.Kind == KindRequest {
				if e.Source != "http" {
					t.Errorf("request event source %q, want http", e.Source)
				}
				sources++
			}
		}
		if sources != 4 {
			t.Errorf("%d request events, want 4", sources)
		}
	})
}

func TestCallContinuesTheCallersTrace(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		l := newLab(t, "shop", 1, nil) // samples 1%: the caller's sampled flag decides
		caller, _ := trace.ParseContext("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01")
		a := call(t, l, Call{Key: 3, Parent: caller})
		if a.Trace.TraceID != caller.TraceID || !a.Trace.Sampled || a.Trace.SpanID == caller.SpanID {
			t.Fatalf("answer's trace %+v, caller %+v", a.Trace, caller)
		}
		got, _ := l.TracesSince(0)
		if len(got) != 1 {
			t.Fatalf("%d traces kept, want 1", len(got))
		}
		f := got[0]
		if f.ID != caller.TraceID || f.Root.Parent != caller.SpanID || f.Root.SpanID != a.Trace.SpanID {
			t.Errorf("trace %v root %v parent %v; want %v under %v", f.ID, f.Root.SpanID, f.Root.Parent, caller.TraceID, caller.SpanID)
		}
		// Nested: the web server's span holds its cache lookup and the
		// database read, the root holds the web server.
		byID := map[trace.SpanID]trace.Span{}
		for _, s := range f.Spans {
			byID[s.SpanID] = s
		}
		names := map[string]string{} // span → its parent's name
		for _, s := range f.Spans[1:] {
			names[s.Name] = byID[s.Parent].Name
		}
		if len(f.Spans) < 4 || names["cache get"] != first(names, "web-") || names[first(names, "db-")] != first(names, "web-") || names[first(names, "web-")] != "GET /item" {
			t.Errorf("spans are not nested web → cache, db: %v", names)
		}
		// Unsampled caller: its trace id carried on, nothing recorded.
		caller.Sampled = false
		if b := call(t, l, Call{Key: 3, Parent: caller}); b.Trace.TraceID != caller.TraceID || b.Trace.Sampled {
			t.Errorf("unsampled caller: %+v", b.Trace)
		}
		if _, n := l.TracesSince(0); n != 1 {
			t.Errorf("%d traces, want still 1", n)
		}
	})
}

func TestCallFailures(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		l := newLab(t, "shop", 1, nil)
		mustExec(t, l, "errors payments 100%")
		var seen []Failure
		for range 8 { // threshold 5: five fail at payments, then the breaker fails them fast
			a := call(t, l, Call{Key: 1, Write: true, Checkout: true})
			seen = append(seen, a.Failure)
		}
		if seen[0] != Failed || seen[len(seen)-1] != BreakerOpen {
			t.Errorf("checkouts against failing payments: %v, want failed … breaker open", seen)
		}
		mustExec(t, l, "kill web-1", "kill web-2", "kill web-3", "wait 3s")
		if a := call(t, l, Call{Key: 1}); a.Failure != Unavailable || a.Backend != "" {
			t.Errorf("every web server down: %+v", a)
		}
	})
}

func TestBadCallsIssueNothing(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		shop := newLab(t, "shop", 1, nil)
		web := newLab(t, "web", 1, nil)
		for _, tc := range []struct {
			l    *Lab
			c    Call
			want string
		}{
			{shop, Call{Key: 10000}, "key 10000 is out of range 0..9999"},
			{shop, Call{Key: 1, Checkout: true}, "a checkout is a write"},
			{web, Call{Key: 1, Write: true, Checkout: true}, ErrNoPayments.Error()},
		} {
			err := tc.l.Call(tc.c, func(Answer) { t.Error("a refused call was answered") })
			if err == nil || err.Error() != tc.want {
				t.Errorf("%+v: %v, want %q", tc.c, err, tc.want)
			}
		}
		shop.Stop()
		if err := shop.Call(Call{Key: 1}, func(Answer) {}); !errors.Is(err, ErrLabStopped) {
			t.Errorf("a stopped lab: %v", err)
		}
		if n := shop.m.requests.Load() + shop.m.http.Load() + web.m.http.Load(); n != 0 {
			t.Errorf("refused calls counted %d", n)
		}
	})
}

func TestFailureOf(t *testing.T) {
	for _, tc := range []struct {
		err  error
		want Failure
	}{
		{nil, Served},
		{backend.ErrRejected, Unavailable},
		{errNoBackend, Unavailable},
		{balancer.ErrNoHealthy, Unavailable},
		{queue.ErrFull, Unavailable},
		{backend.ErrStopped, Unavailable},
		{breaker.ErrOpen, BreakerOpen},
		{breaker.ErrTooManyRequests, BreakerOpen},
		{backend.ErrTimeout, TimedOut},
		{backend.ErrInjected, Failed},
		{backend.ErrDown, Failed},
		{errPrimaryDied, Failed},
	} {
		if got := FailureOf(tc.err); got != tc.want {
			t.Errorf("%v: %v, want %v", tc.err, got, tc.want)
		}
	}
}

// first is the first key of m that starts with prefix and has no space.
func first(m map[string]string, prefix string) string {
	for k := range m {
		if strings.HasPrefix(k, prefix) && !strings.Contains(k, " ") {
			return k
		}
	}
	return "none " + prefix
}
