package args

import (
	"errors"
	"slices"
	"strings"
	"testing"
	"time"
)

// demo is a command with every kind of parameter: a positional target,
// a number, key=value options, bare words in a group, and an alternative
// form led by a word.
type demo struct {
	name    string
	n       int
	workers Opt[int]
	wait    Opt[time.Duration]
	share   Opt[float64]
	mode    Opt[string]
	fast    Opt[string]
	zipf    Opt[float64]
	off     bool
}

func (d *demo) declare(s *Set) {
	s.TargetArg("server", &d.name)
	s.IntArg("N", 1, 10, &d.n).Optional()
	s.Int("workers", 1, 64, &d.workers)
	s.Duration("wait", 0, time.Minute, &d.wait)
	s.Percent("share", &d.share)
	s.Choice("mode", []string{"a", "b"}, &d.mode)
	s.Words([]string{"fast", "slow"}, &d.fast).In("speed")
	s.Float("zipf", 1.01, 5, &d.zipf).In("speed")
	s.Or("off", &d.off)
}

func parse(line string) (*demo, error) {
	d := &demo{}
	s := NewSet("demo")
	d.declare(s)
	ws := Split(line)
	return d, s.Parse(ws, len(strings.TrimRight(line, " "))+1)
}

func TestUsageIsGenerated(t *testing.T) {
	s := NewSet("demo")
	(&demo{}).declare(s)
	want := "demo NAME [N] [workers=N] [wait=D] [share=P%] [mode=a|b] [fast|slow|zipf=X] | demo off"
	if got := s.Usage(); got != want {
		t.Errorf("Usage() =\n %q, want\n %q", got, want)
	}
	if got := s.Target(); got != "server" {
		t.Errorf("Target() = %q", got)
	}
}

func TestParseStoresValues(t *testing.T) {
	d, err := parse("web-1 3 workers=8 wait=1.5s share=30% mode=b zipf=1.1")
	if err != nil {
		t.Fatal(err)
	}
	if d.name != "web-1" || d.n != 3 || d.workers != (Opt[int]{8, true}) || d.wait.V != 1500*time.Millisecond ||
		d.share.V != 0.3 || d.mode.V != "b" || d.zipf.V != 1.1 || d.fast.Set || d.off {
		t.Errorf("parsed %+v", d)
	}
	d, err = parse("web-1 fast")
	if err != nil || d.n != 0 || d.fast.V != "fast" || d.workers.Set {
		t.Errorf("optional positional left out: %+v, %v", d, err)
	}
	if d, err := parse("off"); err != nil || !d.off || d.name != "" {
		t.Errorf("alternative form: %+v, %v", d, err)
	}
}

func TestParseRejects(t *testing.T) {
	for _, tc := range []struct {
		line string
		col  int
		want string
	}{
		{"", 1, "missing NAME or off"},
		{"Web-1", 1, "is not a name"},
		{"web-1 11", 7, "out of range 1..10"},
		{"web-1 workers=8x", 7, `workers: "8x" is not a whole number`},
		{"web-1 zipf=1.1abc", 7, `zipf: "1.1abc" is not a number`},
		{"web-1 zipf=NaN", 7, "not a number"},
		{"web-1 zipf=Inf", 7, "not a number"},
		{"web-1 share=130%", 7, "out of range"},
		{"web-1 mode=c", 7, `mode: "c" is not one of a, b`},
		{"web-1 fast zipf=2", 12, "fast and zipf=2 are alternatives"},
		{"web-1 colour=red", 7, `unexpected "colour=red"; accepted: workers=N`},
		{"off now", 5, "demo off takes nothing after it"},
		{"web-1 " + strings.Repeat("x", 5000), 7, `"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx..."`},
	} {
		_, err := parse(tc.line)
		var se *SyntaxError
		if !errors.As(err, &se) {
			t.Errorf("parse(%q) = %v, want a SyntaxError", tc.line, err)
			continue
		}
		if se.Col != tc.col || !strings.Contains(se.Msg, tc.want) {
			t.Errorf("parse(%q) = col %d %q, want col %d mentioning %q", tc.line, se.Col, se.Msg, tc.col, tc.want)
		}
		if len(se.Msg) > 400 {
			t.Errorf("parse(%q): message of %d bytes", tc.line[:20], len(se.Msg))
		}
	}
}

func TestNeedOneAndLeads(t *testing.T) {
	var a, b Opt[int]
	var sizeForm bool
	var n int
	s := NewSet("tune")
	s.Int("a", 0, 9, &a)
	s.Int("b", 0, 9, &b)
	s.NeedOne()
	s.Or("size", &sizeForm).IntArg("N", 1, 9, &n)
	err := s.Parse(nil, 5)
	if err == nil || !strings.Contains(err.Error(), "nothing to change: give a=N or b=N (or size)") {
		t.Errorf("NeedOne: %v", err)
	}
	if err := s.Parse(Split("size 3"), 7); err != nil || !sizeForm || n != 3 {
		t.Errorf("lead form: %v %v %d", err, sizeForm, n)
	}

	var form bool
	only := NewSet("cache")
	only.Or("clear", &form)
	only.Or("size", nil).IntArg("N", 1, 9, &n)
	if err := only.Parse(Split("warm"), 5); err == nil || !strings.Contains(err.Error(), `unexpected "warm"; cache takes clear or size`) {
		t.Errorf("unknown lead: %v", err)
	}
	if err := only.Parse(nil, 6); err == nil || !strings.Contains(err.Error(), "missing clear or size") {
		t.Errorf("missing lead: %v", err)
	}
}

func TestAfterAndPairs(t *testing.T) {
	var within time.Duration
	var pairs []string
	s := NewSet("x")
	s.DurationArg("DURATION", 0, time.Hour, &within).After("within")
	s.Pairs("NAME=W", 1, 9, func(name string, n int) { pairs = append(pairs, name) })
	if got, want := s.Usage(), "x [within DURATION] [NAME=W ...]"; got != want {
		t.Errorf("Usage() = %q, want %q", got, want)
	}
	if err := s.Parse(Split("within 2s a=1 b=2"), 18); err != nil || within != 2*time.Second || !slices.Equal(pairs, []string{"a", "b"}) {
		t.Errorf("parse: %v %v %v", err, within, pairs)
	}
	if err := s.Parse(Split("within"), 7); err == nil || !strings.Contains(err.Error(), "missing DURATION after within") {
		t.Errorf("within without a duration: %v", err)
	}
	if err := s.Parse(Split("a=0"), 4); err == nil || !strings.Contains(err.Error(), "out of range 1..9") {
		t.Errorf("pair out of range: %v", err)
	}
}

func TestCompletions(t *testing.T) {
	s := NewSet("demo")
	(&demo{}).declare(s)
	got := s.Completions(func(kind string) []string {
		if kind == "server" {
			return []string{"web-1", "db-1"}
		}
		return nil
	})
	for _, want := range []string{"demo off", "demo web-1", "demo db-1", "demo web-1 workers=", "demo db-1 mode=b", "demo web-1 fast", "demo web-1 zipf="} {
		if !slices.Contains(got, want) {
			t.Errorf("completions lack %q: %q", want, got)
		}
	}
}

func TestParseRate(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want float64
		ok   bool
	}{
		{"500/s", 500, true}, {"500", 500, true}, {"1.5k/s", 1500, true}, {"2m/s", 2e6, true},
		{"1e308k/s", 0, false}, {"NaN/s", 0, false}, {"-5/s", 0, false}, {"fast", 0, false}, {"2e7/s", 0, false},
	} {
		got, err := ParseRate(tc.in, 1e7)
		if (err == nil) != tc.ok || got != tc.want {
			t.Errorf("ParseRate(%q) = %v, %v", tc.in, got, err)
		}
	}
}

func FuzzParse(f *testing.F) {
	for _, s := range []string{"web-1 3 workers=8", "off", "web-1 fast zipf=2", "x=", "=", "web-1 share=1e400%", "\x00\xff"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, line string) {
		_, err := parse(line)
		var se *SyntaxError
		if err != nil && (!errors.As(err, &se) || se.Col < 1 || se.Col > len(line)+1) {
			t.Fatalf("parse(%q): bad error %v", line, err)
		}
	})
}
