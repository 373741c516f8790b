package cache

import (
	"container/list"
	"time"
)

// MaxCapacity is the largest capacity an LRU accepts; larger values are
// clamped to it. The plain LRU has no such limit of its own: the bound comes
// from the arena version (lru_arena.go), which numbers its slots with int32,
// and both keep it so that they behave the same.
const MaxCapacity = 1 << 30

// LRU is a fixed-capacity least-recently-used map: when it is full, adding a
// new key evicts the key that has gone unused the longest. It is the eviction
// policy of golang/groupcache's lru package and hashicorp/golang-lru, and
// this file follows groupcache's lru.go: a map to find an entry, and a
// doubly linked list (container/list) that keeps the entries in the order
// they were last used, most recent at the front.
//
//	Get(k):  look k up in the map, move its element to the front.
//	Add(k):  put a new element at the front; if that makes one too many,
//	         drop the element at the back and delete its key from the map.
//
// Cost: every operation is O(1) — a map lookup and a few pointer writes. Each
// key costs one list element, one entry and one map slot; adding a new key
// allocates the element and the entry (lru_arena.go is the same algorithm
// without those allocations, at some cost to reading it).
//
// LRU is not safe for concurrent use: it is the bare algorithm, and Cache
// wraps it with a mutex, as hashicorp/golang-lru wraps its simplelru.
//
// Expiry. Each entry carries an optional expiry time, but the LRU has no
// clock: Get and Peek return an entry even after it has expired. GetAt takes
// the current time and treats an expired entry as gone. Cache does this for
// you with its TTL.
type LRU[K comparable, V any] struct {
	ll      *list.List          // of *entry; Front is most recent, Back is next to go
	items   map[K]*list.Element // key → its element in ll
	cap     int
	onEvict func(K, V)
}

// entry is what each list element holds.
type entry[K comparable, V any] struct {
	key     K // kept so that evicting the back element can delete it from items
	val     V
	expires time.Time // zero: never
}

// NewLRU returns an empty LRU holding at most capacity entries (clamped to
// [1, MaxCapacity]). onEvict, if not nil, is called with every entry that
// leaves the cache — evicted to make room, removed, expired or purged — while
// the caller still holds whatever lock guards the LRU, as in groupcache.
func NewLRU[K comparable, V any](capacity int, onEvict func(K, V)) *LRU[K, V] {
	l := &LRU[K, V]{}
	l.init(capacity, onEvict)
	return l
}

func (l *LRU[K, V]) init(capacity int, onEvict func(K, V)) {
	l.ll = list.New()
	l.items = make(map[K]*list.Element)
	l.cap = clampCap(capacity)
	l.onEvict = onEvict
}

func clampCap(n int) int { return min(max(n, 1), MaxCapacity) }

// Get returns the value for k and marks it most recently used. It ignores
// expiry; see GetAt.
func (l *LRU[K, V]) Get(k K) (v V, ok bool) {
	e, ok := l.items[k]
	if !ok {
		return v, false
	}
	l.ll.MoveToFront(e)
	return e.Value.(*entry[K, V]).val, true
}

// GetAt is Get for an LRU whose entries expire: an entry whose expiry is at
// or before now is removed (onEvict sees it) and reported as expired, not ok.
func (l *LRU[K, V]) GetAt(k K, now time.Time) (v V, ok, expired bool) {
	return l.get(k, now, nil)
}

// get is GetAt that, when now is the zero time, reads clock only if the entry
// found has an expiry, so a cache without TTL never pays for a clock read.
func (l *LRU[K, V]) get(k K, now time.Time, clock func() time.Time) (v V, ok, expired bool) {
	e, found := l.items[k]
	if !found {
		return v, false, false
	}
	ent := e.Value.(*entry[K, V])
	if !ent.expires.IsZero() {
		if now.IsZero() && clock != nil {
			now = clock()
		}
		if !now.Before(ent.expires) {
			l.removeElement(e)
			return v, false, true
		}
	}
	l.ll.MoveToFront(e)
	return ent.val, true, false
}

// Peek returns the value for k without marking it used: looking must not
// change what gets evicted next. It ignores expiry.
func (l *LRU[K, V]) Peek(k K) (v V, ok bool) {
	if e, ok := l.items[k]; ok {
		return e.Value.(*entry[K, V]).val, true
	}
	return v, false
}

// Add sets k to v, marks it most recently used and reports whether the least
// recently used entry was evicted to make room. expires is when the entry
// stops being served by GetAt; the zero time means never. Updating a key that
// is present never evicts.
func (l *LRU[K, V]) Add(k K, v V, expires time.Time) (evicted bool) {
	if e, ok := l.items[k]; ok {
		ent := e.Value.(*entry[K, V])
		ent.val, ent.expires = v, expires
		l.ll.MoveToFront(e)
		return false
	}
	l.items[k] = l.ll.PushFront(&entry[K, V]{key: k, val: v, expires: expires})
	if l.ll.Len() > l.cap {
		l.removeElement(l.ll.Back())
		return true
	}
	return false
}

// Remove deletes k and reports whether it was present.
func (l *LRU[K, V]) Remove(k K) bool {
	e, ok := l.items[k]
	if ok {
		l.removeElement(e)
	}
	return ok
}

// Oldest returns the least recently used entry — the next to be evicted —
// without marking it used.
func (l *LRU[K, V]) Oldest() (k K, v V, ok bool) {
	e := l.ll.Back()
	if e == nil {
		return k, v, false
	}
	ent := e.Value.(*entry[K, V])
	return ent.key, ent.val, true
}

// Len returns the number of entries, expired ones included until touched.
func (l *LRU[K, V]) Len() int { return l.ll.Len() }

// Cap returns the capacity.
func (l *LRU[K, V]) Cap() int { return l.cap }

// Resize changes the capacity (clamped like NewLRU) and returns how many of
// the least recently used entries were evicted to fit: O(1) per eviction.
func (l *LRU[K, V]) Resize(n int) (evicted int) {
	l.cap = clampCap(n)
	for l.ll.Len() > l.cap {
		l.removeElement(l.ll.Back())
		evicted++
	}
	return evicted
}

// Purge removes every entry (onEvict sees each, most recent first), leaving
// a cold cache.
func (l *LRU[K, V]) Purge() {
	if l.onEvict != nil {
		for e := l.ll.Front(); e != nil; e = e.Next() {
			ent := e.Value.(*entry[K, V])
			l.onEvict(ent.key, ent.val)
		}
	}
	l.reset()
}

// reset empties the LRU without callbacks.
func (l *LRU[K, V]) reset() {
	l.ll.Init()
	clear(l.items)
}

// removeElement unlinks e, forgets its key and tells onEvict.
func (l *LRU[K, V]) removeElement(e *list.Element) {
	ent := l.ll.Remove(e).(*entry[K, V])
	delete(l.items, ent.key)
	if l.onEvict != nil {
		l.onEvict(ent.key, ent.val)
	}
}
