package lab

import (
	"errors"
	"time"

	"github.com/scalelab/scalelab/components/backend"
	"github.com/scalelab/scalelab/components/cache"
	"github.com/scalelab/scalelab/components/queue"
	"github.com/scalelab/scalelab/components/trace"
)

// request is one request travelling the topology. It carries its own logical
// lab time: arrive is when it reached the balancer, and each hop returns the
// logical time it finished, so measured latency is queueing plus service and
// never the simulator's own timer jitter (see components/backend).
//
// requests are pooled; their handler and completion callbacks are bound once.
type request struct {
	lab      *Lab
	id       uint64
	key      uint64
	write    bool
	checkout bool
	arrive   time.Time
	web      int
	tr       *trace.Trace
	cacheUse string // "hit", "miss" or ""
	shard    string
	res      backend.Result // the web server's answer, for the request event
	notify   chan<- struct{}

	serveFn backend.Handler
	doneFn  func(backend.Result)
}

func (r *request) bind() {
	r.serveFn = r.serve
	r.doneFn = r.done
}

var (
	errNoBackend   = errors.New("no healthy web server")
	errPrimaryDied = errors.New("the primary died before its replicas had the write")
)

// issue sends a new request into the topology at logical time at. It runs
// on the load generator's goroutine and never blocks: the web server's
// accept queue either takes the request or rejects it.
func (l *Lab) issue(id, key uint64, write, checkout bool, at time.Time) {
	l.issueNotify(id, key, write, checkout, at, nil)
}

// issueNotify is issue with a channel that gets one value when the request
// finishes (for closed-loop clients); nil for none.
func (l *Lab) issueNotify(id, key uint64, write, checkout bool, at time.Time, notify chan<- struct{}) {
	r := l.pool.Get().(*request)
	r.notify = notify
	r.id, r.key, r.write, r.checkout, r.arrive = id, key, write, checkout, at
	r.cacheUse, r.shard = "", ""
	name := "GET /item"
	if write {
		name = "PUT /item"
	}
	r.tr = l.tracer.Start(name, at)
	if r.tr != nil {
		l.m.sampled.Inc()
	}
	if l.limited(key, at) {
		r.web = -1
		r.finish(at, "", errLimited)
		return
	}
	i, err := l.lb.Pick(key)
	if err != nil {
		l.m.unroutable.Inc()
		r.web = -1
		r.finish(at, "", err)
		return
	}
	r.web = i
	w := l.web(i)
	w.b.Submit(backend.Request{Arrive: at, Timeout: l.deadline(calleeWeb), Handler: r.serveFn}, r.doneFn)
}

// serve is the web server's work, run on one of its workers once the
// request has waited its turn and had its service time. start is logical.
func (r *request) serve(start time.Time) (time.Time, error) {
	l := r.lab
	if l.cluster == nil { // web-only topology: the web server answers itself
		return start, nil
	}
	if r.write {
		return r.serveWrite(start)
	}
	return r.serveRead(start)
}

// serveRead is cache-aside: try the cache, on a miss read the owning shard
// and fill the cache.
func (r *request) serveRead(cur time.Time) (time.Time, error) {
	l := r.lab
	c := l.cached()
	if c != nil {
		if v, ok := c.Get(r.key); ok {
			r.cacheUse = "hit"
			l.m.hits.Inc()
			r.tr.Span("cache get", r.tr.Root(), cur, cur, nil, trace.Attr{Key: "cache", Value: "hit"})
			l.countRead(r.key, v, cur)
			return cur, nil
		}
		r.cacheUse = "miss"
		l.m.misses.Inc()
		r.tr.Span("cache get", r.tr.Root(), cur, cur, nil, trace.Attr{Key: "cache", Value: "miss"})
	}
	start, end, v, err := r.dbRead(cur)
	if err != nil {
		return end, err
	}
	l.countRead(r.key, v, start)
	if c != nil {
		c.Set(r.key, v)
	}
	return end, nil
}

// cached is the cache tier, or nil when there is none or it is taken out
// of the path (cache off).
func (l *Lab) cached() *cache.Cache[uint64, uint64] {
	if l.cacheOff.Load() {
		return nil
	}
	return l.cache
}

// countRead notes a read that returned version v, served from lab time
// at, and whether it was stale: older than a write acknowledged before
// then. (In lab time: a write acknowledged while the read was served, though
// the read's goroutine counts it a little later, does not make it stale.)
func (l *Lab) countRead(key, v uint64, at time.Time) {
	l.m.reads.Inc()
	if v < l.latest[key].Load() && l.wroteAt[key].Load() < at.UnixNano() {
		l.m.stale.Inc()
	}
}

// dbRead reads key from its shard's database server.
// dbRead reads key from its shard: from the primary or a replica, as the
// data tier routes reads, with the version that server has, and the lab
// times the server started and finished it.
func (r *request) dbRead(cur time.Time) (start, end time.Time, version uint64, err error) {
	l := r.lab
	shard := l.cluster.Locate(r.key)
	rt := l.tier.route(shard)
	s := l.server(shard)
	if rt != nil {
		s = l.tier.readFrom(rt, r.key, cur)
	}
	name := s.b.Name()
	r.shard = name
	res := l.callDB(s, cur)
	s.lat.Record(res.End.Sub(cur))
	r.tr.Span(name, r.tr.Root(), cur, res.End, res.Err, trace.Attr{Key: "db.op", Value: "read"}, waitAttr(res))
	if res.Err != nil {
		return res.Start, res.End, 0, res.Err
	}
	s.reads.Inc()
	if rep := s.replica(); rep != nil {
		return res.Start, res.End, rep.Get(r.key), nil
	}
	v, _, _ := l.cluster.Get(r.key)
	return res.Start, res.End, v, nil
}

func waitAttr(res backend.Result) trace.Attr {
	return trace.Attr{Key: "queue_wait", Value: res.QueueWait.String()}
}

// serveWrite charges payments on a checkout, then writes by the cache's
// write policy: through the queue (invalidate), synchronously
// (write-through) or via the write-behind flusher.
func (r *request) serveWrite(cur time.Time) (time.Time, error) {
	l := r.lab
	if r.checkout && l.payments != nil {
		end, err := r.placeOrder(cur)
		if err != nil {
			return end, err
		}
		cur = end
	}
	version := l.versions.Add(1)
	w := write{key: r.key, version: version}
	mode := cache.WriteInvalidate
	c := l.cached()
	if l.cache != nil {
		mode = cache.Mode(l.mode.Load())
	}
	if c == nil && mode == cache.WriteBehind { // the cache is out of the path: nothing to write behind
		mode = cache.WriteThrough
	}
	// A write counts for stale-read detection from the moment the client is
	// told it succeeded: after the database write (write-through), after
	// the cache update (write-behind), after the publish (queued writes).
	switch {
	case mode == cache.WriteThrough || (mode == cache.WriteInvalidate && l.broker == nil):
		end, err := l.dbWrite(w, cur, r.tr)
		if err != nil {
			return end, err
		}
		if c != nil {
			if mode == cache.WriteThrough {
				c.Set(r.key, version)
			} else {
				c.Delete(r.key)
			}
		}
		l.noteWrite(r.key, version, end)
		return end, nil
	case mode == cache.WriteBehind:
		c.Set(r.key, version)
		err := l.behind.EnqueueAt(r.key, version, cur)
		r.tr.Span("write-behind enqueue", r.tr.Root(), cur, cur, err)
		if err == nil {
			l.noteWrite(r.key, version, cur)
		}
		return cur, err
	default:
		// Publishing takes no lab time unless the queue is full and
		// publishers block: then the wait is real and counts.
		end := cur
		err := l.broker.TryPublishAt(writesTopic, w, cur)
		if errors.Is(err, queue.ErrFull) && l.blockWhenFull.Load() {
			err = l.broker.PublishAt(writesTopic, w, cur)
			if now := l.clock.Now(); now.After(end) {
				end = now
			}
		}
		r.tr.Span("queue publish", r.tr.Root(), cur, end, err)
		if err == nil {
			l.noteWrite(r.key, version, end)
		}
		return end, err
	}
}

// store puts version in key's shard if no write committed after it: two
// writes to a key may come back in another order than they committed.
func (l *Lab) store(key, version uint64, at time.Time) {
	mu := &l.writeMu[key%uint64(len(l.writeMu))]
	mu.Lock()
	if ns := at.UnixNano(); ns >= l.storedAt[key] {
		l.cluster.Put(key, version)
		l.storedAt[key] = ns
	}
	mu.Unlock()
}

// noteWrite records version, acknowledged at lab time at, as key's
// newest if no write was acknowledged after it: the last write to commit
// is the one a read should see, whatever order the requests came in.
func (l *Lab) noteWrite(key, version uint64, at time.Time) {
	mu := &l.writeMu[key%uint64(len(l.writeMu))]
	mu.Lock()
	if ns := at.UnixNano(); ns >= l.wroteAt[key].Load() {
		l.latest[key].Store(version)
		l.wroteAt[key].Store(ns)
	}
	mu.Unlock()
}

// chargeOnce is one attempt at charging payments: through the circuit
// breaker, or straight when the breaker is off (see charge).
func (r *request) chargeOnce(cur time.Time) (time.Time, error) {
	l := r.lab
	if !l.breakerOn.Load() {
		res := l.payments.b.Do(backend.Request{Arrive: cur, Timeout: l.deadline(calleePayments)})
		l.payments.lat.Record(res.End.Sub(cur))
		r.tr.Span("payments", r.tr.Root(), cur, res.End, res.Err, waitAttr(res))
		return res.End, res.Err
	}
	ticket, err := l.breaker.Allow()
	if err != nil {
		r.tr.Span("payments", r.tr.Root(), cur, cur, err, trace.Attr{Key: "breaker", Value: "rejected"})
		return cur, err
	}
	res := l.payments.b.Do(backend.Request{Arrive: cur, Timeout: l.deadline(calleePayments)})
	l.breaker.Done(ticket, res.Err == nil)
	l.payments.lat.Record(res.End.Sub(cur))
	r.tr.Span("payments", r.tr.Root(), cur, res.End, res.Err, waitAttr(res))
	return res.End, res.Err
}

// write is a queued or flushed database write.
type write struct {
	key, version uint64
}

// dbWrite stores w on its shard's database server.
// dbWrite stores w on its shard's primary, which ships it to the
// shard's replicas; with synchronous replication it is acknowledged only
// once they have it.
func (l *Lab) dbWrite(w write, cur time.Time, tr *trace.Trace) (time.Time, error) {
	shard := l.cluster.Locate(w.key)
	rt := l.tier.route(shard)
	s := l.server(shard)
	if rt != nil {
		s = rt.primary
	}
	name := s.b.Name()
	res := l.callDB(s, cur)
	s.lat.Record(res.End.Sub(cur))
	tr.Span(name, tr.Root(), cur, res.End, res.Err, trace.Attr{Key: "db.op", Value: "write"}, waitAttr(res))
	if res.Err != nil {
		return res.End, res.Err
	}
	s.writes.Inc()
	l.store(w.key, w.version, res.End)
	end := res.End
	if rt != nil {
		var ok bool
		if end, ok = rt.set.Write(w.key, w.version, end); !ok {
			tr.Span("replication", tr.Root(), res.End, end, errPrimaryDied)
			return end, errPrimaryDied
		}
		if end.After(res.End) {
			tr.Span("replication", tr.Root(), res.End, end, nil, trace.Attr{Key: "db.op", Value: "sync"})
		}
		l.tier.noteWrite(w.key, end)
	}
	return end, nil
}

// consumeWrite is the queue consumer: write to the database, from the lab
// time the consumer takes the message, then drop the cached copy so the
// next read fetches the new version. An error nacks the message; the
// broker retries it or dead-letters it.
func (l *Lab) consumeWrite(m *queue.Message, start time.Time) (time.Time, error) {
	w, ok := m.Body.(write)
	if !ok {
		return start, errors.New("not a write")
	}
	end, err := l.dbWrite(w, start, nil)
	if err != nil {
		return end, err
	}
	if c := l.cached(); c != nil {
		c.Delete(w.key)
	}
	return end, nil
}

func (l *Lab) newWriteBehind(delay time.Duration) *cache.BehindQueue[uint64, uint64] {
	return cache.NewWriteBehindTimed[uint64, uint64](cache.BehindSettings{Delay: delay, QueueSize: 4096, Clock: l.clock, Crash: l.cfg.Crash},
		func(key, version uint64, start time.Time) (time.Time, error) {
			return l.dbWrite(write{key, version}, start, nil)
		})
}

// done runs when the web server answers (on its worker, or inline when it
// refused the request).
func (r *request) done(res backend.Result) {
	l := r.lab
	name := ""
	if r.web >= 0 {
		l.noteWebAnswer(res)
		l.lb.Done(r.web)
		w := l.web(r.web)
		name = w.b.Name()
		w.lat.Record(res.End.Sub(r.arrive))
		if r.tr != nil {
			if res.QueueWait > 0 {
				r.tr.Span(name+" queue", r.tr.Root(), r.arrive, res.Start, nil)
			}
			if !res.Start.IsZero() {
				r.tr.Span(name, r.tr.Root(), res.Start, res.End, res.Err)
			}
		}
	}
	end := res.End
	if end.Before(r.arrive) {
		end = r.arrive
	}
	r.res = res
	r.finish(end, name, res.Err)
}

// finish records the request's outcome and returns it to the pool.
func (r *request) finish(end time.Time, backendName string, err error) {
	l := r.lab
	lat := end.Sub(r.arrive)
	switch {
	case err == errLimited: // apart: the limiter working is not the service failing
		l.m.limited.Inc()
	case err != nil:
		// Apart: a refusal in 0.1 ms is not a fast answer.
		l.m.requests.Inc()
		l.m.failed.Record(lat)
		l.m.errors.Inc()
	default:
		l.m.requests.Inc()
		l.m.latency.Record(lat)
	}
	r.tr.Finish(end, err)
	if l.Bus.WantsRequests() {
		key := r.key
		e := Event{Kind: KindRequest, ID: r.id, Key: &key, Op: "read", Checkout: r.checkout, Arrive: r.arrive.Sub(l.start).Seconds(),
			Backend: backendName, Cache: r.cacheUse, Shard: r.shard, LatencyMS: float64(lat) / float64(time.Millisecond)}
		if r.write {
			e.Op = "write"
		}
		if w := r.res.Worker; backendName != "" && w >= 0 {
			e.Worker = &w
			e.WaitMS = ms(r.res.QueueWait)
			e.ServiceMS = ms(r.res.Service)
		}
		if err != nil {
			e.Err = err.Error()
		}
		l.eventAt(e, end)
	}
	r.tr = nil
	notify := r.notify
	r.notify = nil
	l.pool.Put(r)
	if notify != nil {
		notify <- struct{}{}
	}
}
