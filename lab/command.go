package lab

import (
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/scalelab/scalelab/components/backend"
	"github.com/scalelab/scalelab/components/balancer"
	"github.com/scalelab/scalelab/components/cache"
	"github.com/scalelab/scalelab/components/queue"
	"github.com/scalelab/scalelab/components/shard"
)

// Command is one parsed line of the command language, ready to run.
type Command struct {
	Name   string // the command's name in the table
	Line   string // the line, normalised to single spaces
	action action
}

// action is what a command does to a lab. apply checks everything it needs
// before it changes anything, so a failing command leaves the lab as it was.
type action interface {
	apply(l *Lab) error
}

// Wait reports the pause a `wait` command asks for, and whether it is one.
func (c *Command) Wait() (time.Duration, bool) {
	w, ok := c.action.(waitAction)
	return w.d, ok
}

// Speed reports the clock speed a `speed` command sets, and whether it is one.
func (c *Command) Speed() (float64, bool) {
	s, ok := c.action.(speedAction)
	return s.x, ok
}

// Expect returns the check an `expect` command holds, and whether it is one.
func (c *Command) Expect() (*Expect, bool) {
	e, ok := c.action.(*Expect)
	return e, ok
}

// Spec is one row of the command table: its name, what it accepts and how
// to read it. The TUI's help and completion are generated from the table.
type Spec struct {
	Name    string
	Usage   string   // grammar: UPPER for values, [optional], a|b for choices
	Summary string   // one line of meaning
	Example string   // a line that works against the shop preset
	Words   []string // fixed words accepted after the name, for completion
	Target  bool     // the first argument names a component (web-1, db-2, payments)
	parse   func(a *args) (action, error)
}

// Specs returns the command table, sorted by name.
func Specs() []Spec {
	out := append([]Spec(nil), specs...)
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// LookupSpec finds a command by name, or returns nil.
func LookupSpec(name string) *Spec {
	for i := range specs {
		if specs[i].Name == name {
			return &specs[i]
		}
	}
	return nil
}

func specNames() []string {
	var names []string
	for _, s := range Specs() {
		names = append(names, s.Name)
	}
	return names
}

var specs []Spec

func init() {
	specs = []Spec{
		{Name: "load", Usage: "load RATE/s [constant|poisson] [uniform|zipf=S|hotspot=P%] [keys=N] [reads=P%] | load off",
			Summary: "start or change the open-loop load generator; options not given keep their value",
			Example: "load 500/s zipf=1.1 keys=10000 reads=90%", Words: []string{"off", "constant", "poisson", "uniform", "zipf=", "hotspot=", "keys=", "reads="},
			parse: parseLoad},
		{Name: "backend", Usage: "backend NAME [workers=N] [queue=N] [service=const:D|uniform:D-D|exp:D]",
			Summary: "resize a server's worker pool and accept queue, or change its service-time distribution",
			Example: "backend web-1 workers=8 queue=32 service=exp:20ms", Words: []string{"workers=", "queue=", "service="}, Target: true,
			parse: parseBackend},
		{Name: "kill", Usage: "kill NAME", Summary: "take a server down: it refuses connections and fails what it had queued",
			Example: "kill web-2", Target: true, parse: faultParser(faultKill)},
		{Name: "revive", Usage: "revive NAME", Summary: "bring a killed or hung server back up",
			Example: "revive web-2", Target: true, parse: faultParser(faultRevive)},
		{Name: "slow", Usage: "slow NAME +DURATION | slow NAME off", Summary: "add latency to every request a server serves",
			Example: "slow web-1 +200ms", Target: true, Words: []string{"off"}, parse: faultParser(faultSlow)},
		{Name: "errors", Usage: "errors NAME P% | errors NAME off", Summary: "make a server fail a share of the requests it serves",
			Example: "errors payments 30%", Target: true, Words: []string{"off"}, parse: faultParser(faultErrors)},
		{Name: "hang", Usage: "hang NAME | hang NAME off", Summary: "make a server accept requests and never answer (callers time out)",
			Example: "hang db-1", Target: true, Words: []string{"off"}, parse: faultParser(faultHang)},
		{Name: "balancer", Usage: "balancer round-robin|weighted|least-conn|random|p2c|hash [NAME=WEIGHT ...]",
			Summary: "choose the load-balancing policy; weights apply to any policy and matter to weighted",
			Example: "balancer weighted web-1=5 web-2=1 web-3=1", Words: []string{"round-robin", "weighted", "least-conn", "random", "p2c", "hash"},
			parse: parseBalancer},
		{Name: "cache", Usage: "cache size N [ttl=D] | cache ttl D | cache mode invalidate|write-through|write-behind [delay=D] | cache clear",
			Summary: "resize the LRU cache, set its TTL, choose its write policy, or empty it (a cold cache)",
			Example: "cache size 1000 ttl=30s", Words: []string{"size", "ttl", "mode", "clear", "invalidate", "write-through", "write-behind"},
			parse: parseCache},
		{Name: "shard", Usage: "shard add [NAME] | shard remove NAME | shard strategy mod|range|ring [vnodes=N]",
			Summary: "add or remove a database shard (moving its keys) or change how keys map to shards",
			Example: "shard strategy ring vnodes=100", Words: []string{"add", "remove", "strategy", "mod", "range", "ring"},
			parse: parseShard},
		{Name: "queue", Usage: "queue [consumers=N] [capacity=N] [full=block|reject] [attempts=N] [retry=D]",
			Summary: "tune the write queue: consumer count, buffer size, what publishers do when it is full, retries",
			Example: "queue consumers=4 capacity=500", Words: []string{"consumers=", "capacity=", "full=", "attempts=", "retry="},
			parse: parseQueue},
		{Name: "breaker", Usage: "breaker NAME [threshold=N] [open=D] [trials=N]",
			Summary: "tune a circuit breaker: failures that trip it, how long it stays open, half-open trial calls",
			Example: "breaker payments threshold=5 open=10s", Words: []string{"threshold=", "open=", "trials="}, Target: true,
			parse: parseBreaker},
		{Name: "scale", Usage: "scale web N", Summary: "add web servers behind the balancer until there are N (horizontal scaling)",
			Example: "scale web 5", Words: []string{"web"}, parse: parseScale},
		{Name: "trace", Usage: "trace sample P%", Summary: "set the share of requests traced (head sampling)",
			Example: "trace sample 10%", Words: []string{"sample"}, parse: parseTrace},
		{Name: "health", Usage: "health [interval=D] [fails=N] [passes=N] | health off",
			Summary: "tune the balancer's health checks: probe period, failures to eject, successes to restore",
			Example: "health interval=1s fails=2 passes=2", Words: []string{"interval=", "fails=", "passes=", "off"},
			parse: parseHealth},
		{Name: "speed", Usage: "speed X (0.1x..20x)", Summary: "run the lab clock slower or faster than real time",
			Example: "speed 0.25x", parse: parseSpeedCmd},
		{Name: "pause", Usage: "pause", Summary: "stop new arrivals from the load generator (requests in flight finish)",
			Example: "pause", parse: noArgs(pauseAction{})},
		{Name: "resume", Usage: "resume", Summary: "resume the load generator after pause",
			Example: "resume", parse: noArgs(resumeAction{})},
		{Name: "wait", Usage: "wait DURATION", Summary: "let lab time pass before the next command (scripts and lessons)",
			Example: "wait 10s", parse: parseWait},
		{Name: "expect", Usage: "expect METRIC <|<=|>|>=|==|!= VALUE [within DURATION]",
			Summary: "check a live metric now, or wait up to DURATION for it to hold; fails with the metric's value",
			Example: "expect cache.hit_ratio >= 0.8 within 30s", parse: parseExpect},
	}
}

func noArgs(act action) func(a *args) (action, error) {
	return func(a *args) (action, error) {
		if len(a.words) > 0 {
			return nil, a.errAt(a.words[0], "%s takes no arguments", a.spec.Name)
		}
		return act, nil
	}
}

// --- load ---

// KeyDist is how the load generator picks keys.
type KeyDist int

// Key distributions.
const (
	KeysUniform KeyDist = iota // every key equally likely
	KeysZipf                   // rank r has weight 1/r^s (a few hot keys, a long tail)
	KeysHotspot                // a fixed hot set gets most of the traffic
)

func (k KeyDist) String() string {
	switch k {
	case KeysUniform:
		return "uniform"
	case KeysZipf:
		return "zipf"
	case KeysHotspot:
		return "hotspot"
	}
	return fmt.Sprintf("KeyDist(%d)", int(k))
}

type loadAction struct {
	off                      bool
	rate                     *float64
	poisson                  *bool
	dist                     *KeyDist
	zipfS, hotFrac, reads    *float64
	keys                     *int
	rateWord, keysWord, zipf word
}

// MaxKeys bounds the key space a load may ask for (every key is real data).
const MaxKeys = 1_000_000

func parseLoad(a *args) (action, error) {
	if len(a.words) == 0 {
		return nil, a.errEnd("missing RATE/s or off")
	}
	if a.words[0].s == "off" {
		if len(a.words) > 1 {
			return nil, a.errAt(a.words[1], "load off takes nothing after it")
		}
		return loadAction{off: true}, nil
	}
	var la loadAction
	for _, w := range a.words {
		key, val, isOpt := option(w)
		switch {
		case !isOpt && w.s == "constant", !isOpt && w.s == "poisson":
			p := w.s == "poisson"
			la.poisson = &p
		case !isOpt && w.s == "uniform":
			d := KeysUniform
			la.dist = &d
		case !isOpt && la.rate == nil:
			r, err := parseRate(w.s)
			if err != nil {
				return nil, a.errAt(w, "%v", err)
			}
			la.rate, la.rateWord = &r, w
		case isOpt && key == "zipf":
			s, err := parseFloatIn(val, 1.0001, 5)
			if err != nil {
				return nil, a.errAt(w, "zipf exponent: %v (it must be above 1, like zipf=1.1)", err)
			}
			d := KeysZipf
			la.dist, la.zipfS, la.zipf = &d, &s, w
		case isOpt && key == "hotspot":
			f, err := parseFraction(val)
			if err != nil || f <= 0 || f >= 1 {
				return nil, a.errAt(w, "hotspot: the hot share of keys must be between 0%% and 100%% exclusive, like hotspot=10%%")
			}
			d := KeysHotspot
			la.dist, la.hotFrac = &d, &f
		case isOpt && key == "keys":
			n, err := parseCount(val, 1, MaxKeys)
			if err != nil {
				return nil, a.errAt(w, "keys: %v", err)
			}
			la.keys, la.keysWord = &n, w
		case isOpt && key == "reads":
			f, err := parseFraction(val)
			if err != nil {
				return nil, a.errAt(w, "reads: %v", err)
			}
			la.reads = &f
		default:
			return nil, a.errAt(w, "unexpected %q", w.s)
		}
	}
	return la, nil
}

func parseFloatIn(s string, lo, hi float64) (float64, error) {
	var f float64
	if _, err := fmt.Sscanf(s, "%g", &f); err != nil || fmt.Sprint(f) == "NaN" {
		return 0, fmt.Errorf("%q is not a number", s)
	}
	if f < lo || f > hi {
		return 0, fmt.Errorf("%g is out of range %g..%g", f, lo, hi)
	}
	return f, nil
}

// --- backend ---

type backendAction struct {
	name            string
	workers, queue  *int
	service         *backend.Dist
	nameW, firstOpt word
}

func targetWord(a *args) (word, error) {
	if len(a.words) == 0 {
		return word{}, a.errEnd("missing NAME (a server such as web-1, db-1 or payments)")
	}
	return a.words[0], nil
}

func parseBackend(a *args) (action, error) {
	w, err := targetWord(a)
	if err != nil {
		return nil, err
	}
	ba := backendAction{name: w.s, nameW: w}
	if len(a.words) == 1 {
		return nil, a.errEnd("nothing to change: give workers=N, queue=N or service=DIST")
	}
	for _, w := range a.words[1:] {
		key, val, _ := option(w)
		switch key {
		case "workers":
			n, err := parseCount(val, 1, 1024)
			if err != nil {
				return nil, a.errAt(w, "workers: %v", err)
			}
			ba.workers = &n
		case "queue":
			n, err := parseCount(val, 0, 65536)
			if err != nil {
				return nil, a.errAt(w, "queue: %v", err)
			}
			ba.queue = &n
		case "service":
			d, err := backend.ParseDist(val)
			if err != nil {
				return nil, a.errAt(w, "service: %v", err)
			}
			ba.service = &d
		default:
			return nil, a.errAt(w, "unexpected %q", w.s)
		}
	}
	return ba, nil
}

// --- faults ---

type faultKind int

const (
	faultKill faultKind = iota
	faultRevive
	faultSlow
	faultErrors
	faultHang
)

type faultAction struct {
	kind  faultKind
	name  string
	off   bool
	extra time.Duration
	rate  float64
}

func faultParser(kind faultKind) func(a *args) (action, error) {
	return func(a *args) (action, error) {
		w, err := targetWord(a)
		if err != nil {
			return nil, err
		}
		fa := faultAction{kind: kind, name: w.s}
		rest := a.words[1:]
		switch kind {
		case faultKill, faultRevive:
			if len(rest) > 0 {
				return nil, a.errAt(rest[0], "unexpected %q", rest[0].s)
			}
			return fa, nil
		case faultHang:
			if len(rest) == 0 {
				return fa, nil
			}
		default:
			if len(rest) == 0 {
				return nil, a.errEnd("missing value")
			}
		}
		if len(rest) > 1 {
			return nil, a.errAt(rest[1], "unexpected %q", rest[1].s)
		}
		v := rest[0]
		if v.s == "off" {
			fa.off = true
			return fa, nil
		}
		switch kind {
		case faultSlow:
			if !strings.HasPrefix(v.s, "+") {
				return nil, a.errAt(v, "write the added latency with a plus sign, like +200ms")
			}
			d, err := parseDuration(v.s, time.Minute)
			if err != nil {
				return nil, a.errAt(v, "%v", err)
			}
			fa.extra = d
		case faultErrors:
			f, err := parseFraction(v.s)
			if err != nil {
				return nil, a.errAt(v, "%v", err)
			}
			fa.rate = f
		case faultHang:
			return nil, a.errAt(v, "unexpected %q (hang NAME, or hang NAME off)", v.s)
		}
		return fa, nil
	}
}

// --- balancer ---

type balancerAction struct {
	policy  string
	weights []nameWeight
}

type nameWeight struct {
	name   string
	weight int
}

func parseBalancer(a *args) (action, error) {
	if len(a.words) == 0 {
		return nil, a.errEnd("missing policy")
	}
	p := a.words[0]
	if _, err := balancer.NewPolicy(p.s, 0); err != nil {
		return nil, a.errAt(p, "%v", err)
	}
	ba := balancerAction{policy: p.s}
	for _, w := range a.words[1:] {
		name, val, ok := option(w)
		if !ok || name == "" {
			return nil, a.errAt(w, "expected NAME=WEIGHT, like web-1=5")
		}
		n, err := parseCount(val, 1, 1000)
		if err != nil {
			return nil, a.errAt(w, "weight: %v", err)
		}
		ba.weights = append(ba.weights, nameWeight{name, n})
	}
	return ba, nil
}

// --- cache ---

type cacheAction struct {
	size  *int
	ttl   *time.Duration
	mode  *cache.Mode
	delay *time.Duration
	clear bool
}

// MaxCacheSize bounds the cache capacity a command may ask for.
const MaxCacheSize = 10_000_000

func parseCache(a *args) (action, error) {
	if len(a.words) == 0 {
		return nil, a.errEnd("missing size, ttl, mode or clear")
	}
	sub, rest := a.words[0], a.words[1:]
	var ca cacheAction
	need := func(what string) (word, error) {
		if len(rest) == 0 {
			return word{}, a.errEnd("missing %s", what)
		}
		w := rest[0]
		rest = rest[1:]
		return w, nil
	}
	switch sub.s {
	case "size":
		w, err := need("N")
		if err != nil {
			return nil, err
		}
		n, err := parseCount(w.s, 1, MaxCacheSize)
		if err != nil {
			return nil, a.errAt(w, "size: %v", err)
		}
		ca.size = &n
	case "ttl":
		w, err := need("DURATION (0 for no expiry)")
		if err != nil {
			return nil, err
		}
		d, err := parseDuration(w.s, 24*time.Hour)
		if err != nil {
			return nil, a.errAt(w, "ttl: %v", err)
		}
		ca.ttl = &d
	case "mode":
		w, err := need("mode")
		if err != nil {
			return nil, err
		}
		m, err := cache.ParseMode(w.s)
		if err != nil {
			return nil, a.errAt(w, "%v", err)
		}
		ca.mode = &m
	case "clear":
		ca.clear = true
	default:
		return nil, a.errAt(sub, "unknown cache setting %q", sub.s)
	}
	for _, w := range rest {
		key, val, _ := option(w)
		switch {
		case key == "ttl" && sub.s == "size":
			d, err := parseDuration(val, 24*time.Hour)
			if err != nil {
				return nil, a.errAt(w, "ttl: %v", err)
			}
			ca.ttl = &d
		case key == "delay" && sub.s == "mode":
			d, err := parseDuration(val, time.Hour)
			if err != nil {
				return nil, a.errAt(w, "delay: %v", err)
			}
			ca.delay = &d
		default:
			return nil, a.errAt(w, "unexpected %q", w.s)
		}
	}
	return ca, nil
}

// --- shard ---

type shardAction struct {
	op       string // add, remove, strategy
	name     string
	strategy string
	vnodes   int
}

func parseShard(a *args) (action, error) {
	if len(a.words) == 0 {
		return nil, a.errEnd("missing add, remove or strategy")
	}
	sub, rest := a.words[0], a.words[1:]
	sa := shardAction{op: sub.s}
	switch sub.s {
	case "add":
		if len(rest) > 1 {
			return nil, a.errAt(rest[1], "unexpected %q", rest[1].s)
		}
		if len(rest) == 1 {
			sa.name = rest[0].s
		}
	case "remove":
		if len(rest) != 1 {
			if len(rest) == 0 {
				return nil, a.errEnd("missing NAME of the shard to remove")
			}
			return nil, a.errAt(rest[1], "unexpected %q", rest[1].s)
		}
		sa.name = rest[0].s
	case "strategy":
		if len(rest) == 0 {
			return nil, a.errEnd("missing strategy: mod, range or ring")
		}
		if _, err := shard.NewStrategy(rest[0].s, 0, 1); err != nil {
			return nil, a.errAt(rest[0], "%v", err)
		}
		sa.strategy = rest[0].s
		for _, w := range rest[1:] {
			key, val, _ := option(w)
			if key != "vnodes" || sa.strategy != "ring" {
				return nil, a.errAt(w, "unexpected %q (only ring takes vnodes=N)", w.s)
			}
			n, err := parseCount(val, 1, 10000)
			if err != nil {
				return nil, a.errAt(w, "vnodes: %v", err)
			}
			sa.vnodes = n
		}
	default:
		return nil, a.errAt(sub, "unknown shard operation %q", sub.s)
	}
	return sa, nil
}

// --- queue ---

type queueAction struct {
	consumers, capacity, attempts *int
	full                          *queue.FullPolicy
	retry                         *time.Duration
}

func parseQueue(a *args) (action, error) {
	if len(a.words) == 0 {
		return nil, a.errEnd("nothing to change")
	}
	var qa queueAction
	for _, w := range a.words {
		key, val, _ := option(w)
		switch key {
		case "consumers":
			n, err := parseCount(val, 0, 256)
			if err != nil {
				return nil, a.errAt(w, "consumers: %v", err)
			}
			qa.consumers = &n
		case "capacity":
			n, err := parseCount(val, 1, 1<<20)
			if err != nil {
				return nil, a.errAt(w, "capacity: %v", err)
			}
			qa.capacity = &n
		case "attempts":
			n, err := parseCount(val, 1, 100)
			if err != nil {
				return nil, a.errAt(w, "attempts: %v", err)
			}
			qa.attempts = &n
		case "full":
			p, err := queue.ParseFullPolicy(val)
			if err != nil {
				return nil, a.errAt(w, "%v", err)
			}
			qa.full = &p
		case "retry":
			d, err := parseDuration(val, time.Hour)
			if err != nil {
				return nil, a.errAt(w, "retry: %v", err)
			}
			qa.retry = &d
		default:
			return nil, a.errAt(w, "unexpected %q", w.s)
		}
	}
	return qa, nil
}

// --- breaker ---

type breakerAction struct {
	name              string
	threshold, trials int
	open              time.Duration
}

func parseBreaker(a *args) (action, error) {
	w, err := targetWord(a)
	if err != nil {
		return nil, err
	}
	ba := breakerAction{name: w.s}
	if len(a.words) == 1 {
		return nil, a.errEnd("nothing to change: give threshold=N, open=D or trials=N")
	}
	for _, w := range a.words[1:] {
		key, val, _ := option(w)
		switch key {
		case "threshold":
			n, err := parseCount(val, 1, 1000)
			if err != nil {
				return nil, a.errAt(w, "threshold: %v", err)
			}
			ba.threshold = n
		case "trials":
			n, err := parseCount(val, 1, 100)
			if err != nil {
				return nil, a.errAt(w, "trials: %v", err)
			}
			ba.trials = n
		case "open":
			d, err := parseDuration(val, time.Hour)
			if err != nil || d == 0 {
				return nil, a.errAt(w, "open: the open duration must be a positive duration like 10s")
			}
			ba.open = d
		default:
			return nil, a.errAt(w, "unexpected %q", w.s)
		}
	}
	return ba, nil
}

// --- scale ---

type scaleAction struct{ n int }

// MaxWebs bounds how many web servers a lab may have.
const MaxWebs = 64

func parseScale(a *args) (action, error) {
	if len(a.words) == 0 {
		return nil, a.errEnd("missing tier: web")
	}
	if a.words[0].s != "web" {
		return nil, a.errAt(a.words[0], "only the web tier scales this way (databases: shard add)")
	}
	if len(a.words) < 2 {
		return nil, a.errEnd("missing N")
	}
	if len(a.words) > 2 {
		return nil, a.errAt(a.words[2], "unexpected %q", a.words[2].s)
	}
	n, err := parseCount(a.words[1].s, 1, MaxWebs)
	if err != nil {
		return nil, a.errAt(a.words[1], "%v", err)
	}
	return scaleAction{n}, nil
}

// --- trace, health, speed, wait ---

type traceAction struct{ sample float64 }

func parseTrace(a *args) (action, error) {
	if len(a.words) == 0 || a.words[0].s != "sample" {
		if len(a.words) == 0 {
			return nil, a.errEnd("missing sample")
		}
		return nil, a.errAt(a.words[0], "unknown trace setting %q", a.words[0].s)
	}
	if len(a.words) != 2 {
		if len(a.words) < 2 {
			return nil, a.errEnd("missing P%%")
		}
		return nil, a.errAt(a.words[2], "unexpected %q", a.words[2].s)
	}
	f, err := parseFraction(a.words[1].s)
	if err != nil {
		return nil, a.errAt(a.words[1], "%v", err)
	}
	return traceAction{f}, nil
}

type healthAction struct {
	off           bool
	interval      time.Duration
	fails, passes int
}

func parseHealth(a *args) (action, error) {
	if len(a.words) == 0 {
		return nil, a.errEnd("nothing to change")
	}
	if a.words[0].s == "off" {
		if len(a.words) > 1 {
			return nil, a.errAt(a.words[1], "unexpected %q", a.words[1].s)
		}
		return healthAction{off: true}, nil
	}
	var ha healthAction
	for _, w := range a.words {
		key, val, _ := option(w)
		switch key {
		case "interval":
			d, err := parseDuration(val, time.Minute)
			if err != nil || d < 10*time.Millisecond {
				return nil, a.errAt(w, "interval: a duration from 10ms to 1m, like interval=1s")
			}
			ha.interval = d
		case "fails":
			n, err := parseCount(val, 1, 100)
			if err != nil {
				return nil, a.errAt(w, "fails: %v", err)
			}
			ha.fails = n
		case "passes":
			n, err := parseCount(val, 1, 100)
			if err != nil {
				return nil, a.errAt(w, "passes: %v", err)
			}
			ha.passes = n
		default:
			return nil, a.errAt(w, "unexpected %q", w.s)
		}
	}
	return ha, nil
}

type speedAction struct{ x float64 }

func parseSpeedCmd(a *args) (action, error) {
	if len(a.words) != 1 {
		if len(a.words) == 0 {
			return nil, a.errEnd("missing X")
		}
		return nil, a.errAt(a.words[1], "unexpected %q", a.words[1].s)
	}
	x, err := parseSpeed(a.words[0].s)
	if err != nil {
		return nil, a.errAt(a.words[0], "%v", err)
	}
	if x < 0.1 || x > 20 {
		return nil, a.errAt(a.words[0], "speed %gx is out of range 0.1x..20x", x)
	}
	return speedAction{x}, nil
}

type pauseAction struct{}
type resumeAction struct{}

type waitAction struct{ d time.Duration }

// MaxWait bounds one wait or expect-within.
const MaxWait = time.Hour

func parseWait(a *args) (action, error) {
	if len(a.words) != 1 {
		if len(a.words) == 0 {
			return nil, a.errEnd("missing DURATION")
		}
		return nil, a.errAt(a.words[1], "unexpected %q", a.words[1].s)
	}
	d, err := parseDuration(a.words[0].s, MaxWait)
	if err != nil {
		return nil, a.errAt(a.words[0], "%v", err)
	}
	return waitAction{d}, nil
}
