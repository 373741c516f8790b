package cache

import (
	"errors"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/scalelab/scalelab/components/clock"
)

func TestModeStringParse(t *testing.T) {
	for _, m := range []Mode{WriteInvalidate, WriteThrough, WriteBehind} {
		got, err := ParseMode(m.String())
		if err != nil || got != m {
			t.Errorf("ParseMode(%q) = %v, %v", m.String(), got, err)
		}
	}
	for in, want := range map[string]Mode{"Write-Back": WriteBehind, " through ": WriteThrough, "invalidate-on-write": WriteInvalidate} {
		if got, err := ParseMode(in); err != nil || got != want {
			t.Errorf("ParseMode(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
	if _, err := ParseMode("write-around"); err == nil || err.Error() != `unknown write mode "write-around": want invalidate, write-through or write-behind` {
		t.Errorf("ParseMode(write-around) error = %v", err)
	}
	if Mode(7).String() != "Mode(7)" || Mode(0) != WriteInvalidate {
		t.Error("Mode(7) String or zero value wrong")
	}
}

func TestWriteModes(t *testing.T) {
	boom := errors.New("db down")
	for _, tc := range []struct {
		name       string
		mode       Mode
		storeErr   error
		wantErr    error
		wantCached string // "" = not cached
		wantStored string // value in the store right after Write ("" = none)
		wantInval  uint64
	}{
		{"invalidate", WriteInvalidate, nil, nil, "", "new", 1},
		{"write-through", WriteThrough, nil, nil, "new", "new", 0},
		{"write-behind", WriteBehind, nil, nil, "new", "", 0},
		{"invalidate store fails", WriteInvalidate, boom, boom, "", "", 1},
		{"write-through store fails", WriteThrough, boom, boom, "", "", 1},
		{"unknown mode", Mode(9), nil, errAny, "old", "", 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				c := New[string, string](Settings{})
				c.Set("k", "old")
				db := &lockedMap{m: map[string]string{}}
				store := func(k, v string) error {
					if tc.storeErr != nil {
						return tc.storeErr
					}
					db.set(k, v)
					return nil
				}
				wb := NewWriteBehind(BehindSettings{Delay: time.Second, Clock: clock.New(1)}, store)
				defer wb.Stop()
				err := c.Write(tc.mode, "k", "new", store, wb)
				if tc.wantErr == errAny {
					if err == nil {
						t.Fatal("want an error")
					}
				} else if !errors.Is(err, tc.wantErr) {
					t.Fatalf("Write error %v, want %v", err, tc.wantErr)
				}
				v, _ := c.lru.Peek("k")
				if v != tc.wantCached {
					t.Fatalf("cached %q, want %q", v, tc.wantCached)
				}
				synctest.Wait()
				if db.get("k") != tc.wantStored {
					t.Fatalf("stored %q, want %q", db.get("k"), tc.wantStored)
				}
				if got := c.Stats().Invalidations; got != tc.wantInval {
					t.Fatalf("invalidations %d, want %d", got, tc.wantInval)
				}
				if tc.mode == WriteBehind {
					time.Sleep(time.Second)
					synctest.Wait()
					if db.get("k") != "new" {
						t.Fatalf("after the delay the store holds %q, want new", db.get("k"))
					}
				}
			})
		})
	}
}

var errAny = errors.New("any error")

// lockedMap is a store the flusher writes and the test reads. Fake time
// orders them, but the race detector needs a real happens-before edge.
type lockedMap struct {
	mu sync.Mutex
	m  map[string]string
}

func (l *lockedMap) set(k, v string) { l.mu.Lock(); l.m[k] = v; l.mu.Unlock() }
func (l *lockedMap) get(k string) string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.m[k]
}

func TestWriteMissingParts(t *testing.T) {
	c := New[int, int](Settings{})
	if err := c.Write(WriteThrough, 1, 1, nil, nil); err == nil {
		t.Error("write-through with nil store: want an error")
	}
	if err := c.Write(WriteBehind, 1, 1, nil, nil); err == nil {
		t.Error("write-behind with nil queue: want an error")
	}
	if c.Stats().Size != 0 {
		t.Error("a refused write changed the cache")
	}
}

func TestWriteBehindQueueFullKeepsCache(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		c := New[int, int](Settings{})
		wb := NewWriteBehind(BehindSettings{Delay: time.Hour, QueueSize: 1}, func(int, int) error { return nil })
		defer wb.Stop()
		if err := c.Write(WriteBehind, 1, 1, nil, wb); err != nil {
			t.Fatal(err)
		}
		if err := c.Write(WriteBehind, 2, 2, nil, wb); !errors.Is(err, ErrBehindFull) {
			t.Fatalf("second write: %v, want ErrBehindFull", err)
		}
		if v, ok := c.Get(2); !ok || v != 2 {
			t.Fatal("a write refused by a full queue must still be in the cache")
		}
	})
}

func FuzzParseMode(f *testing.F) {
	for _, s := range []string{"invalidate", "write-through", "write-behind", "Write-Back", "", "x"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		m, err := ParseMode(s)
		if err != nil {
			return
		}
		if back, err := ParseMode(m.String()); err != nil || back != m {
			t.Fatalf("ParseMode(%q) = %v, which does not round-trip", s, m)
		}
	})
}
