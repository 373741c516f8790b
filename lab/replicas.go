package lab

import (
	"fmt"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/scalelab/scalelab/components/backend"
	"github.com/scalelab/scalelab/components/replica"
)

// The data tier's replication: every shard has a primary that takes its
// writes and may have read replicas (db-1-r1, db-1-r2, …), each a real
// server with its own copy of the shard's data, kept by components/replica.
// Reads are routed as the seeds' DatabaseRouter does: all to the primary,
// round-robin over the healthy replicas, or sticky (read-your-writes: a key
// written less than D ago is read from the primary, as Rails' database
// selector does with its delay). When a primary dies its shard takes no
// writes until a replica is promoted, by hand or after the primaries' own
// health checks fail (failover auto).

// defaultReplicaLag is the shipping delay of asynchronous replication until
// a replicas command sets another: long enough to see.
const defaultReplicaLag = 100 * time.Millisecond

// ReadRouting is where the data tier sends reads.
type ReadRouting int32

// Read routings.
const (
	ReadPrimary  ReadRouting = iota // every read to the shard's primary
	ReadReplicas                    // round-robin over healthy replicas (the primary when none)
	ReadSticky                      // replicas, but a key written within the sticky window goes to the primary
)

func (r ReadRouting) String() string {
	switch r {
	case ReadReplicas:
		return "replicas"
	case ReadSticky:
		return "sticky"
	}
	return "primary"
}

// dataTier is the replication state of every shard.
type dataTier struct {
	l      *Lab
	routes atomic.Pointer[map[string]*route] // by shard: what the request path reads
	reads  atomic.Int32                      // ReadRouting
	sticky atomic.Int64                      // the read-your-writes window, lab ns
	auto   atomic.Bool                       // failover automatic
	wrote  []atomic.Int64                    // per key: lab ns of its last acknowledged write

	mu     sync.Mutex // changes: replicas, promotions, rejoins
	shards map[string]*replicated
	count  int // replicas per shard asked for
	lag    time.Duration
	sync   bool
	lost   uint64 // of shards removed since (the live ones count their own)
	fails  map[string]int
}

// replicated is one shard's replication.
type replicated struct {
	shard     string
	primary   string   // the server taking its writes
	members   []string // its replicas' server names, in order
	set       *replica.Set
	next      int // the number of the next replica made for it
	failovers int // promotions so far
	rr        atomic.Uint64
}

// route is what a request needs to reach a shard: immutable, replaced on
// every change.
type route struct {
	primary  *server
	replicas []*server
	set      *replica.Set
	rr       *atomic.Uint64
}

func newDataTier(l *Lab) *dataTier {
	t := &dataTier{l: l, shards: map[string]*replicated{}, fails: map[string]int{}, wrote: make([]atomic.Int64, l.preset.Keys), lag: defaultReplicaLag}
	t.routes.Store(&map[string]*route{})
	return t
}

// addShard gives a new shard (its primary server named as the shard) its
// replication and as many replicas as asked for. Called with t.mu held.
func (t *dataTier) addShardLocked(shard string) {
	rs := &replicated{shard: shard, primary: shard, set: replica.New(replica.Settings{
		Lag: t.lag, Sync: t.sync, Clock: t.l.clock, Crash: t.l.cfg.Crash, Clone: func() map[uint64]uint64 { return t.l.cluster.Copy(shard) },
	})}
	t.shards[shard] = rs
	if p := t.l.server(shard); p != nil {
		p.place.Store(&dbPlace{shard: shard})
	}
	for range t.count {
		t.addReplicaLocked(rs)
	}
}

// addShard gives a shard just added its replication and replicas.
func (t *dataTier) addShard(shard string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.addShardLocked(shard)
	t.publishLocked()
}

// removeShard stops a shard just removed: its replication, its replicas,
// and a promoted replica serving as its primary.
func (t *dataTier) removeShard(shard string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.removeShardLocked(shard)
	t.publishLocked()
}

// removeShardLocked stops a removed shard's replication and its replicas.
func (t *dataTier) removeShardLocked(shard string) {
	rs := t.shards[shard]
	if rs == nil {
		return
	}
	t.lost += rs.set.Lost()
	rs.set.Stop()
	for _, m := range rs.members {
		t.l.removeServer(m)
	}
	if rs.primary != shard {
		t.l.removeServer(rs.primary)
	}
	delete(t.shards, shard)
	delete(t.fails, shard)
}

// addReplicaLocked starts the next replica of rs, holding a copy of the
// shard's data.
func (t *dataTier) addReplicaLocked(rs *replicated) {
	rs.next++
	name := fmt.Sprintf("%s-r%d", rs.shard, rs.next)
	for t.l.server(name) != nil { // an old primary rejoined under this name
		rs.next++
		name = fmt.Sprintf("%s-r%d", rs.shard, rs.next)
	}
	t.l.newDB(name)
	t.l.registerServer(name)
	if p := t.l.server(rs.primary); p != nil { // the same machine as its primary
		st, r := p.b.Stats(), t.l.server(name).b
		r.SetWorkers(st.Workers)
		r.SetQueueSize(st.QueueCap)
		r.SetService(st.Service)
	}
	t.join(rs, name)
}

// join makes server name a replica of rs, from a copy of the primary's data.
func (t *dataTier) join(rs *replicated, name string) {
	s := t.l.server(name)
	r, err := rs.set.Add(name, t.l.cluster.Copy(rs.shard), t.applier(s))
	if err != nil {
		return
	}
	s.place.Store(&dbPlace{shard: rs.shard, rep: r})
	rs.members = append(rs.members, name)
}

// applier is how a replica applies a write: a job on its server, paying its
// queue and service time, then the data changes. (No timeout: a slow
// replica falls behind, it does not skip writes.)
func (t *dataTier) applier(s *server) replica.ApplyFunc {
	return func(e replica.Entry, at time.Time, done func(time.Time, error)) {
		s.b.Submit(backend.Request{Arrive: at}, func(res backend.Result) {
			if res.Err == nil {
				s.writes.Inc()
			}
			done(res.End, res.Err)
		})
	}
}

// publishLocked rebuilds the request path's routes.
func (t *dataTier) publishLocked() {
	m := make(map[string]*route, len(t.shards))
	for name, rs := range t.shards {
		r := &route{primary: t.l.server(rs.primary), set: rs.set, rr: &rs.rr}
		for _, n := range rs.members {
			if s := t.l.server(n); s != nil {
				r.replicas = append(r.replicas, s)
			}
		}
		m[name] = r
	}
	t.routes.Store(&m)
}

// route is the shard's route, or nil.
func (t *dataTier) route(shard string) *route { return (*t.routes.Load())[shard] }

// setReplicas gives every shard n replicas (adding or removing the newest),
// replicating with lag, synchronously or not.
func (t *dataTier) setReplicas(n int, lag time.Duration, sync bool) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.count, t.lag, t.sync = n, lag, sync
	for _, rs := range t.shards {
		rs.set.Configure(lag, sync)
		for len(rs.members) < n {
			t.addReplicaLocked(rs)
		}
		for len(rs.members) > n {
			last := rs.members[len(rs.members)-1]
			rs.members = rs.members[:len(rs.members)-1]
			_ = rs.set.Remove(last)
			t.l.removeServer(last)
		}
	}
	t.publishLocked()
}

// readFrom picks the server a read of key, at lab time at, goes to.
func (t *dataTier) readFrom(r *route, key uint64, at time.Time) *server {
	mode := ReadRouting(t.reads.Load())
	if mode == ReadPrimary || len(r.replicas) == 0 {
		return r.primary
	}
	if mode == ReadSticky && at.UnixNano()-t.wrote[key].Load() < t.sticky.Load() {
		return r.primary // read your own writes
	}
	n := uint64(len(r.replicas))
	start := r.rr.Add(1)
	for i := range n {
		if s := r.replicas[(start+i)%n]; s.b.Health() != backend.Down {
			return s
		}
	}
	return r.primary
}

// wrote notes key's write, acknowledged at lab time at.
func (t *dataTier) noteWrite(key uint64, at time.Time) {
	ns := at.UnixNano()
	for {
		old := t.wrote[key].Load()
		if ns <= old || t.wrote[key].CompareAndSwap(old, ns) {
			return
		}
	}
}

// promote makes replica name its shard's primary (see replica.Set.Promote):
// the lost writes are rolled back on the shard's data, counted, and told.
func (t *dataTier) promote(name string, why string) error {
	t.mu.Lock()
	defer t.mu.Unlock()
	s := t.l.server(name)
	if s == nil || s.replica() == nil {
		return fmt.Errorf("promote: %q is not a replica%s", name, t.replicaListLocked())
	}
	rs := t.shards[s.shard()]
	if s.b.Health() == backend.Down {
		return fmt.Errorf("promote: %s is down; promote a live replica", name)
	}
	lost, data, err := rs.set.Promote(name, t.l.clock.Now())
	if err != nil {
		return fmt.Errorf("promote: %v", err)
	}
	for _, e := range lost { // the new primary never had them
		t.l.cluster.Put(e.Key, data[e.Key])
	}
	old := rs.primary
	rs.primary = name
	rs.failovers++
	rs.members = without(rs.members, name)
	s.place.Store(&dbPlace{shard: rs.shard})
	t.fails[rs.shard] = 0
	t.publishLocked()
	t.l.event(Event{Kind: KindState, Component: name, From: "replica", To: "primary",
		Detail: fmt.Sprintf("%s promoted for shard %s (%s); %d acknowledged write(s) lost", name, rs.shard, why, len(lost))})
	// The old primary rejoins as a replica when it is up (now, if it is).
	if o := t.l.server(old); o != nil && o.b.Health() != backend.Down {
		t.join(rs, old)
		t.publishLocked()
	} else if o != nil {
		o.place.Store(&dbPlace{shard: rs.shard})
	}
	return nil
}

// replicaListLocked lists the replicas, for an error message.
func (t *dataTier) replicaListLocked() string {
	var names []string
	for _, rs := range t.shards {
		names = append(names, rs.members...)
	}
	if len(names) == 0 {
		return " (there are no replicas: replicas N adds them)"
	}
	return "; replicas: " + joinSorted(names)
}

// health follows a database server's health: a replica that is down
// receives nothing until it is back; an old primary that comes back
// rejoins its shard as a replica.
func (t *dataTier) health(name string, to backend.Health) {
	t.mu.Lock()
	defer t.mu.Unlock()
	s := t.l.server(name)
	if s == nil {
		return
	}
	if rep := s.replica(); rep != nil {
		rep.SetUp(to != backend.Down)
		return
	}
	rs := t.shards[s.shard()]
	if rs != nil && rs.primary == name {
		if to == backend.Down {
			rs.set.PrimaryDown(t.l.clock.Now())
		} else {
			rs.set.PrimaryUp()
		}
		return
	}
	if rs != nil && rs.primary != name && to != backend.Down {
		t.join(rs, name)
		t.publishLocked()
		t.l.event(Event{Kind: KindState, Component: name, From: "down", To: "replica", Detail: "rejoined shard " + rs.shard + " as a replica of " + rs.primary})
	}
}

// watchPrimaries probes every shard's primary that has replicas, as the
// balancer's health checks probe web servers; with failover auto, a primary
// that fails `fails` probes in a row is replaced by its most up-to-date
// replica.
func (t *dataTier) watchPrimaries(h *healthChecker, c HealthConf, at time.Time) {
	if !t.auto.Load() {
		return
	}
	t.mu.Lock()
	var shards []string
	var primaries []*server
	for name, rs := range t.shards {
		if p := t.l.server(rs.primary); p != nil && len(rs.members) > 0 {
			shards, primaries = append(shards, name), append(primaries, p)
		}
	}
	t.mu.Unlock()
	for i, p := range primaries {
		h.probing.Add(1)
		t.l.Go(func() {
			defer h.probing.Done()
			good := h.probe(p, at, h.probeTimeout(c))
			t.judge(shards[i], good, c)
		})
	}
}

// judge counts a primary's probe and fails over after enough failures.
func (t *dataTier) judge(shard string, good bool, c HealthConf) {
	t.mu.Lock()
	if good {
		t.fails[shard] = 0
		t.mu.Unlock()
		return
	}
	t.fails[shard]++
	n := t.fails[shard]
	rs := t.shards[shard]
	t.mu.Unlock()
	if rs == nil || n < c.Fails || !t.auto.Load() {
		return
	}
	if best := rs.set.MostUpToDate(t.l.clock.Now()); best != "" {
		_ = t.promote(best, fmt.Sprintf("failover auto: %d probes of %s failed", n, rs.primary))
	}
}

// lostWrites is every acknowledged write failovers have lost.
func (t *dataTier) lostWrites() uint64 {
	t.mu.Lock()
	defer t.mu.Unlock()
	n := t.lost
	for _, rs := range t.shards {
		n += rs.set.Lost()
	}
	return n
}

// stop stops every shard's replication.
func (t *dataTier) stop() {
	t.mu.Lock()
	defer t.mu.Unlock()
	for _, rs := range t.shards {
		rs.set.Stop()
	}
}

func joinSorted(names []string) string {
	names = slices.Clone(names)
	slices.Sort(names)
	return strings.Join(names, ", ")
}

func without(names []string, name string) []string {
	out := names[:0:0]
	for _, n := range names {
		if n != name {
			out = append(out, n)
		}
	}
	return out
}
