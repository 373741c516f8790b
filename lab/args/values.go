package args

import (
	"fmt"
	"math"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// This file declares parameters by type. Each type has a positional form
// (…Arg, a plain pointer: positionals are given unless Optional) and an
// option form (key=VALUE, an Opt: options may be left out). The parsers at
// the bottom are exported for the few places that read values outside a
// command line (metric values in expect).

// Int declares key=N, a whole number in [lo, hi].
func (f *Form) Int(key string, lo, hi int, p *Opt[int]) *Param {
	return f.option(key, "N", nil, func(s string) error { return setOpt(p, s, func(s string) (int, error) { return ParseInt(s, lo, hi) }) })
}

// IntArg declares a positional whole number in [lo, hi].
func (f *Form) IntArg(hint string, lo, hi int, p *int) *Param {
	return f.positional(hint, nil, func(s string) (err error) { *p, err = ParseInt(s, lo, hi); return })
}

// Float declares key=X, a finite number in [lo, hi].
func (f *Form) Float(key string, lo, hi float64, p *Opt[float64]) *Param {
	return f.option(key, "X", nil, func(s string) error {
		return setOpt(p, s, func(s string) (float64, error) { return ParseFloat(s, lo, hi) })
	})
}

// Percent declares key=P%, a share written 30% or 0.3, stored as 0..1.
func (f *Form) Percent(key string, p *Opt[float64]) *Param {
	return f.option(key, "P%", nil, func(s string) error { return setOpt(p, s, ParsePercent) })
}

// PercentArg declares a positional share written 30% or 0.3.
func (f *Form) PercentArg(p *float64) *Param {
	return f.positional("P%", nil, func(s string) (err error) { *p, err = ParsePercent(s); return })
}

// Duration declares key=D, a Go duration in [lo, hi].
func (f *Form) Duration(key string, lo, hi time.Duration, p *Opt[time.Duration]) *Param {
	return f.option(key, "D", nil, func(s string) error {
		return setOpt(p, s, func(s string) (time.Duration, error) { return ParseDuration(s, lo, hi) })
	})
}

// DurationArg declares a positional Go duration in [lo, hi].
func (f *Form) DurationArg(hint string, lo, hi time.Duration, p *time.Duration) *Param {
	return f.positional(hint, nil, func(s string) (err error) { *p, err = ParseDuration(s, lo, hi); return })
}

// Choice declares key=a|b|c, one of names.
func (f *Form) Choice(key string, names []string, p *Opt[string]) *Param {
	return f.option(key, strings.Join(names, "|"), names, func(s string) error {
		return setOpt(p, s, func(s string) (string, error) { return ParseChoice(s, names) })
	})
}

// ChoiceArg declares a positional that is one of names.
func (f *Form) ChoiceArg(names []string, p *string) *Param {
	return f.positional(strings.Join(names, "|"), names, func(s string) (err error) { *p, err = ParseChoice(s, names); return })
}

// Words declares bare words, one of names, given anywhere after the
// positionals ("load 500/s poisson").
func (f *Form) Words(names []string, p *Opt[string]) *Param {
	return f.add(&Param{kind: bare, hint: strings.Join(names, "|"), words: names, set: func(s string) error {
		p.V, p.Set = s, true
		return nil
	}})
}

// RateArg declares a positional rate: "500/s", "500", "1.5k/s", in [0, hi].
func (f *Form) RateArg(hi float64, p *float64) *Param {
	return f.positional("RATE/s", nil, func(s string) (err error) { *p, err = ParseRate(s, hi); return })
}

// TargetArg declares a positional naming a component of a kind ("server",
// "breaker", "shard" …); completion offers the lab's components of that
// kind. The name must be a valid Name.
func (f *Form) TargetArg(target string, p *string) *Param {
	par := f.positional("NAME", nil, func(s string) error {
		if err := CheckName(s); err != nil {
			return err
		}
		*p = s
		return nil
	})
	par.target = target
	return par
}

// Func declares key=HINT read by a function of the caller's (words, if
// any, are its completions).
func (f *Form) Func(key, hint string, words []string, set func(string) error) *Param {
	return f.option(key, hint, words, set)
}

// FuncArg declares a positional read by a function of the caller's.
func (f *Form) FuncArg(hint string, words []string, set func(string) error) *Param {
	return f.positional(hint, words, set)
}

// Pairs declares any number of NAME=N options whose keys are not known in
// advance ("balancer weighted web-1=5 web-2=1"), each N in [lo, hi].
func (f *Form) Pairs(hint string, lo, hi int, add func(name string, n int)) *Param {
	return f.add(&Param{kind: option, anyKey: true, hint: hint, set: func(s string) error {
		name, val, _ := strings.Cut(s, "=")
		if err := CheckName(name); err != nil {
			return err
		}
		n, err := ParseInt(val, lo, hi)
		if err != nil {
			return err
		}
		add(name, n)
		return nil
	}})
}

func (f *Form) option(key, hint string, words []string, set func(string) error) *Param {
	return f.add(&Param{kind: option, key: key, hint: hint, words: words, optional: true, set: set})
}

func (f *Form) positional(hint string, words []string, set func(string) error) *Param {
	return f.add(&Param{kind: positional, hint: hint, words: words, set: set})
}

func setOpt[T any](p *Opt[T], s string, parse func(string) (T, error)) error {
	v, err := parse(s)
	if err != nil {
		return err
	}
	p.V, p.Set = v, true
	return nil
}

// ParseInt reads a whole number in [lo, hi].
func ParseInt(s string, lo, hi int) (int, error) {
	n, err := strconv.Atoi(s)
	if err != nil {
		return 0, fmt.Errorf("%q is not a whole number", Clip(s))
	}
	if n < lo || n > hi {
		return 0, fmt.Errorf("%d is out of range %d..%d", n, lo, hi)
	}
	return n, nil
}

// ParseFloat reads a finite number in [lo, hi]; the whole word must be the
// number.
func ParseFloat(s string, lo, hi float64) (float64, error) {
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
		return 0, fmt.Errorf("%q is not a number", Clip(s))
	}
	if f < lo || f > hi {
		return 0, fmt.Errorf("%g is out of range %g..%g", f, lo, hi)
	}
	return f, nil
}

// ParsePercent reads "30%" or "0.3" as 0.3; the result is in [0, 1].
func ParsePercent(s string) (float64, error) {
	pct := strings.HasSuffix(s, "%")
	f, err := strconv.ParseFloat(strings.TrimSuffix(s, "%"), 64)
	if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
		return 0, fmt.Errorf("%q is not a percentage (like 30%% or 0.3)", Clip(s))
	}
	if pct {
		f /= 100
	}
	if f < 0 || f > 1 {
		return 0, fmt.Errorf("%q is out of range 0%%..100%%", Clip(s))
	}
	return f, nil
}

// ParseDuration reads a Go duration ("200ms", "1.5s", "+200ms") in [lo, hi].
func ParseDuration(s string, lo, hi time.Duration) (time.Duration, error) {
	d, err := time.ParseDuration(strings.TrimPrefix(s, "+"))
	if err != nil {
		return 0, fmt.Errorf("%q is not a duration (like 200ms, 1.5s, 2m)", Clip(s))
	}
	if d < lo || d > hi {
		return 0, fmt.Errorf("%s is out of range %s..%s", d, lo, hi)
	}
	return d, nil
}

// ParseRate reads "500/s", "500", "1.5k/s" or "2m/s" as requests per
// second in [0, hi].
func ParseRate(s string, hi float64) (float64, error) {
	t := strings.TrimSuffix(s, "/s")
	mult := 1.0
	switch {
	case strings.HasSuffix(t, "k"):
		mult, t = 1e3, strings.TrimSuffix(t, "k")
	case strings.HasSuffix(t, "m"):
		mult, t = 1e6, strings.TrimSuffix(t, "m")
	}
	f, err := strconv.ParseFloat(t, 64)
	f *= mult
	if err != nil || math.IsNaN(f) || math.IsInf(f, 0) || f < 0 {
		return 0, fmt.Errorf("%q is not a rate (like 500/s, 1.5k/s)", Clip(s))
	}
	if f > hi {
		return 0, fmt.Errorf("%s is above the most this command takes, %g/s", Clip(s), hi)
	}
	return f, nil
}

// ParseChoice reads one of names.
func ParseChoice(s string, names []string) (string, error) {
	if slices.Contains(names, s) {
		return s, nil
	}
	return "", fmt.Errorf("%q is not one of %s", Clip(s), strings.Join(names, ", "))
}

// MaxNameLen bounds a component name.
const MaxNameLen = 32

var namePattern = regexp.MustCompile(`^[a-z][a-z0-9-]*$`)

// CheckName accepts a component name: lower-case letters, digits and
// dashes, starting with a letter, at most MaxNameLen long. Names reach
// terminals, logs and reports, so nothing else — no control characters,
// no markup — can enter through them.
func CheckName(s string) error {
	if len(s) > MaxNameLen || !namePattern.MatchString(s) {
		return fmt.Errorf("%q is not a name (lower-case letters, digits and dashes, like web-1; at most %d)", Clip(s), MaxNameLen)
	}
	return nil
}

// Clip shortens a word quoted in an error message to 40 bytes (at a rune
// boundary), so a huge token never makes a huge message. Quote it with %q,
// which escapes control characters.
func Clip(s string) string {
	if len(s) <= 40 {
		return s
	}
	cut := 37
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "..."
}
