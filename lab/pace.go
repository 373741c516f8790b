package lab

import (
	"fmt"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/scalelab/scalelab/components/clock"
)

// pacer keeps the lab honest when the machine cannot keep up with the
// clock speed asked for. Every time in the lab is logical, so a slow
// machine does not change what happens in lab time; it makes lab time fall
// behind the wall clock: the load generator issues arrivals late, answers
// come late, gauges read now see work not yet done. Past a point that
// would show things the modelled system would not do. So the pacer
// measures how far behind the lab is — the load generator's backlog and
// the lateness of a plain sleeper on the lab clock — and when it is more
// than the eye can forgive it lowers the clock's speed by itself, saying
// so on the dashboard, in the log and in a headless run; when the lab has
// kept up for a while it raises the speed again, up to what was asked.
//
// This is the one part of the lab that reads the wall clock to decide
// anything: it is about the wall clock.
type pacer struct {
	l      *Lab
	genLag atomic.Int64 // the load generator's backlog, lab ns

	mu        sync.Mutex
	asked     float64                   // the speed asked for (speed command, flags)
	recent    [paceFrames]time.Duration // lab time the lab was behind, the last frames
	jitter    [paceFrames]time.Duration // how late a sleeper woke, in wall time, the last frames
	behind    [paceFrames]time.Duration // how far behind the lab was, in wall time, the last frames
	at        int                       // next slot of recent and jitter
	fixed     bool                      // the slack is set by hand (the benchmark's 0)
	cuts      int                       // times the pacer has slowed the clock
	calmSince time.Time                 // wall time since which the lag has been low
	lastCut   time.Time                 // wall time of the last slow-down
}

// Pacing thresholds, in wall time (what a watcher notices).
const (
	paceBehind  = 50 * time.Millisecond // behind by more: slow down
	paceCalm    = 10 * time.Millisecond // behind by less for paceSettle: speed up again
	paceSettle  = time.Second
	paceCooling = 300 * time.Millisecond // between two slow-downs, for the last to tell
	paceCut     = 0.6                    // each slow-down keeps this share of the speed, or
	paceCutFar  = 0.3                    // this share when behind by over paceFar
	paceFar     = 4 * paceBehind
	paceRaise   = 1.25 // each speed-up multiplies by this, up to the speed asked
	paceFrames  = 4    // frames the reported lag is the worst of (a lab second)

	// The clock's slack (see clock.SetSlack) is the worst lateness of a
	// sleeper lately, within these bounds: the machine's scheduling delay,
	// which each backend allows for in settling the order of arrivals.
	minSlack = time.Millisecond
	maxSlack = 50 * time.Millisecond
)

// PaceStats says whether the lab keeps up with the speed asked for.
type PaceStats struct {
	Asked float64       // the speed asked for; Snapshot.Speed is the speed running
	Lag   time.Duration // how far behind the wall clock lab time was, at worst over the last lab second (lab time)
	Cuts  int           // times the lab has slowed itself down since it started
}

// Behind reports whether the lab runs slower than asked because the
// machine could not keep up.
func (p PaceStats) Behind(running float64) bool { return p.Asked > running*1.001 }

func newPacer(l *Lab, speed float64) *pacer {
	l.clock.SetSlack(minSlack)
	return &pacer{l: l, asked: speed, calmSince: time.Now()}
}

// fixSlack sets the clock's slack for good (the benchmark measures the
// engine with none).
func (p *pacer) fixSlack(wall time.Duration) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.fixed = true
	p.l.clock.SetSlack(wall)
}

// ask sets the speed asked for, and runs the clock at it.
func (p *pacer) ask(x float64) {
	p.mu.Lock()
	p.asked = x
	p.calmSince = time.Now()
	p.mu.Unlock()
	p.l.clock.SetSpeed(x)
}

// observe takes one measurement of how late a sleeper on the lab clock
// woke (lab time), with the generator's backlog, and slows or speeds the
// clock. The sampler calls it every frame.
func (p *pacer) observe(overrun time.Duration) {
	clk := p.l.clock
	if clk.Frozen() {
		return // no lab time passes: nothing can be behind
	}
	running := clk.Speed()
	lag := max(overrun, time.Duration(p.genLag.Load()), 0)
	behind := time.Duration(float64(lag) / running) // in wall time
	now := time.Now()
	p.mu.Lock()
	p.recent[p.at] = lag
	p.jitter[p.at] = time.Duration(float64(max(overrun, 0)) / running)
	p.behind[p.at] = behind
	p.at = (p.at + 1) % paceFrames
	// Behind in two frames of the last few, not one: a single late wake-up
	// (a pause, a burst of other work) is not a machine that cannot keep up.
	sorted := p.behind
	slices.Sort(sorted[:])
	persistent := sorted[paceFrames-2]
	if !p.fixed {
		var worst time.Duration
		for _, j := range p.jitter {
			worst = max(worst, j)
		}
		clk.SetSlack(min(max(worst, minSlack), maxSlack))
	}
	var from, to float64
	switch {
	case persistent > paceBehind && now.Sub(p.lastCut) >= paceCooling && running > clock.MinSpeed:
		cut := paceCut
		if persistent > paceFar {
			cut = paceCutFar
		}
		from, to = running, max(running*cut, clock.MinSpeed)
		p.lastCut, p.calmSince = now, now
		p.cuts++
	case behind > paceCalm:
		p.calmSince = now
	case running < p.asked && now.Sub(p.calmSince) >= paceSettle:
		from, to = running, min(running*paceRaise, p.asked)
		p.calmSince = now
	}
	asked := p.asked
	p.mu.Unlock()
	if to == 0 {
		return
	}
	clk.SetSpeed(to)
	e := Event{Kind: KindState, Component: "clock", From: speedText(from), To: speedText(to)}
	if to < from {
		e.Detail = fmt.Sprintf("the machine cannot keep up with %s (%v behind): lab time runs slower, every time in it stays exact", speedText(asked), behind.Round(time.Millisecond))
	} else {
		e.Detail = fmt.Sprintf("keeping up again, on the way back to %s", speedText(asked))
	}
	p.l.event(e)
}

// thawed forgets what was measured before a freeze: the wall time the
// clock stood still is no lag, and the frames before it are no guide to
// the machine now.
func (p *pacer) thawed() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.recent, p.jitter, p.behind = [paceFrames]time.Duration{}, [paceFrames]time.Duration{}, [paceFrames]time.Duration{}
	now := time.Now()
	p.calmSince, p.lastCut = now, now
	p.genLag.Store(0)
}

// stats reads the pace.
func (p *pacer) stats() PaceStats {
	p.mu.Lock()
	defer p.mu.Unlock()
	s := PaceStats{Asked: p.asked, Cuts: p.cuts}
	for _, lag := range p.recent {
		s.Lag = max(s.Lag, lag)
	}
	return s
}

func speedText(x float64) string { return fmt.Sprintf("×%.3g", x) }
