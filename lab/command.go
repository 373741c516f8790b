package lab

import (
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/scalelab/scalelab/lab/args"
)

// SyntaxError is a command line that does not parse: the column of the
// offending word, what was wrong, and the command's usage.
type SyntaxError = args.SyntaxError

// Command is one parsed line of the command language, ready to run.
type Command struct {
	Name   string // the command's name in the table
	Line   string // the line, normalised to single spaces
	action action
}

// action is what a command does to a lab. A command is one file holding
// its Spec, its action type, declare (what it accepts, from which the
// parser, usage, completion and errors are generated) and apply (what it
// does). apply checks everything it needs before it changes anything, so a
// failing command leaves the lab as it was.
type action interface {
	declare(s *args.Set)
	apply(l *Lab) error
}

// Spec is one command of the language: its name, what it means and a line
// that works against the shop preset. Its grammar is the action's declare.
type Spec struct {
	Name    string
	Summary string // one line of meaning
	Example string
	new     func() action
}

// command makes a Spec: the command's name, the action it runs (whose
// declare says what it accepts), what it does, and an example.
func command(name string, new func() action, summary, example string) *Spec {
	return &Spec{Name: name, Summary: summary, Example: example, new: new}
}

// set declares the command's arguments into a new set and returns it with
// the action the set fills.
func (s *Spec) set() (*args.Set, action) {
	a := s.new()
	set := args.NewSet(s.Name)
	a.declare(set)
	return set, a
}

// Usage is the command's grammar: UPPER for values, [optional], a|b for
// choices, alternative forms separated by " | ".
func (s *Spec) Usage() string {
	set, _ := s.set()
	return set.Usage()
}

// Completions lists lines the command completes to; names gives the lab's
// components of a target kind (TargetServer, TargetBreaker, TargetShard).
func (s *Spec) Completions(names func(target string) []string) []string {
	set, _ := s.set()
	return set.Completions(names)
}

// Target is the kind of component the command's first word names, or "".
func (s *Spec) Target() string {
	set, _ := s.set()
	return set.Target()
}

// Kinds of component a command can name.
const (
	TargetServer  = "server"  // any server: web-N, db-N, payments
	TargetBreaker = "breaker" // a circuit breaker, named for what it guards
	TargetShard   = "shard"   // a database shard
)

// commands is the command table: one line per command, each defined in its
// own cmd_*.go file.
var commands []*Spec

func init() {
	commands = []*Spec{
		loadCommand, pauseCommand, resumeCommand,
		backendCommand, scaleCommand, autoscaleCommand,
		killCommand, reviveCommand, slowCommand, errorsCommand, hangCommand,
		limitCommand, balancerCommand, healthCommand, discoveryCommand,
		cacheCommand, cdnCommand, shardCommand, replicasCommand, readsCommand, failoverCommand, promoteCommand,
		queueCommand, breakerCommand, timeoutCommand, retryCommand, ordersCommand, traceCommand,
		speedCommand, freezeCommand, thawCommand, waitCommand, expectCommand,
	}
}

// Specs returns the command table, sorted by name.
func Specs() []*Spec {
	out := append([]*Spec(nil), commands...)
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// LookupSpec finds a command by name, or returns nil.
func LookupSpec(name string) *Spec {
	for _, s := range commands {
		if s.Name == name {
			return s
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

// Parse reads one command line. Blank lines and lines starting with # give
// (nil, nil). A line that does not parse gives a *SyntaxError; parsing
// changes nothing, so a bad line is always harmless.
func Parse(line string) (*Command, error) {
	if col, r, ok := args.Unprintable(line); ok {
		return nil, &SyntaxError{Col: col, Msg: fmt.Sprintf("%U is not a character a command may hold (control characters and invalid UTF-8 are refused)", r)}
	}
	ws := args.Split(line)
	if len(ws) == 0 || strings.HasPrefix(ws[0].S, "#") {
		return nil, nil
	}
	spec := LookupSpec(ws[0].S)
	if spec == nil {
		return nil, &SyntaxError{Col: ws[0].Col, Msg: fmt.Sprintf("unknown command %q; commands: %s", args.Clip(ws[0].S), strings.Join(specNames(), ", "))}
	}
	set, act := spec.set()
	if err := set.Parse(ws[1:], len(strings.TrimRight(line, " \t"))+1); err != nil {
		return nil, err
	}
	words := make([]string, len(ws))
	for i, w := range ws {
		words[i] = w.S
	}
	c := &Command{Name: spec.Name, Line: strings.Join(words, " "), action: act}
	if e, ok := act.(*Expect); ok {
		e.Line = c.Line
	}
	return c, nil
}

// Wait reports the pause a `wait` command asks for, and whether it is one.
func (c *Command) Wait() (time.Duration, bool) {
	w, ok := c.action.(*waitAction)
	if !ok {
		return 0, false
	}
	return w.d, true
}

// Clock reports whether c is freeze or thaw: the host of a replay leaves
// them out, as it does speed (a rebuilt lab must not stop halfway).
func (c *Command) Clock() bool {
	_, ok := c.action.(*freezeAction)
	return ok
}

// Speed reports the clock speed a `speed` command sets, and whether it is one.
func (c *Command) Speed() (float64, bool) {
	s, ok := c.action.(*speedAction)
	if !ok {
		return 0, false
	}
	return s.x, true
}

// Expect returns the check an `expect` command holds, and whether it is one.
func (c *Command) Expect() (*Expect, bool) {
	e, ok := c.action.(*Expect)
	return e, ok
}

// Observes reports whether c only watches the lab — expect, wait, speed,
// freeze and thaw —
// and changes nothing in the system it models. A lesson does not count
// such a command as the learner acting on a task.
func (c *Command) Observes() bool {
	switch c.action.(type) {
	case *Expect, *waitAction, *speedAction, *freezeAction:
		return true
	}
	return false
}

// Blocking reports whether c blocks its caller: a wait, or an expect with a
// deadline.
func (c *Command) Blocking() bool {
	if _, ok := c.Wait(); ok {
		return true
	}
	e, ok := c.Expect()
	return ok && e.Within > 0
}
