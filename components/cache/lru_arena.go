package cache

import "time"

// arenaLRU is LRU (lru.go) rewritten so that a full cache allocates nothing:
// the same policy, the same methods, the same results — TestArenaMatchesLRU
// runs both on one random tape and compares every answer. Read lru.go to
// learn the algorithm; read this file to see what it costs to make it fast,
// and BenchmarkLRU to see what that buys.
//
// Layout. Entries live in one slice (an arena) and are linked into a doubly
// linked recency list by slice index instead of by pointer; slot 0 is the
// list's root, so root.next is the most recently used entry and root.prev the
// least. A map finds a key's slot. Every operation is O(1): a map lookup plus
// a few index writes. When the cache is full, Add overwrites the oldest slot
// in place, and a removed slot goes on a free list for the next Add, so
// nothing is allocated per Add once the arena has grown (LRU allocates a list
// element and an entry for every new key). The map holds int32 indexes, not
// pointers, and the slots hold no pointers of their own, so for pointer-free
// keys and values the garbage collector has nothing to trace. Shrinking with
// Resize compacts the arena, so it costs O(Len).
//
// Expiry is stored as Unix nanoseconds (0 = never) to keep a slot small, so
// the arena compares wall-clock times where LRU compares time.Time values
// (which use the monotonic clock reading when both carry one).
type arenaLRU[K comparable, V any] struct {
	items   map[K]int32
	slots   []arenaSlot[K, V] // slots[0] is the root of the recency list
	free    int32             // first free slot, chained through next; 0 = none
	size    int               // live entries
	cap     int
	onEvict func(K, V)
}

type arenaSlot[K comparable, V any] struct {
	key        K
	val        V
	expires    int64 // lab time in Unix nanoseconds; 0 = never
	prev, next int32
}

// newArenaLRU is NewLRU for the arena version.
func newArenaLRU[K comparable, V any](capacity int, onEvict func(K, V)) *arenaLRU[K, V] {
	l := &arenaLRU[K, V]{}
	l.init(capacity, onEvict)
	return l
}

func (l *arenaLRU[K, V]) init(capacity int, onEvict func(K, V)) {
	l.cap = clampCap(capacity)
	l.items = make(map[K]int32, min(l.cap, 4096))
	l.slots = make([]arenaSlot[K, V], 1, min(l.cap, 4096)+1)
	l.onEvict = onEvict
}

// Get returns the value for k and marks it most recently used. It ignores
// expiry; see GetAt.
func (l *arenaLRU[K, V]) Get(k K) (V, bool) {
	i, ok := l.items[k]
	if !ok {
		var zero V
		return zero, false
	}
	l.moveToFront(i)
	return l.slots[i].val, true
}

// GetAt is Get for an LRU whose entries expire: an entry whose expiry is at
// or before now is removed (onEvict sees it) and reported as expired, not ok.
func (l *arenaLRU[K, V]) GetAt(k K, now time.Time) (v V, ok, expired bool) {
	return l.get(k, now, nil)
}

// get is GetAt that, when now is the zero time, reads clock only if the entry
// found has an expiry, so a cache without TTL never pays for a clock read.
func (l *arenaLRU[K, V]) get(k K, now time.Time, clock func() time.Time) (v V, ok, expired bool) {
	i, found := l.items[k]
	if !found {
		return v, false, false
	}
	if e := l.slots[i].expires; e != 0 {
		if now.IsZero() && clock != nil {
			now = clock()
		}
		if now.UnixNano() >= e {
			l.removeSlot(i)
			return v, false, true
		}
	}
	l.moveToFront(i)
	return l.slots[i].val, true, false
}

// Peek returns the value for k without marking it used: looking must not
// change what gets evicted next. It ignores expiry.
func (l *arenaLRU[K, V]) Peek(k K) (V, bool) {
	i, ok := l.items[k]
	if !ok {
		var zero V
		return zero, false
	}
	return l.slots[i].val, true
}

// Add sets k to v, marks it most recently used and reports whether the least
// recently used entry was evicted to make room. expires is when the entry
// stops being served by GetAt; the zero time means never. Updating a key that
// is present never evicts.
func (l *arenaLRU[K, V]) Add(k K, v V, expires time.Time) (evicted bool) {
	var exp int64
	if !expires.IsZero() {
		exp = expires.UnixNano()
	}
	if i, ok := l.items[k]; ok {
		s := &l.slots[i]
		s.val, s.expires = v, exp
		l.moveToFront(i)
		return false
	}
	var i int32
	var old arenaSlot[K, V]
	switch {
	case l.size >= l.cap: // full: reuse the oldest slot in place
		i = l.slots[0].prev
		old = l.slots[i]
		delete(l.items, old.key)
		l.unlink(i)
		l.size--
		evicted = true
	case l.free != 0:
		i = l.free
		l.free = l.slots[i].next
	default:
		i = int32(len(l.slots))
		l.slots = append(l.slots, arenaSlot[K, V]{})
	}
	l.slots[i] = arenaSlot[K, V]{key: k, val: v, expires: exp}
	l.pushFront(i)
	l.items[k] = i
	l.size++
	if evicted && l.onEvict != nil {
		l.onEvict(old.key, old.val)
	}
	return evicted
}

// Remove deletes k and reports whether it was present.
func (l *arenaLRU[K, V]) Remove(k K) bool {
	i, ok := l.items[k]
	if ok {
		l.removeSlot(i)
	}
	return ok
}

// Oldest returns the least recently used entry — the next to be evicted —
// without marking it used.
func (l *arenaLRU[K, V]) Oldest() (k K, v V, ok bool) {
	if l.size == 0 {
		return k, v, false
	}
	s := &l.slots[l.slots[0].prev]
	return s.key, s.val, true
}

// Len returns the number of entries, expired ones included until touched.
func (l *arenaLRU[K, V]) Len() int { return l.size }

// Cap returns the capacity.
func (l *arenaLRU[K, V]) Cap() int { return l.cap }

// Resize changes the capacity (clamped like NewLRU) and returns how many of
// the least recently used entries were evicted to fit. Shrinking also
// compacts the arena, so it costs O(Len).
func (l *arenaLRU[K, V]) Resize(n int) (evicted int) {
	l.cap = clampCap(n)
	for l.size > l.cap {
		l.removeSlot(l.slots[0].prev)
		evicted++
	}
	if len(l.slots)-1 > l.cap { // hand back memory the new capacity cannot use
		l.compact()
	}
	return evicted
}

// Purge removes every entry (onEvict sees each), leaving a cold cache.
func (l *arenaLRU[K, V]) Purge() {
	if l.onEvict != nil {
		for i := l.slots[0].next; i != 0; i = l.slots[i].next {
			l.onEvict(l.slots[i].key, l.slots[i].val)
		}
	}
	l.reset()
}

// reset empties the LRU without callbacks.
func (l *arenaLRU[K, V]) reset() {
	clear(l.items)
	clear(l.slots) // drop references so the GC can reclaim values
	l.slots = l.slots[:1]
	l.free, l.size = 0, 0
}

// compact rebuilds the arena with just the live entries, oldest last.
func (l *arenaLRU[K, V]) compact() {
	slots := make([]arenaSlot[K, V], 1, l.size+1)
	for i := l.slots[0].next; i != 0; i = l.slots[i].next {
		s := l.slots[i]
		n := int32(len(slots))
		s.prev, s.next = n-1, n+1
		slots = append(slots, s)
		l.items[s.key] = n
	}
	last := int32(len(slots) - 1)
	slots[0].next, slots[0].prev = min(1, last), last
	if last > 0 {
		slots[last].next = 0
	}
	l.slots, l.free = slots, 0
}

func (l *arenaLRU[K, V]) removeSlot(i int32) {
	s := l.slots[i]
	delete(l.items, s.key)
	l.unlink(i)
	l.slots[i] = arenaSlot[K, V]{next: l.free}
	l.free = i
	l.size--
	if l.onEvict != nil {
		l.onEvict(s.key, s.val)
	}
}

func (l *arenaLRU[K, V]) unlink(i int32) {
	s := l.slots
	e := &s[i]
	s[e.prev].next = e.next
	s[e.next].prev = e.prev
}

func (l *arenaLRU[K, V]) pushFront(i int32) {
	s := l.slots
	root, e := &s[0], &s[i]
	e.prev, e.next = 0, root.next
	s[root.next].prev = i
	root.next = i
}

// moveToFront is unlink then pushFront, written out: it runs on every hit.
func (l *arenaLRU[K, V]) moveToFront(i int32) {
	s := l.slots
	root, e := &s[0], &s[i]
	if root.next == i {
		return
	}
	s[e.prev].next = e.next
	s[e.next].prev = e.prev
	e.prev, e.next = 0, root.next
	s[root.next].prev = i
	root.next = i
}
