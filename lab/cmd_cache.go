package lab

import (
	"fmt"
	"strings"
	"time"

	"github.com/scalelab/scalelab/components/cache"
	"github.com/scalelab/scalelab/lab/args"
)

var cacheCommand = command("cache", func() action { return &cacheAction{} },
	"resize the LRU cache, set its TTL, choose its write policy, empty it (a cold cache), or take it out of the path (off) and put it back, empty (on)",
	"cache size 1000 ttl=30s")

// cacheModes are the write policies, by the names cache.ParseMode reads.
var cacheModes = []string{cache.WriteInvalidate.String(), cache.WriteThrough.String(), cache.WriteBehind.String()}

type cacheAction struct {
	resize, retime, remode, clear bool // which form the line took
	off, on                       bool
	size                          int
	ttl                           args.Opt[time.Duration] // cache size N ttl=D, or cache ttl D
	mode                          cache.Mode
	delay                         args.Opt[time.Duration]
}

func (a *cacheAction) declare(s *args.Set) {
	size := s.Or("size", &a.resize)
	size.IntArg("N", 1, MaxCacheSize, &a.size)
	size.Duration("ttl", 0, 24*time.Hour, &a.ttl)
	s.Or("ttl", &a.retime).DurationArg("D", 0, 24*time.Hour, &a.ttl.V)
	mode := s.Or("mode", &a.remode)
	mode.FuncArg(strings.Join(cacheModes, "|"), cacheModes, func(v string) (err error) {
		a.mode, err = cache.ParseMode(v)
		return err
	})
	mode.Duration("delay", 0, time.Hour, &a.delay)
	s.Or("clear", &a.clear)
	s.Or("off", &a.off)
	s.Or("on", &a.on)
}

func (a *cacheAction) apply(l *Lab) error {
	if l.cache == nil {
		return fmt.Errorf("cache: the %s preset has no cache", l.preset.Name)
	}
	if a.resize {
		l.cache.Resize(a.size)
	}
	if a.ttl.Set || a.retime {
		l.cache.SetTTL(a.ttl.V)
	}
	if a.delay.Set {
		l.behind.SetDelay(a.delay.V)
	}
	if a.remode {
		l.mode.Store(int32(a.mode))
	}
	if a.clear {
		l.cache.Purge()
	}
	if a.off || a.on {
		// Back on, it starts empty: what it held may be stale by now.
		if was := l.cacheOff.Swap(a.off); was && a.on {
			l.cache.Purge()
		}
		to := map[bool]string{true: "off", false: "on"}[a.off]
		l.event(Event{Kind: KindState, Component: "cache", Detail: "cache turned " + to})
	}
	return nil
}
