package lab

import (
	"errors"
	"strings"
	"testing"
)

// wantSyntaxError checks that line is refused with a SyntaxError whose
// message contains msg.
func wantSyntaxError(t *testing.T, line, msg string) {
	t.Helper()
	_, err := Parse(line)
	var se *SyntaxError
	if !errors.As(err, &se) || !strings.Contains(se.Msg, msg) {
		t.Errorf("%s: err = %v, want %q", line, err, msg)
	}
}

func TestParseAccepts(t *testing.T) {
	lines := []string{
		"load 500/s zipf=1.1 keys=10000 reads=90%",
		"load off",
		"load 1.5k/s constant uniform",
		"load 200 poisson hotspot=10%",
		"backend web-1 workers=8 queue=32 service=exp:20ms",
		"backend db-1 service=uniform:10ms-30ms",
		"kill web-2", "revive web-2", "slow web-1 +200ms", "slow web-1 off",
		"errors payments 30%", "errors payments 0.3", "errors payments off", "hang db-1", "hang db-1 off",
		"balancer least-conn", "balancer weighted web-1=5 web-2=1 web-3=1", "balancer hash",
		"cache size 1000 ttl=30s", "cache ttl 0s", "cache mode write-behind delay=2s", "cache mode invalidate", "cache clear",
		"shard add", "shard add db-9", "shard remove db-2", "shard strategy ring vnodes=100", "shard strategy mod",
		"queue consumers=4 capacity=500 full=reject attempts=5 retry=1s",
		"breaker payments threshold=5 open=10s trials=2",
		"trace sample 10%", "scale web 5",
		"health interval=1s fails=2 passes=2", "health off",
		"speed 0.25x", "speed 10", "pause", "resume", "wait 10s",
		"expect cache.hit_ratio >= 0.8 within 30s",
		"expect latency.p99 < 200ms",
		"expect lb.share{backend=web-2} < 5%",
		"expect breaker.state{name=payments} == open within 20s",
		"expect backend.health{backend=web-1} == down",
		"  load   500/s  ",
	}
	for _, line := range lines {
		c, err := Parse(line)
		if err != nil {
			t.Errorf("Parse(%q): %v", line, err)
			continue
		}
		if c == nil || c.action == nil {
			t.Errorf("Parse(%q) gave no command", line)
		}
	}
}

func TestParseIgnoresBlankAndComments(t *testing.T) {
	for _, line := range []string{"", "   ", "# a comment", "  # indented"} {
		c, err := Parse(line)
		if c != nil || err != nil {
			t.Errorf("Parse(%q) = %v, %v; want nil, nil", line, c, err)
		}
	}
}

func TestParseRejects(t *testing.T) {
	cases := []struct {
		line string
		col  int
		want string
	}{
		{"lod 500/s", 1, `unknown command "lod"`},
		{"load", 5, "missing RATE/s or off"},
		{"load 500/s zipff=1.1", 12, `unexpected "zipff=1.1"`},
		{"load 500/s zipf=0.9", 12, "out of range 1.0001..5"},
		{"load fast", 6, "not a rate"},
		{"load 500/s reads=120%", 12, "out of range"},
		{"load off now", 10, "takes nothing"},
		{"load 500/s keys=0", 12, "out of range 1..1000000"},
		{"backend web-1", 14, "nothing to change"},
		{"backend web-1 workers=0", 15, "out of range 1..1024"},
		{"backend web-1 service=gauss:3ms", 15, "service:"},
		{"kill", 5, "missing NAME"},
		{"kill web-1 now", 12, `unexpected "now"`},
		{"slow web-1 200ms", 12, "plus sign"},
		{"slow web-1 +fast", 12, "not a duration"},
		{"errors payments 130%", 17, "out of range"},
		{"hang db-1 forever", 11, `"forever" is not one of off`},
		{"balancer fastest", 10, "is not one of round-robin, weighted"},
		{"balancer weighted web-1=0", 19, "out of range 1..1000"},
		{"balancer weighted web-1", 19, "NAME=WEIGHT"},
		{"cache size", 11, "missing N"},
		{"cache size -5", 12, "out of range"},
		{"cache mode write-around", 12, ""},
		{"cache size 100 delay=1s", 16, `unexpected "delay=1s"`},
		{"cache tier foo", 12, `"foo" is not one of global, local, distributed`},
		{"cache nodes 17", 13, `17 is out of range 1..16`},
		{"cache ttl 1s jitter=NaN%", 14, `"NaN%" is not a percentage`},
		{"cdn on ttl=0s", 8, `0s is out of range 1ms..24h0m0s`},
		{"cdn", 4, `missing on, off or purge`},
		{"cache warm", 7, `unexpected "warm"; cache takes size, ttl, tier, nodes, coalesce, mode, clear, off or on`},
		{"shard remove", 13, "missing NAME"},
		{"shard strategy mod vnodes=10", 20, "only ring takes vnodes"},
		{"shard strategy zigzag", 16, ""},
		{"shard split", 7, `unexpected "split"; shard takes add, remove or strategy`},
		{"queue consumers=-1", 7, "consumers:"},
		{"queue full=drop", 7, ""},
		{"breaker payments open=0s", 18, "out of range 1ms..1h0m0s"},
		{"trace sample", 13, "missing P%"},
		{"scale db 3", 7, "scale takes web"},
		{"scale web 0", 11, "out of range 1..64"},
		{"trace rate 10%", 7, "trace takes sample"},
		{"speed 50x", 7, "out of range 0.1x..20x"},
		{"speed fast", 7, "not a speed"},
		{"pause now", 7, "pause takes nothing after it"},
		{"wait", 5, "missing DURATION"},
		{"wait forever", 6, "not a duration"},
		{"wait 2h", 6, "out of range"},
		{"expect cache.hit_ratio", 23, "missing OP"},
		{"expect cache.hitratio >= 0.8", 8, "unknown metric"},
		{"expect cache.hit_ratio => 0.8", 24, "is not one of <=, >=, ==, !=, <, >"},
		{"expect cache.hit_ratio >= lots", 27, "not a number"},
		{"expect latency.p99 < 80%", 22, "not a percentage"},
		{"expect queue.depth < 2s", 22, "not a duration"},
		{"expect lb.routed > 3", 8, "needs a label"},
		{"expect lb.routed{shard=db-1} > 3", 8, "label must be {backend=NAME}"},
		{"expect cache.size > 3 within", 29, "missing DURATION"},
		{"expect cache.size > 3 during 5s", 23, `unexpected "during"`},
		{"expect breaker.state{name=payments} == ajar", 40, "accepted: a number or closed, half-open, open"},
		{"shard add db-\x1b]2;PWNED\a", 14, "U+001B is not a character a command may hold"},
		{"expect lb.routed{backend=\u009b31m} > 1", 26, "U+009B"},
		{"load 100/s\r", 11, "U+000D"},
		{"kill web-\xff", 10, "U+FFFD"},
		{"shard add DB-9", 11, "is not a name"},
	}
	for _, tc := range cases {
		c, err := Parse(tc.line)
		if err == nil {
			t.Errorf("Parse(%q) = %v, want an error", tc.line, c)
			continue
		}
		var se *SyntaxError
		if !errors.As(err, &se) {
			t.Errorf("Parse(%q): error %T is not a *SyntaxError", tc.line, err)
			continue
		}
		if se.Col != tc.col {
			t.Errorf("Parse(%q): col %d, want %d (%v)", tc.line, se.Col, tc.col, err)
		}
		if !strings.Contains(err.Error(), tc.want) {
			t.Errorf("Parse(%q): %q does not mention %q", tc.line, err, tc.want)
		}
	}
}

func TestSpecsCoverEveryCommandAndExamplesParse(t *testing.T) {
	seen := map[string]bool{}
	for _, s := range Specs() {
		if seen[s.Name] {
			t.Errorf("command %q listed twice", s.Name)
		}
		seen[s.Name] = true
		if s.Usage() == "" || s.Summary == "" || s.Example == "" {
			t.Errorf("command %q lacks usage, summary or example", s.Name)
		}
		c, err := Parse(s.Example)
		if err != nil || c.Name != s.Name {
			t.Errorf("example %q of %q: %v", s.Example, s.Name, err)
		}
	}
	for _, want := range []string{"load", "backend", "kill", "revive", "slow", "errors", "hang", "balancer", "cache", "shard", "queue", "breaker", "scale", "trace", "speed", "pause", "resume", "wait", "expect"} {
		if !seen[want] {
			t.Errorf("command table lacks %q", want)
		}
	}
}

func TestParseScriptReportsEveryBadLine(t *testing.T) {
	src := "load 100/s\n# fine\nlod 5\n\nwait 1s\nspeed 99x\n"
	_, err := ParseScript("demo.lab", strings.NewReader(src))
	if err == nil {
		t.Fatal("want an error")
	}
	for _, want := range []string{"demo.lab:3:1: unknown command", "demo.lab:6:7: speed 99x is out of range"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q lacks %q", err, want)
		}
	}
	lines, err := ParseScript("ok.lab", strings.NewReader("load 100/s\n\n# c\nwait 1s\n"))
	if err != nil || len(lines) != 2 || lines[1].N != 4 {
		t.Fatalf("ParseScript ok.lab = %v, %v", lines, err)
	}
}

func FuzzParse(f *testing.F) {
	for _, s := range Specs() {
		f.Add(s.Example)
		f.Add(s.Usage())
	}
	f.Add("expect lb.routed{backend=web-1 > 3")
	f.Add("load 1e400/s")
	f.Add("load NaN/s")
	f.Add("slow web-1 +-5s")
	f.Add("\x00\xff load")
	f.Fuzz(func(t *testing.T, line string) {
		c, err := Parse(line)
		if err != nil && c != nil {
			t.Fatalf("Parse(%q) returned both a command and an error", line)
		}
		if err != nil {
			var se *SyntaxError
			if !errors.As(err, &se) || se.Col < 1 || se.Col > len(line)+1 {
				t.Fatalf("Parse(%q): bad error position: %v", line, err)
			}
		}
	})
}

// A script of nothing but bad lines costs bounded memory and output: the
// first MaxScriptErrors are reported, the rest counted.
func TestParseScriptCapsErrors(t *testing.T) {
	src := strings.Repeat("lod 5\n", 10000)
	_, err := ParseScript("bad.lab", strings.NewReader(src))
	if err == nil {
		t.Fatal("no error")
	}
	msg := err.Error()
	if n := strings.Count(msg, "unknown command"); n != MaxScriptErrors {
		t.Errorf("%d errors reported, want %d", n, MaxScriptErrors)
	}
	if !strings.Contains(msg, "… and 9900 more bad lines") {
		t.Errorf("no count of the rest: %q", msg[len(msg)-80:])
	}
	long := "load 1/s " + strings.Repeat("x", MaxScriptLine)
	if _, err := ParseScript("long.lab", strings.NewReader(long)); err == nil || !strings.Contains(err.Error(), "long.lab:1:1: the line is 4105 bytes long") {
		t.Errorf("long line: %v", err)
	}
	huge := strings.NewReader(strings.Repeat("wait 1s\n", MaxScriptBytes/8+1))
	if _, err := ParseScript("huge.lab", huge); err == nil || !strings.Contains(err.Error(), "longer than 4 MiB") {
		t.Errorf("huge script: %v", err)
	}
}
