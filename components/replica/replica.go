// Package replica is primary–replica replication for one shard: the
// primary takes every write and ships it, in order, to its read replicas,
// which apply it to their own copy of the data.
//
// Asynchronous replication (MySQL's and PostgreSQL's default) acknowledges
// a write as soon as the primary has it; the write reaches a replica Lag
// later and is applied after that, so a replica's data is behind its
// primary's and a read from it may be stale. Synchronous replication
// acknowledges a write only once every caught-up replica has applied it:
// no write is lost if the primary dies, and every write costs the slowest
// replica's time. When the primary dies the most up-to-date replica is
// promoted (as Orchestrator or Patroni would choose it); writes the primary
// had acknowledged but not yet shipped to it are lost, and counted.
//
// This is the seeds' master–replica redundancy, with the DatabaseRouter's
// read/write split built on it by the lab (see lab/replicas.go).
//
// Everything is in lab time: each entry carries the time the primary
// acknowledged it; a replica receives it at Ack+Lag (or when it comes back
// up, if it was down), and applies it through its own server, whose
// service time and queue the apply job pays like any other request. One
// goroutine per replica receives and applies entries in order, so a
// replica never applies out of order.
package replica

import (
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/scalelab/scalelab/components/clock"
	"github.com/scalelab/scalelab/components/crash"
)

// MaxBacklog bounds the entries kept for replicas that have not applied
// them. A replica further behind than that (one down for a long while)
// is rebuilt from a copy of the primary when it comes back, as a real
// replica is re-cloned when the primary's log has moved past it.
const MaxBacklog = 1 << 18

// Entry is one write in the replication stream.
type Entry struct {
	Seq          uint64    // 1, 2, … in the order the primary acknowledged them
	Key, Version uint64    // what was written
	Ack          time.Time // lab time the primary acknowledged it
	// Failed marks a synchronous write its client was told failed (the
	// primary died before its replicas had it): not lost, never acknowledged.
	Failed bool
}

// ApplyFunc starts the work of applying e on a replica's server, no
// earlier than lab time at, and calls done, once, with the lab time it
// finished, or an error (the server is down, or turned the job away: the
// entry is shipped again). It must not block: the replica ships the next
// entry while this one is applied, as a real replica's IO thread receives
// while its SQL thread applies.
type ApplyFunc func(e Entry, at time.Time, done func(end time.Time, err error))

// Settings configures a Set.
type Settings struct {
	Lag   time.Duration // shipping delay of asynchronous replication
	Sync  bool          // acknowledge a write only when every live replica has applied it
	Clock *clock.Clock  // default clock.New(1)
	Crash *crash.Scope  // where a panic on a replica's goroutine goes; nil: the process's handler
	// Clone copies the primary's data, for a replica too far behind the
	// log to catch up (see MaxBacklog). Without it, such a replica keeps
	// its data and skips to the log's start.
	Clone func() map[uint64]uint64
}

// Set is one shard's replication: the primary's stream of entries and
// its replicas. Safe for concurrent use.
type Set struct {
	clock *clock.Clock
	crash *crash.Scope
	clone func() map[uint64]uint64

	mu       sync.Mutex
	lag      time.Duration
	sync     bool
	log      []Entry // entries some replica has not applied yet; log[0].Seq == base
	base     uint64
	next     uint64 // the next write's Seq
	replicas []*Replica
	lost     uint64       // acknowledged writes lost in failovers
	downAt   time.Time    // when the primary died (zero while it is up): it ships nothing after
	downNs   atomic.Int64 // the same, for waiters holding a replica's lock (0: up)
	stopped  bool
	wg       sync.WaitGroup
}

// Replica is one read replica: its copy of the data and how far it is.
type Replica struct {
	Name  string
	set   *Set
	apply ApplyFunc

	mu        sync.Mutex
	changed   sync.Cond // an entry applied, the replica went down, or it stopped
	data      map[uint64]uint64
	received  uint64              // entries it has been shipped (Seq of the last)
	applied   uint64              // entries it has applied (Seq of the last)
	submitted uint64              // entries handed to its server to apply (Seq of the last)
	gen       uint64              // bumped when the entries in flight no longer count (an error, a cut)
	finished  map[uint64]finished // applied by the server, waiting for the ones before them
	retryAt   time.Time           // after an apply was turned away: ship again from then
	ends      [endsKept]time.Time // lab time entry Seq finished applying, at Seq % endsKept
	up        bool
	upAt      time.Time     // lab time it last came up
	wake      chan struct{} // closed (and replaced) when there is more to do
	stop      chan struct{}
	stopped   bool
}

// endsKept is how many recent apply end times a replica keeps, for the
// synchronous writers waiting on them.
const endsKept = 4096

// Errors.
var (
	ErrNoReplica = errors.New("no such replica")
	ErrStopped   = errors.New("replication is stopped")
)

// New starts an empty Set.
func New(s Settings) *Set {
	if s.Clock == nil {
		s.Clock = clock.New(1)
	}
	return &Set{clock: s.Clock, crash: s.Crash, clone: s.Clone, lag: max(s.Lag, 0), sync: s.Sync, next: 1, base: 1}
}

// Configure changes the lag and the mode for writes from now on.
func (s *Set) Configure(lag time.Duration, sync bool) {
	s.mu.Lock()
	s.lag, s.sync = max(lag, 0), sync
	rs := s.replicas
	s.mu.Unlock()
	for _, r := range rs {
		r.kick()
	}
}

// Mode reports the lag and whether replication is synchronous.
func (s *Set) Mode() (lag time.Duration, sync bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.lag, s.sync
}

// Add starts a replica holding a copy of data (the primary's, now), caught
// up with every write so far, and its goroutine. apply runs its apply jobs.
func (s *Set) Add(name string, data map[uint64]uint64, apply ApplyFunc) (*Replica, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.stopped {
		return nil, ErrStopped
	}
	for _, r := range s.replicas {
		if r.Name == name {
			return nil, fmt.Errorf("replica %q exists", name)
		}
	}
	r := &Replica{Name: name, set: s, apply: apply, data: data, received: s.next - 1, applied: s.next - 1, submitted: s.next - 1,
		finished: map[uint64]finished{}, up: true, upAt: s.clock.Now(), wake: make(chan struct{}), stop: make(chan struct{})}
	r.changed.L = &r.mu
	s.replicas = append(s.replicas, r)
	s.wg.Add(1)
	s.crash.Go(func() { defer s.wg.Done(); r.run() })
	return r, nil
}

// Remove stops the named replica and drops it.
func (s *Set) Remove(name string) error {
	s.mu.Lock()
	i := s.indexLocked(name)
	if i < 0 {
		s.mu.Unlock()
		return ErrNoReplica
	}
	r := s.replicas[i]
	s.replicas = append(s.replicas[:i:i], s.replicas[i+1:]...)
	s.trimLocked()
	s.mu.Unlock()
	r.halt()
	return nil
}

func (s *Set) indexLocked(name string) int {
	for i, r := range s.replicas {
		if r.Name == name {
			return i
		}
	}
	return -1
}

// Replicas returns the replicas, in the order they were added.
func (s *Set) Replicas() []*Replica {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]*Replica(nil), s.replicas...)
}

// Lost is how many acknowledged writes failovers have lost.
func (s *Set) Lost() uint64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.lost
}

// Write records a write the primary acknowledged at lab time ack. With
// synchronous replication it then waits until every live replica has
// applied it and returns the lab time the last of them finished: the time
// the write may be acknowledged to its client; ok is false if the primary
// died before shipping it (the client is told the write failed, and it is
// not counted as lost). Asynchronous, it returns ack, and the replicas get
// the write Lag later.
func (s *Set) Write(key, version uint64, ack time.Time) (end time.Time, ok bool) {
	s.mu.Lock()
	e := Entry{Seq: s.next, Key: key, Version: version, Ack: ack}
	s.next++
	if len(s.replicas) == 0 { // nobody to ship it to
		s.base = s.next
		s.mu.Unlock()
		return ack, true
	}
	s.log = append(s.log, e)
	if len(s.log) > MaxBacklog { // a replica that far behind is re-cloned (see MaxBacklog)
		s.log = s.log[len(s.log)-MaxBacklog:]
		s.base = s.log[0].Seq
	}
	sync, rs := s.sync, s.replicas
	s.mu.Unlock()
	for _, r := range rs {
		r.kick()
	}
	if !sync {
		return ack, true
	}
	end = ack
	for _, r := range rs {
		if t, applied := r.waitApplied(e.Seq, ack); applied {
			end = later(end, t)
		} else if s.diedBefore(ack) {
			s.mu.Lock()
			if e.Seq >= s.base && e.Seq < s.base+uint64(len(s.log)) {
				s.log[e.Seq-s.base].Failed = true
			}
			s.mu.Unlock()
			return ack, false
		}
	}
	return end, true
}

// diedBefore reports whether the primary died before lab time t.
func (s *Set) diedBefore(t time.Time) bool {
	ns := s.downNs.Load()
	return ns != 0 && ns < t.UnixNano()
}

// entryLocked returns the entry with sequence seq, if the log still has it.
func (s *Set) entryLocked(seq uint64) (Entry, bool) {
	if seq < s.base || seq >= s.base+uint64(len(s.log)) {
		return Entry{}, false
	}
	return s.log[seq-s.base], true
}

// trimLocked drops the entries every replica has applied.
func (s *Set) trimLocked() {
	low := s.next - 1
	for _, r := range s.replicas {
		r.mu.Lock()
		low = min(low, r.applied)
		r.mu.Unlock()
	}
	if low >= s.base {
		n := int(min(low-s.base+1, uint64(len(s.log))))
		s.log = append(s.log[:0], s.log[n:]...)
		s.base += uint64(n)
	}
}

// Promote makes the named replica the new primary: the caller's shard now
// reads and writes there. Writes the old primary acknowledged that this
// replica had not been shipped by lab time at are lost: their keys and the
// versions the replica has for them are returned so the caller can roll its
// primary copy back, and they are counted in Lost. Entries it had received
// but not applied are applied first (a promoted replica drains its relay
// log). The replica leaves the set; the others replicate from it.
func (s *Set) Promote(name string, at time.Time) (lost []Entry, data map[uint64]uint64, err error) {
	s.mu.Lock()
	i := s.indexLocked(name)
	if i < 0 {
		s.mu.Unlock()
		return nil, nil, ErrNoReplica
	}
	r := s.replicas[i]
	r.mu.Lock()
	received := r.receivedBy(at)
	for seq := r.applied + 1; seq <= received; seq++ {
		if e, ok := s.entryLocked(seq); ok && e.Version >= r.data[e.Key] {
			r.data[e.Key] = e.Version
		}
	}
	r.applied, r.received, r.submitted = received, received, received
	r.gen++
	data = r.data
	r.mu.Unlock()
	for seq := received + 1; seq < s.next; seq++ {
		if e, ok := s.entryLocked(seq); ok && !e.Failed {
			lost = append(lost, e)
		}
	}
	s.lost += uint64(len(lost))
	// The stream goes on from the new primary: the lost entries never
	// happened. Replicas ahead of it (none, if it was chosen as the most
	// up to date) are cut back to it.
	s.next = received + 1
	if n := int(s.next - s.base); n >= 0 && n <= len(s.log) {
		s.log = s.log[:n]
	}
	s.replicas = append(s.replicas[:i:i], s.replicas[i+1:]...)
	s.downAt = time.Time{} // the new primary is up
	s.downNs.Store(0)
	for _, o := range s.replicas {
		o.mu.Lock()
		o.received, o.applied = min(o.received, received), min(o.applied, received)
		if o.submitted > o.applied { // what is in flight past the cut never happened
			o.submitted = o.applied
			o.gen++
			clear(o.finished)
		}
		o.mu.Unlock()
		o.kick()
	}
	s.trimLocked()
	s.mu.Unlock()
	r.halt()
	return lost, data, nil
}

// PrimaryDown notes that the primary died at lab time at: what it had not
// shipped by then it never will.
func (s *Set) PrimaryDown(at time.Time) {
	s.mu.Lock()
	if s.downAt.IsZero() {
		s.downAt = at
		s.downNs.Store(at.UnixNano())
	}
	rs := s.replicas
	s.mu.Unlock()
	for _, r := range rs {
		r.mu.Lock()
		r.changed.Broadcast() // synchronous writers waiting on it look again
		r.mu.Unlock()
		r.kick()
	}
}

// PrimaryUp notes that the primary is back (before a promotion): it ships
// the rest.
func (s *Set) PrimaryUp() {
	s.mu.Lock()
	s.downAt = time.Time{}
	s.downNs.Store(0)
	rs := s.replicas
	s.mu.Unlock()
	for _, r := range rs {
		r.kick()
	}
}

// MostUpToDate names the live replica that had been shipped the most
// writes by lab time at (ties to the first added), or "".
func (s *Set) MostUpToDate(at time.Time) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	best, most := "", uint64(0)
	for _, r := range s.replicas {
		r.mu.Lock()
		got, up := r.receivedBy(at), r.up
		r.mu.Unlock()
		if up && (best == "" || got > most) {
			best, most = r.Name, got
		}
	}
	return best
}

// Stop stops every replica's goroutine and waits for them.
func (s *Set) Stop() {
	s.mu.Lock()
	if s.stopped {
		s.mu.Unlock()
		return
	}
	s.stopped = true
	rs := s.replicas
	s.mu.Unlock()
	for _, r := range rs {
		r.halt()
	}
	s.wg.Wait()
}

func later(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}
