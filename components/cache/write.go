package cache

import (
	"errors"
	"fmt"
	"strings"
)

// Mode is a write policy: what a write does to the cache and the database.
// The zero value is WriteInvalidate. (The mode is WriteBehind; the queue and
// flusher that carry it out are a BehindQueue.)
type Mode int

// Write policies, see Write.
const (
	WriteInvalidate Mode = iota // store, then delete the cached copy
	WriteThrough                // store, then set the cached copy
	WriteBehind                 // set the cached copy, store later from a queue
)

// String returns "invalidate", "write-through" or "write-behind", the names
// ParseMode accepts.
func (m Mode) String() string {
	switch m {
	case WriteInvalidate:
		return "invalidate"
	case WriteThrough:
		return "write-through"
	case WriteBehind:
		return "write-behind"
	}
	return fmt.Sprintf("Mode(%d)", int(m))
}

// ParseMode parses a write policy name, case-insensitively: "invalidate"
// (also "invalidate-on-write"), "write-through" (also "through") or
// "write-behind" (also "behind", "write-back").
func ParseMode(s string) (Mode, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "invalidate", "invalidate-on-write":
		return WriteInvalidate, nil
	case "write-through", "through":
		return WriteThrough, nil
	case "write-behind", "behind", "write-back":
		return WriteBehind, nil
	}
	return 0, fmt.Errorf("unknown write mode %q: want invalidate, write-through or write-behind", s)
}

var (
	errNoLoad   = errors.New("cache: read-aside needs a load function")
	errNoStore  = errors.New("cache: write needs a store function")
	errNoBehind = errors.New("cache: write-behind needs a BehindQueue")
)

// Write writes v under k with policy mode; store is the database write.
//
//   - WriteInvalidate: store(k, v), then Delete(k). The next read misses and
//     loads the new value. One store per write.
//   - WriteThrough: store(k, v), then Set(k, v). The next read hits. One
//     store per write, and the cache holds data nobody may read.
//   - WriteBehind: Set(k, v), then wb.Enqueue(k, v); wb stores it later.
//     Nothing waits for the database. If wb's queue is full the error is
//     ErrBehindFull and the write is in the cache but will never reach the
//     database.
//
// When store fails, the error is returned wrapped and the cached copy is
// deleted in both synchronous modes: the database may or may not hold the
// write, so the cached value can no longer be trusted. An unknown mode, or a
// nil store (or nil wb for WriteBehind), is an error that changes nothing.
func (c *Cache[K, V]) Write(mode Mode, k K, v V, store func(K, V) error, wb *BehindQueue[K, V]) error {
	switch mode {
	case WriteInvalidate, WriteThrough:
		if store == nil {
			return errNoStore
		}
		if err := store(k, v); err != nil {
			c.Delete(k)
			return fmt.Errorf("cache: %s: %w", mode, err)
		}
		if mode == WriteThrough {
			c.Set(k, v)
		} else {
			c.Delete(k)
		}
		return nil
	case WriteBehind:
		if wb == nil {
			return errNoBehind
		}
		c.Set(k, v)
		return wb.Enqueue(k, v)
	}
	return fmt.Errorf("cache: unknown write mode %d: want invalidate, write-through or write-behind", int(mode))
}
