package lab

// The rate limiter at the edge, before the balancer (`limit RATE/s`): a
// token bucket over all requests, or one per key. A request over the limit
// is refused at once, like an HTTP 429, and counted apart from errors: a
// refusal the service chose is not a failure of the service.

import (
	"errors"
	"time"

	"github.com/scalelab/scalelab/components/ratelimit"
)

// errLimited is a request the edge's rate limiter refused.
var errLimited = errors.New("429 too many requests: over the rate limit")

// limited reports whether the edge's limiter refuses a request for key
// arriving at lab time at. Without a limiter it admits everything.
func (l *Lab) limited(key uint64, at time.Time) bool {
	lim := l.limiter.Load()
	return lim != nil && !lim.Allow(key, at)
}

// LimitStats is the rate limiter at the edge.
type LimitStats struct {
	On       bool
	Rate     float64 // tokens a second, per key when PerKey
	Burst    int
	PerKey   bool
	Tokens   float64 // in the bucket now (keyed: the hottest key's)
	Keys     int     // keys with a bucket (keyed)
	Rejected float64 // requests refused per second
	// Ratio is the share of requests refused: refused / (refused +
	// completed), over the stat window.
	Ratio float64
}

// limitStats measures the limiter at lab time now.
func (l *Lab) limitStats(rate, stat *Window, now time.Time) LimitStats {
	ls := LimitStats{Rejected: rate.Rate("limited"), Ratio: ratio(stat.Delta("limited"), stat.Delta("limited")+stat.Delta("requests"))}
	if lim := l.limiter.Load(); lim != nil {
		st := lim.Stats()
		ls.On, ls.Rate, ls.Burst, ls.PerKey, ls.Keys = true, st.Rate, st.Burst, st.PerKey, st.Keys
		ls.Tokens = lim.Tokens(now)
	}
	return ls
}

// setLimit puts a new limiter at the edge, or none.
func (l *Lab) setLimit(lim *ratelimit.Limiter) { l.limiter.Store(lim) }

var limitMetrics = []MetricInfo{
	gauge("limit.on", UnitBool, "1 while the rate limiter at the edge is on (`limit RATE/s`)", func(s *Snapshot) float64 { return b2f(s.Limit.On) }),
	gauge("limit.rate", UnitPerSec, "requests a second the edge's limiter admits, per key with per=key; 0 when off", func(s *Snapshot) float64 { return s.Limit.Rate }),
	gauge("limit.tokens", UnitCount, "tokens in the limiter's bucket now (per=key: the hottest key's)", func(s *Snapshot) float64 { return s.Limit.Tokens }),
	gauge("limit.rejected", UnitPerSec, "requests refused by the rate limiter per second, like HTTP 429 (last 1 s); not counted as errors", func(s *Snapshot) float64 { return s.Limit.Rejected }),
	gauge("limited.ratio", UnitShare, "share of requests the rate limiter refused, of those refused or completed (last 5 s)", func(s *Snapshot) float64 { return s.Limit.Ratio }),
}
