// Package args reads the arguments of one line of scalelab's command
// language the way flag.FlagSet reads a command line: a command declares
// once what it accepts — positional values, key=value options, bare words,
// and alternative forms led by a word — and from that one declaration come
// the parser, the usage line, the completion words and every "accepted: …"
// error. A command never writes its own option loop.
//
//	func (a *queueAction) declare(s *args.Set) {
//		s.Int("consumers", 0, 256, &a.consumers)          // consumers=N
//		s.Choice("full", queue.FullPolicyNames, &a.full)  // full=block|reject
//		s.Duration("retry", 0, time.Hour, &a.retry)       // retry=D
//		s.NeedOne()                                        // "queue" alone is an error
//	}
//
// Positional values are declared with the *Arg methods and must come first,
// in order; options (key=VALUE) and bare words may follow in any order. An
// option that was not given keeps its zero Opt, so a command can tell
// "not given" from "given as zero".
//
// Numbers are whole tokens: "1.1abc", "NaN" and "Inf" are refused.
package args

import (
	"fmt"
	"slices"
	"strings"
	"unicode/utf8"
)

// SyntaxError is a line that does not parse. Col is 1-based and points at
// the offending word (or just past the line for something missing); Usage
// is what the command accepts.
type SyntaxError struct {
	Col   int
	Msg   string
	Usage string
}

func (e *SyntaxError) Error() string {
	if e.Usage == "" {
		return fmt.Sprintf("col %d: %s", e.Col, e.Msg)
	}
	return fmt.Sprintf("col %d: %s (usage: %s)", e.Col, e.Msg, e.Usage)
}

// Word is one whitespace-separated token and the column it starts at.
type Word struct {
	S   string
	Col int // 1-based, in bytes
}

// Split cuts a line into words at spaces and tabs.
func Split(line string) []Word {
	var ws []Word
	start := -1
	for i, r := range line {
		space := r == ' ' || r == '\t'
		switch {
		case !space && start < 0:
			start = i
		case space && start >= 0:
			ws = append(ws, Word{line[start:i], start + 1})
			start = -1
		}
	}
	if start >= 0 {
		ws = append(ws, Word{line[start:], start + 1})
	}
	return ws
}

// Unprintable finds the first rune of line that is a control character
// (other than tab), a C1 control, or not UTF-8 (reported as U+FFFD), and
// its 1-based column. Lines reach terminals, logs and reports: nothing
// that could steer a terminal gets in.
func Unprintable(line string) (col int, r rune, found bool) {
	for i, c := range line {
		if (c < 0x20 && c != '\t') || c == 0x7f || (c >= 0x80 && c < 0xa0) || c == utf8.RuneError {
			return i + 1, c, true
		}
	}
	return 0, 0, false
}

// Opt is an optional value: V is meaningful only when Set.
type Opt[T any] struct {
	V   T
	Set bool
}

// Or returns the value when it was given, else def.
func (o Opt[T]) Or(def T) T {
	if o.Set {
		return o.V
	}
	return def
}

// Set is what one command accepts: a default form and any alternative
// forms led by a word ("load off", "cache size N"). The methods of the
// embedded default Form declare its arguments.
type Set struct {
	*Form
	name  string
	forms []*Form // alternatives, in declaration order; the default form is Form
}

// Form is one shape of a command's arguments.
type Form struct {
	lead    string // the word that selects this form; "" for the default
	chosen  *bool
	params  []*Param
	needOne bool // at least one option or word must be given
	used    bool // the default form declared something
}

// NewSet starts the declaration of command name's arguments.
func NewSet(name string) *Set {
	return &Set{Form: &Form{}, name: name}
}

// Or declares an alternative form selected by its first word, lead; chosen
// (may be nil) is set when a line takes that form.
func (s *Set) Or(lead string, chosen *bool) *Form {
	f := &Form{lead: lead, chosen: chosen, used: true}
	s.forms = append(s.forms, f)
	return f
}

// NeedOne makes the form an error unless at least one of its options or
// bare words is given ("backend web-1" changes nothing).
func (f *Form) NeedOne() { f.needOne = true }

// kind is where a parameter stands on the line.
type kind int

const (
	positional kind = iota
	option          // key=VALUE
	bare            // one of a set of words, anywhere after the positionals
)

// Param is one declared parameter; its methods refine it.
type Param struct {
	kind     kind
	key      string // option key, or "" for positionals and bare words
	hint     string // how the value is written: N, D, P%, a|b, NAME
	target   string // positional names a component of this kind (for completion)
	words    []string
	optional bool
	group    string // params of one group are alternatives: at most one is given
	anyKey   bool   // an option whose key is free (NAME=N pairs)
	after    string // a positional introduced by this word ("within D"); optional
	or       []orWord
	set      func(s string) error
	check    func() error
}

// orWord is a literal word a positional accepts instead of a value.
type orWord struct {
	word string
	p    *bool
}

// Optional lets a positional be left out.
func (p *Param) Optional() *Param { p.optional = true; return p }

// Or lets a positional be the literal word instead of a value ("slow web-1
// off"); given is set when it is.
func (p *Param) Or(word string, given *bool) *Param {
	p.or = append(p.or, orWord{word, given})
	return p
}

// After makes a positional optional and introduced by a word: with
// After("within"), "… within 30s" gives it and "…" leaves it out.
func (p *Param) After(word string) *Param {
	p.after, p.optional = word, true
	return p
}

// Hint names the value in usage and errors instead of listing its
// choices ("OP" for <, <=, …).
func (p *Param) Hint(h string) *Param { p.hint = h; return p }

// In puts the parameter in a group of alternatives: a line may give at most
// one parameter of a group, and usage shows them as [a|b=X|c].
func (p *Param) In(group string) *Param { p.group = group; return p }

// Check adds a test run after the value is stored; its error is reported
// at the value's word.
func (p *Param) Check(fn func() error) *Param { p.check = fn; return p }

func (f *Form) add(p *Param) *Param {
	f.used = true
	f.params = append(f.params, p)
	return p
}

// Words a Set can complete: its leads, then every parameter's.
func (s *Set) allForms() []*Form {
	var out []*Form
	if s.Form.used || len(s.forms) == 0 {
		out = append(out, s.Form)
	}
	return append(out, s.forms...)
}

// Parse reads words (the line after the command's name) into the declared
// values. end is the column just past the line, for "missing …" errors.
// On error some values may have been stored: callers parse into a fresh
// declaration and discard it on error.
func (s *Set) Parse(words []Word, end int) error {
	f := s.Form
	if len(words) > 0 {
		for _, alt := range s.forms {
			if words[0].S == alt.lead {
				f, words = alt, words[1:]
				if alt.chosen != nil {
					*alt.chosen = true
				}
				break
			}
		}
	}
	if f == s.Form && !s.Form.used && len(s.forms) > 0 {
		if len(words) == 0 {
			return s.errEnd(end, "missing %s", orList(s.leads()))
		}
		return s.errAt(words[0], "unexpected %q; %s takes %s", Clip(words[0].S), s.name, orList(s.leads()))
	}
	return s.parseForm(f, words, end)
}

func (s *Set) leads() []string {
	var out []string
	for _, f := range s.forms {
		out = append(out, f.lead)
	}
	return out
}

func (s *Set) parseForm(f *Form, words []Word, end int) error {
	var pos, named []*Param
	for _, p := range f.params {
		if p.kind == positional {
			pos = append(pos, p)
		} else {
			named = append(named, p)
		}
	}
	// Positionals, in order.
	for i, p := range pos {
		if p.after != "" {
			if len(words) == 0 || words[0].S != p.after {
				continue
			}
			words = words[1:]
			if len(words) == 0 {
				return s.errEnd(end, "missing %s after %s", p.hint, p.after)
			}
		} else if len(words) == 0 || (p.optional && (namedWord(named, words[0].S) || strings.Contains(words[0].S, "="))) {
			if p.optional {
				continue
			}
			what := p.hint
			if i == 0 && f == s.Form && len(s.forms) > 0 {
				what = orList(append([]string{p.hint}, s.leads()...))
			}
			for _, o := range p.or {
				what += " or " + o.word
			}
			return s.errEnd(end, "missing %s", what)
		}
		w := words[0]
		words = words[1:]
		if err := s.store(p, w, w.S); err != nil {
			return err
		}
	}
	// Options and bare words, in any order.
	if len(f.params) == 0 && len(words) > 0 {
		name := s.name
		if f.lead != "" {
			name += " " + f.lead
		}
		return s.errAt(words[0], "%s takes nothing after it", name)
	}
	given := map[string]Word{} // group → the word that gave it
	n := 0
	for _, w := range words {
		p, val := match(named, w.S)
		if p == nil {
			if len(named) == 0 {
				return s.errAt(w, "unexpected %q", Clip(w.S))
			}
			return s.errAt(w, "unexpected %q; accepted: %s", Clip(w.S), acceptedList(named))
		}
		if p.group != "" {
			if first, dup := given[p.group]; dup {
				return s.errAt(w, "%s and %s are alternatives: give one", Clip(first.S), Clip(w.S))
			}
			given[p.group] = w
		}
		if err := s.store(p, w, val); err != nil {
			return err
		}
		n++
	}
	if f.needOne && n == 0 {
		msg := "nothing to change: give " + orList(hints(named))
		if len(s.forms) > 0 && f == s.Form {
			msg += " (or " + strings.Join(s.leads(), ", ") + ")"
		}
		return s.errEnd(end, "%s", msg)
	}
	return nil
}

// store sets p from val (the word w, or its part after "="), reporting at w.
func (s *Set) store(p *Param, w Word, val string) error {
	for _, o := range p.or {
		if val == o.word {
			*o.p = true
			return nil
		}
	}
	if err := p.set(val); err != nil {
		if p.kind == option && !p.anyKey {
			return s.errAt(w, "%s: %v", p.key, err)
		}
		return s.errAt(w, "%v", err)
	}
	if p.check != nil {
		if err := p.check(); err != nil {
			return s.errAt(w, "%v", err)
		}
	}
	return nil
}

// match finds the option or bare word w gives, and its value.
func match(named []*Param, w string) (*Param, string) {
	key, val, isOpt := strings.Cut(w, "=")
	for _, p := range named {
		switch {
		case p.kind == option && isOpt && !p.anyKey && p.key == key:
			return p, val
		case p.kind == bare && !isOpt && slices.Contains(p.words, w):
			return p, w
		}
	}
	for _, p := range named {
		if p.anyKey && isOpt {
			return p, w
		}
	}
	return nil, ""
}

// namedWord reports whether w is one of the named parameters (an option
// or a bare word), so an optional positional before it was left out (as
// it was before any key=value word).
func namedWord(named []*Param, w string) bool {
	p, _ := match(named, w)
	return p != nil
}

func (s *Set) errAt(w Word, format string, v ...any) error {
	return &SyntaxError{Col: w.Col, Msg: fmt.Sprintf(format, v...), Usage: s.Usage()}
}

func (s *Set) errEnd(end int, format string, v ...any) error {
	return &SyntaxError{Col: end, Msg: fmt.Sprintf(format, v...), Usage: s.Usage()}
}

// orList joins words as "a, b or c".
func orList(words []string) string {
	switch len(words) {
	case 0:
		return ""
	case 1:
		return words[0]
	}
	return strings.Join(words[:len(words)-1], ", ") + " or " + words[len(words)-1]
}

// hints renders options and bare words as written on a line.
func hints(ps []*Param) []string {
	var out []string
	for _, p := range ps {
		out = append(out, p.written())
	}
	return out
}

func acceptedList(ps []*Param) string { return strings.Join(hints(ps), ", ") }

// written is how one parameter is written: key=HINT, a|b, or HINT.
func (p *Param) written() string {
	h := p.hint
	for _, o := range p.or {
		h += "|" + o.word
	}
	switch {
	case p.anyKey:
		return h + " ..."
	case p.kind == option:
		return p.key + "=" + h
	}
	return h
}
