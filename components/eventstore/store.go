package eventstore

import "container/list"

// DefaultMaxEvents is the events a Store holds in all unless told
// otherwise: 16 MB of events.
const DefaultMaxEvents = 1_000_000

// Settings configure a Store. The zero value takes no snapshots and holds
// DefaultMaxEvents.
type Settings struct {
	// SnapshotEvery: an append that leaves this many events or more after
	// an order's newest snapshot takes a new one. 0 takes none.
	SnapshotEvery int
	// MaxEvents is the most events held in all; past it whole orders are
	// archived, least recently appended to first (see the package doc).
	// 0 means DefaultMaxEvents.
	MaxEvents int
}

// Store holds orders as streams of events, each behind its newest
// snapshot. It is not safe for concurrent use.
//
//	Load(id):        start from the newest snapshot, apply each event after it.
//	Append(id, e…):  add events at the end; once SnapshotEvery have gathered,
//	                 fold them into a new snapshot and drop them.
//
// Cost: Load is O(events after the snapshot); Append is O(events given),
// plus O(SnapshotEvery) when it snapshots (amortised O(1) per event); both
// are one map lookup besides. Archiving is O(1) per order archived.
type Store struct {
	every, max int
	streams    map[uint64]*stream
	lru        *list.List // of *stream: least recently appended to at the front
	longest    *stream    // the stream with the highest version
	kept       int        // events held
	history    uint64     // sum of the held streams' versions
	st         Stats
}

// stream is one order: its newest snapshot and the events after it.
type stream struct {
	snap   Order   // the newest snapshot; Version 0 when none was taken
	events []Event // after snap, oldest first
	elem   *list.Element
}

func (s *stream) version() uint64 { return s.snap.Version + uint64(len(s.events)) }

// New returns an empty store.
func New(cfg Settings) *Store {
	if cfg.MaxEvents <= 0 {
		cfg.MaxEvents = DefaultMaxEvents
	}
	return &Store{every: max(cfg.SnapshotEvery, 0), max: cfg.MaxEvents, streams: map[uint64]*stream{}, lru: list.New()}
}

// Rebuild says what a Load did.
type Rebuild struct {
	From     uint64 // the version of the snapshot it started from; 0 for the first event
	Replayed int    // events it applied after the snapshot
}

// Load rebuilds order id: its newest snapshot, then every event after it
// applied in order. An order with no events is the empty Order with its
// ID. Cost: O(Replayed).
func (s *Store) Load(id uint64) (Order, Rebuild) {
	s.st.Rebuilds++
	st := s.streams[id]
	if st == nil {
		return Order{ID: id}, Rebuild{}
	}
	s.st.Replayed += uint64(len(st.events))
	return Replay(st.snap, st.events), Rebuild{From: st.snap.Version, Replayed: len(st.events)}
}

// Tail returns what a rebuild of id reads: its newest snapshot and a copy
// of the events after it. It changes nothing and counts no rebuild.
func (s *Store) Tail(id uint64) (Order, []Event) {
	st := s.streams[id]
	if st == nil {
		return Order{ID: id}, nil
	}
	return st.snap, append([]Event(nil), st.events...)
}

// Appended says what an Append did.
type Appended struct {
	Version  uint64 // the order's version after it
	Snapshot bool   // it took a snapshot of the order
	Archived int    // orders it archived to stay within MaxEvents
}

// Append adds events to the end of order id's stream, starting the order
// if it has none, and takes a snapshot if that leaves SnapshotEvery events
// or more after the newest one. Then, if the store holds more than
// MaxEvents, it archives the orders appended to least recently (or, when
// this order alone holds too many, snapshots it).
func (s *Store) Append(id uint64, events ...Event) Appended {
	st := s.streams[id]
	if st == nil {
		st = &stream{snap: Order{ID: id}}
		st.elem = s.lru.PushBack(st)
		s.streams[id] = st
	} else {
		s.lru.MoveToBack(st.elem)
	}
	st.events = append(st.events, events...)
	n := len(events)
	s.st.Appended += uint64(n)
	s.kept += n
	s.history += uint64(n)
	var a Appended
	if s.every > 0 && len(st.events) >= s.every {
		s.snapshot(st)
		a.Snapshot = true
	}
	if s.longest == nil || st.version() > s.longest.version() {
		s.longest = st
	}
	for s.kept > s.max {
		if oldest := s.lru.Front().Value.(*stream); oldest != st {
			s.archive(oldest)
			a.Archived++
			continue
		}
		s.snapshot(st) // alone over the cap
		a.Snapshot = true
	}
	a.Version = st.version()
	return a
}

// snapshot folds st's events into its snapshot and drops them.
func (s *Store) snapshot(st *stream) {
	st.snap = Replay(st.snap, st.events)
	s.kept -= len(st.events)
	s.st.Snapshots++
	if cap(st.events) > 2*max(s.every, 16) {
		st.events = nil // a long run without snapshots: give its memory back
	} else {
		st.events = st.events[:0]
	}
}

// archive drops st and everything it held.
func (s *Store) archive(st *stream) {
	s.lru.Remove(st.elem)
	delete(s.streams, st.snap.ID)
	s.kept -= len(st.events)
	s.history -= st.version()
	s.st.Archived++
	if s.longest == st {
		s.longest = nil
		for _, o := range s.streams { // rare: the longest is usually appended to often
			if s.longest == nil || o.version() > s.longest.version() {
				s.longest = o
			}
		}
	}
}

// SetSnapshotEvery changes the snapshot interval (0: no more snapshots).
// Each order follows it from its next append; snapshots already taken stay.
func (s *Store) SetSnapshotEvery(n int) { s.every = max(n, 0) }

// Stream describes one order's stream.
type Stream struct {
	ID       uint64
	Version  uint64 // events in its history
	Snapshot uint64 // the version of its newest snapshot; 0 when none
	Kept     int    // events held after the snapshot: what a rebuild replays
}

// Stats is the store at a moment, as a plain value.
type Stats struct {
	SnapshotEvery int // as set; 0 for none
	MaxEvents     int
	Orders        int    // orders held
	Kept          int    // events held: those after each order's newest snapshot
	History       uint64 // events in the held orders' histories, compacted or not
	Longest       Stream // the held order with the longest history (zero when none)

	// Since the store was made.
	Appended  uint64 // events appended
	Snapshots uint64 // snapshots taken
	Archived  uint64 // orders archived to stay within MaxEvents
	Rebuilds  uint64 // Loads
	Replayed  uint64 // events those Loads applied
}

// Stats returns the store's counts. Cost: O(1).
func (s *Store) Stats() Stats {
	st := s.st
	st.SnapshotEvery, st.MaxEvents = s.every, s.max
	st.Orders, st.Kept, st.History = len(s.streams), s.kept, s.history
	if l := s.longest; l != nil {
		st.Longest = Stream{ID: l.snap.ID, Version: l.version(), Snapshot: l.snap.Version, Kept: len(l.events)}
	}
	return st
}
