package lab

import (
	"errors"
	"fmt"

	"github.com/scalelab/scalelab/lab/args"
)

var loadCommand = command("load", func() action { return &loadAction{} },
	"start or change the open-loop load generator; options not given keep their value",
	"load 500/s zipf=1.1 keys=10000 reads=90%")

type loadAction struct {
	off      bool
	rate     float64
	arrivals args.Opt[string] // constant or poisson
	uniform  args.Opt[string]
	zipf     args.Opt[float64]
	hotspot  args.Opt[float64]
	keys     args.Opt[int]
	reads    args.Opt[float64]
}

func (a *loadAction) declare(s *args.Set) {
	s.RateArg(MaxRateCap, &a.rate)
	s.Words([]string{"constant", "poisson"}, &a.arrivals)
	s.Words([]string{"uniform"}, &a.uniform).In("keys")
	s.Float("zipf", 1.0001, 5, &a.zipf).In("keys")
	s.Percent("hotspot", &a.hotspot).In("keys").Check(func() error {
		if a.hotspot.V <= 0 || a.hotspot.V >= 1 {
			return errors.New("hotspot: the hot share of keys must be between 0% and 100% exclusive, like hotspot=10%")
		}
		return nil
	})
	s.Int("keys", 1, MaxKeys, &a.keys)
	s.Percent("reads", &a.reads)
	s.Or("off", &a.off)
}

func (a *loadAction) apply(l *Lab) error {
	spec, paused := l.Load()
	if a.off {
		spec.Rate = 0
		l.load.set(spec, paused)
		return nil
	}
	if a.rate > l.cfg.MaxRate {
		return fmt.Errorf("load: %g/s is above the cap of %.0f/s (raise it with --max-rate)", a.rate, l.cfg.MaxRate)
	}
	if a.keys.V > l.preset.Keys {
		return fmt.Errorf("load: keys=%d is more keys than the %s preset holds (%d)", a.keys.V, l.preset.Name, l.preset.Keys)
	}
	spec.Rate = a.rate
	spec.Keys = a.keys.Or(spec.Keys)
	spec.Reads = a.reads.Or(spec.Reads)
	if a.arrivals.Set {
		spec.Poisson = a.arrivals.V == "poisson"
	}
	switch {
	case a.uniform.Set:
		spec.Dist = KeysUniform
	case a.zipf.Set:
		spec.Dist, spec.ZipfS = KeysZipf, a.zipf.V
	case a.hotspot.Set:
		spec.Dist, spec.HotFrac = KeysHotspot, a.hotspot.V
	}
	if spec.Dist == KeysZipf && spec.Keys < 2 {
		return errors.New("load: zipf needs at least 2 keys")
	}
	l.load.set(spec, paused)
	return nil
}

var pauseCommand = command("pause", func() action { return &pauseAction{} },
	"stop new arrivals from the load generator (requests in flight finish)",
	"pause")

var resumeCommand = command("resume", func() action { return &pauseAction{resume: true} },
	"resume the load generator after pause",
	"resume")

type pauseAction struct{ resume bool }

func (a *pauseAction) declare(*args.Set) {}

func (a *pauseAction) apply(l *Lab) error {
	spec, _ := l.Load()
	l.load.set(spec, !a.resume)
	return nil
}
