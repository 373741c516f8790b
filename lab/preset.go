package lab

import (
	"bytes"
	"cmp"
	"encoding/json"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strings"
	"time"

	"github.com/scalelab/scalelab/assets"
	"github.com/scalelab/scalelab/components/backend"
	"github.com/scalelab/scalelab/components/balancer"
	"github.com/scalelab/scalelab/components/breaker"
	"github.com/scalelab/scalelab/components/cache"
	"github.com/scalelab/scalelab/components/queue"
	"github.com/scalelab/scalelab/components/shard"
)

// Preset is a topology: which components a lab has and how they start out.
// Optional tiers are pointers; a nil tier is absent (the web preset has no
// database, so its web servers answer by themselves).
type Preset struct {
	Name        string        `json:"-"`
	Title       string        `json:"title"`
	Description string        `json:"description"`
	Keys        int           `json:"keys"`
	Web         ServerConf    `json:"web"`
	Balancer    string        `json:"balancer"`
	Cache       *CacheConf    `json:"cache"`
	DB          *ServerConf   `json:"db"`
	Shard       *ShardConf    `json:"shard"`
	Queue       *QueueConf    `json:"queue"`
	Payments    *PaymentsConf `json:"payments"`
	Orders      *OrdersConf   `json:"orders"` // see orders.go
	Health      HealthConf    `json:"health"`
	Trace       TraceConf     `json:"trace"`
}

// ServerConf describes a group of identical servers (web-1..N, db-1..N).
type ServerConf struct {
	Count   int      `json:"count"`
	Workers int      `json:"workers"`
	Queue   int      `json:"queue"`
	Service string   `json:"service"`
	Timeout Duration `json:"timeout"` // how long a caller waits for this tier

	dist backend.Dist
}

// CacheConf is the cache in front of the database.
type CacheConf struct {
	Size  int      `json:"size"`
	TTL   Duration `json:"ttl"`
	Mode  string   `json:"mode"`
	Delay Duration `json:"delay"` // write-behind delay
}

// ShardConf is how keys map to database shards.
type ShardConf struct {
	Strategy string `json:"strategy"`
	VNodes   int    `json:"vnodes"`
}

// QueueConf is the write queue between the web tier and the database.
type QueueConf struct {
	Capacity  int      `json:"capacity"`
	Consumers int      `json:"consumers"`
	Full      string   `json:"full"`
	Attempts  int      `json:"attempts"`
	Retry     Duration `json:"retry"`
}

// PaymentsConf is the external dependency called on checkouts, and the
// circuit breaker in front of it. The breaker trips on Threshold failures in
// a row unless Mode is "ratio"; then on a failure share of at least Ratio
// over at least Min calls in the last Window (zero Min and Window take
// Hystrix's 20 calls and 10s).
type PaymentsConf struct {
	ServerConf
	Share     float64  `json:"share"` // share of writes that are checkouts
	Mode      string   `json:"mode"`  // "consecutive" (or absent) or "ratio"
	Threshold int      `json:"threshold"`
	Ratio     float64  `json:"ratio"`
	Min       int      `json:"min"`
	Window    Duration `json:"window"`
	Open      Duration `json:"open"`
	Trials    int      `json:"trials"`

	mode breaker.Mode
}

// HealthConf is the balancer's health checking.
type HealthConf struct {
	Interval Duration `json:"interval"`
	Fails    int      `json:"fails"`
	Passes   int      `json:"passes"`
}

// TraceConf is head sampling.
type TraceConf struct {
	Sample float64 `json:"sample"`
}

// Duration is a time.Duration written as a string ("200ms") in JSON.
type Duration time.Duration

// UnmarshalJSON reads "200ms".
func (d *Duration) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return fmt.Errorf("want a duration string like \"200ms\"")
	}
	v, err := time.ParseDuration(s)
	if err != nil || v < 0 {
		return fmt.Errorf("%q is not a non-negative duration", s)
	}
	*d = Duration(v)
	return nil
}

// PresetNames lists the shipped presets.
func PresetNames() []string {
	entries, _ := fs.ReadDir(assets.Presets, "presets")
	var names []string
	for _, e := range entries {
		names = append(names, strings.TrimSuffix(e.Name(), ".json"))
	}
	sort.Strings(names)
	return names
}

// LoadPreset reads a shipped preset by name.
func LoadPreset(name string) (*Preset, error) {
	b, err := fs.ReadFile(assets.Presets, path.Join("presets", name+".json"))
	if err != nil {
		return nil, fmt.Errorf("unknown preset %q; presets: %s", name, strings.Join(PresetNames(), ", "))
	}
	return ParsePreset(name, b)
}

// ParsePreset reads and validates a preset; errors name the field.
func ParsePreset(name string, b []byte) (*Preset, error) {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	p := &Preset{}
	if err := dec.Decode(p); err != nil {
		return nil, fmt.Errorf("preset %s: %w", name, err)
	}
	p.Name = name
	if err := p.validate(); err != nil {
		return nil, fmt.Errorf("preset %s: %w", name, err)
	}
	return p, nil
}

func (p *Preset) validate() error {
	if p.Keys < 1 || p.Keys > MaxKeys {
		return fmt.Errorf("keys: %d is out of range 1..%d", p.Keys, MaxKeys)
	}
	if err := p.Web.validate("web", 1); err != nil {
		return err
	}
	if _, err := balancer.NewPolicy(p.Balancer, 0); err != nil {
		return fmt.Errorf("balancer: %w", err)
	}
	if p.DB != nil {
		if err := p.DB.validate("db", 1); err != nil {
			return err
		}
		if p.Shard == nil {
			p.Shard = &ShardConf{Strategy: "ring", VNodes: 100}
		}
		if _, err := shard.NewStrategy(p.Shard.Strategy, p.Shard.VNodes, uint64(p.Keys)); err != nil {
			return fmt.Errorf("shard.strategy: %w", err)
		}
	}
	if p.Cache != nil {
		if p.DB == nil {
			return fmt.Errorf("cache: a cache needs a db tier behind it")
		}
		if p.Cache.Size < 1 || p.Cache.Size > MaxCacheSize {
			return fmt.Errorf("cache.size: %d is out of range 1..%d", p.Cache.Size, MaxCacheSize)
		}
		if _, err := cache.ParseMode(p.Cache.Mode); err != nil {
			return fmt.Errorf("cache.mode: %w", err)
		}
	}
	if p.Queue != nil {
		if p.DB == nil {
			return fmt.Errorf("queue: the write queue needs a db tier behind it")
		}
		if p.Queue.Capacity < 1 || p.Queue.Consumers < 0 || p.Queue.Attempts < 1 {
			return fmt.Errorf("queue: capacity and attempts must be at least 1, consumers at least 0")
		}
		if _, err := queue.ParseFullPolicy(p.Queue.Full); err != nil {
			return fmt.Errorf("queue.full: %w", err)
		}
	}
	if p.Payments != nil {
		if err := p.Payments.validate("payments", 0); err != nil {
			return err
		}
		if p.Payments.Share < 0 || p.Payments.Share > 1 {
			return fmt.Errorf("payments.share: %g is out of range 0..1", p.Payments.Share)
		}
		if err := p.Payments.validateBreaker(); err != nil {
			return err
		}
	}
	if err := p.validateOrders(); err != nil {
		return err
	}
	if p.Health.Interval != 0 && (time.Duration(p.Health.Interval) < 10*time.Millisecond || p.Health.Fails < 1 || p.Health.Passes < 1) {
		return fmt.Errorf("health: interval must be at least 10ms (or 0 for off), fails and passes at least 1")
	}
	if p.Trace.Sample < 0 || p.Trace.Sample > 1 {
		return fmt.Errorf("trace.sample: %g is out of range 0..1", p.Trace.Sample)
	}
	return nil
}

// validateBreaker checks the breaker's settings for the rule Mode picks:
// the other rule's settings must be absent, so a preset never carries a
// setting that does nothing.
func (c *PaymentsConf) validateBreaker() error {
	mode, err := breaker.ParseMode(cmp.Or(c.Mode, breaker.Consecutive.String()))
	if err != nil {
		return fmt.Errorf("payments.mode: %w", err)
	}
	c.mode = mode
	if c.Trials < 1 || c.Open <= 0 {
		return fmt.Errorf("payments: trials must be at least 1 and open positive")
	}
	if mode == breaker.Consecutive {
		if c.Threshold < 1 || c.Threshold > breakerMaxCount {
			return fmt.Errorf("payments.threshold: %d is out of range 1..%d", c.Threshold, breakerMaxCount)
		}
		if c.Ratio != 0 || c.Min != 0 || c.Window != 0 {
			return fmt.Errorf("payments: ratio, min and window set the ratio rule; add \"mode\": \"ratio\" or drop them")
		}
		return nil
	}
	switch w := time.Duration(c.Window); {
	case c.Threshold != 0:
		return fmt.Errorf("payments: threshold sets the consecutive rule, and mode is \"ratio\"; drop one")
	case !(c.Ratio > 0 && c.Ratio <= 1):
		return fmt.Errorf("payments.ratio: %g is out of range: above 0, at most 1", c.Ratio)
	case c.Min < 0 || c.Min > breakerMaxCount:
		return fmt.Errorf("payments.min: %d is out of range 1..%d (or 0 for %d)", c.Min, breakerMaxCount, breaker.DefaultMinRequests)
	case w != 0 && (w < breakerMinWindow || w > breakerMaxWindow):
		return fmt.Errorf("payments.window: %s is out of range %s..%s (or 0 for %s)", w, breakerMinWindow, breakerMaxWindow, breaker.DefaultWindow)
	}
	return nil
}

func (s *ServerConf) validate(field string, minCount int) error {
	if minCount > 0 && (s.Count < minCount || s.Count > 64) {
		return fmt.Errorf("%s.count: %d is out of range %d..64", field, s.Count, minCount)
	}
	if s.Workers < 1 || s.Workers > 1024 {
		return fmt.Errorf("%s.workers: %d is out of range 1..1024", field, s.Workers)
	}
	if s.Queue < 0 || s.Queue > 65536 {
		return fmt.Errorf("%s.queue: %d is out of range 0..65536", field, s.Queue)
	}
	d, err := backend.ParseDist(s.Service)
	if err != nil {
		return fmt.Errorf("%s.service: %w", field, err)
	}
	s.dist = d
	if s.Timeout <= 0 {
		return fmt.Errorf("%s.timeout: must be a positive duration", field)
	}
	return nil
}
