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
	cacheUse string // "hit", "miss", "edge" (the CDN answered) or ""
	got      uint64 // the version a read returned
	fill     *edge  // the CDN edge missed: fill it with the answer
	shard    string
	res      backend.Result // the web server's answer, for the request event
	notify   chan<- struct{}
	mark     int           // the trace's spans before the web server took it (see done)
	answer   func(Answer)  // a call from outside (front.go): told how it went
	own      trace.Context // a call's own trace context, for its answer

	serveFn backend.Handler
	doneFn  func(backend.Result)
}

// bind makes the request's callbacks once, when the pool makes it (the
// lab is built by then).
func (r *request) bind() {
	// A web server with nothing behind it answers at the end of its own
	// service time: no handler, so its backend plans the whole job in lab
	// time (see backend.Request.Handler). A handler holds its worker until
	// it returns in real time, and the next queued job goes to the worker
	// that returns first in real time, not to the one free first in lab
	// time: at 20x and 83% busy, that made p50 +33%.
	if r.lab.cluster != nil {
		r.serveFn = r.serve
	}
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
	r := l.newRequest(id, key, write, checkout, at)
	r.notify = notify
	r.tr = l.tracer.Start(r.name(), at)
	l.route(r, at)
}

// newRequest takes a request from the pool, set up to arrive at at.
func (l *Lab) newRequest(id, key uint64, write, checkout bool, at time.Time) *request {
	r := l.pool.Get().(*request)
	r.id, r.key, r.write, r.checkout, r.arrive = id, key, write, checkout, at
	r.cacheUse, r.shard, r.fill = "", "", nil
	return r
}

// name is the request's root span name.
func (r *request) name() string {
	if r.write {
		return "PUT /item"
	}
	return "GET /item"
}

// route sends a request, its trace started, to a web server.
func (l *Lab) route(r *request, at time.Time) {
	if r.tr != nil {
		l.m.sampled.Inc()
	}
	if l.edgeServe(r, at) { // the CDN answers what it holds, before any limit
		return
	}
	if l.limited(r.key, at) {
		r.web = -1
		r.finish(at, "", errLimited)
		return
	}
	l.m.balanced.Inc()
	i, err := l.lb.Pick(r.key)
	if err != nil {
		l.m.unroutable.Inc()
		r.web = -1
		r.finish(at, "", err)
		return
	}
	r.web = i
	r.mark = r.tr.Mark()
	w := l.web(i)
	w.b.Submit(backend.Request{Arrive: at, Timeout: l.deadline(calleeWeb), Handler: r.serveFn}, r.doneFn)
}

// serve is the web server's work, run on one of its workers once the
// request has waited its turn and had its service time. start is logical.
func (r *request) serve(start time.Time) (time.Time, error) {
	if r.write {
		return r.serveWrite(start)
	}
	return r.serveRead(start)
}

// serveRead is cache-aside: try the cache, on a miss read the owning shard
// (or wait for a read of the key already under way, when misses are
// coalesced) and fill the cache.
func (r *request) serveRead(cur time.Time) (time.Time, error) {
	l := r.lab
	t := l.cached()
	if t == nil {
		start, end, v, err := r.dbRead(cur)
		if err == nil {
			l.countRead(r.key, v, start)
			r.got = v
		}
		return end, err
	}
	lk := t.get(r.web, r.key, cur)
	end := lk.end
	if n := lk.node; n != nil {
		r.cacheUse = "miss"
		if lk.hit {
			r.cacheUse = "hit"
		}
		r.tr.Span("cache get", r.tr.Root(), cur, end, nil, trace.Attr{Key: "cache", Value: r.cacheUse}, trace.Attr{Key: "node", Value: n.name})
		if lk.hit {
			l.m.hits.Inc()
			l.countRead(r.key, lk.v, cur)
			r.got = lk.v
			return end, nil
		}
		l.m.misses.Inc()
		if !lk.filling.IsZero() && t.coalesc.Load() { // a fetch of the key is under way: wait for it
			l.m.coalesced.Inc()
			r.tr.Span("coalesced", r.tr.Root(), end, lk.filling, nil)
			l.countRead(r.key, lk.v, end)
			r.got = lk.v
			return lk.filling, nil
		}
	}
	start, fetched, v, err, shared := t.fetch(r.key, end, func() (time.Time, time.Time, uint64, error) { return r.dbRead(end) })
	if shared {
		l.m.coalesced.Inc()
		r.tr.Span("coalesced", r.tr.Root(), end, fetched, err)
	}
	if err != nil {
		return fetched, err
	}
	l.countRead(r.key, v, start)
	r.got = v
	return t.set(r.web, r.key, v, fetched), nil
}

// cached is the cache tier, or nil when there is none or it is taken out
// of the path (cache off).
func (l *Lab) cached() *cacheTier {
	if l.cacheOff.Load() {
		return nil
	}
	return l.ctier
}

// countRead notes a read that returned version v, served from lab time
// at, and whether it was stale: older than a write acknowledged before
// then. (In lab time: a write acknowledged while the read was served, though
// the read's goroutine counts it a little later, does not make it stale.)
func (l *Lab) countRead(key, v uint64, at time.Time) {
	l.m.reads.Inc()
	if l.isStale(key, v, at) {
		l.m.stale.Inc()
	}
}

// isStale reports whether version v of key, read at lab time at, is
// older than a write acknowledged before then.
func (l *Lab) isStale(key, v uint64, at time.Time) bool {
	return v < l.latest[key].Load() && l.wroteAt[key].Load() < at.UnixNano()
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
	l.m.dbReads.Inc()
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
	if l.ctier != nil {
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
				end = c.write(r.web, r.key, version, end)
			} else {
				end = c.del(r.web, r.key, end)
			}
		}
		l.noteWrite(r.key, version, end)
		return end, nil
	case mode == cache.WriteBehind:
		cur = c.write(r.web, r.key, version, cur)
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
		end = c.del(-1, w.key, end)
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
			calls := r.tr.Mark() // the spans of the calls it made
			if res.QueueWait > 0 {
				r.tr.Span(name+" queue", r.tr.Root(), r.arrive, res.Start, nil)
			}
			if !res.Start.IsZero() {
				r.tr.Adopt(r.tr.Span(name, r.tr.Root(), res.Start, res.End, res.Err), r.mark, calls)
			}
		}
	}
	end := res.End
	if end.Before(r.arrive) {
		end = r.arrive
	}
	r.res = res
	if r.fill != nil && res.Err == nil && !r.write && l.cluster != nil {
		store(r.fill.lru, r.key, r.got, end)
	}
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
		e := Event{Kind: KindRequest, Source: r.source(), ID: r.id, Key: &key, Op: "read", Checkout: r.checkout, Arrive: r.arrive.Sub(l.start).Seconds(),
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
	if r.answer != nil {
		r.answer(r.answerOf(end, backendName, err))
		r.answer, r.own = nil, trace.Context{}
	}
	r.tr = nil
	notify := r.notify
	r.notify = nil
	l.pool.Put(r)
	if notify != nil {
		notify <- struct{}{}
	}
}
