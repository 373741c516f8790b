package backend

import (
	"math/rand/v2"
	"strings"
	"testing"
	"time"
)

func TestParseDist(t *testing.T) {
	ms := time.Millisecond
	tests := []struct {
		in   string
		want Dist
	}{
		{"const:5ms", Dist{Const, 5 * ms, 0}},
		{"5ms", Dist{Const, 5 * ms, 0}},
		{"0", Dist{}},
		{"const:0", Dist{}},
		{" CONST : 1s ", Dist{Const, time.Second, 0}},
		{"uniform:10ms-30ms", Dist{Uniform, 10 * ms, 30 * ms}},
		{"uniform:7ms-7ms", Dist{Uniform, 7 * ms, 7 * ms}},
		{"exp:20ms", Dist{Exp, 20 * ms, 0}},
		{"exp:1h", Dist{Exp, time.Hour, 0}},
	}
	for _, tt := range tests {
		got, err := ParseDist(tt.in)
		if err != nil || got != tt.want {
			t.Errorf("ParseDist(%q) = %+v, %v; want %+v", tt.in, got, err, tt.want)
		}
	}
}

func TestParseDistRejects(t *testing.T) {
	for _, in := range []string{
		"", "const:", "const:-5ms", "-5ms", "exp:-1s", "exp:2h", "normal:5ms",
		"uniform:10ms", "uniform:30ms-10ms", "uniform:-5ms-10ms", "uniform:1ms-x",
		"exp:20", "5 ms", ":5ms",
	} {
		_, err := ParseDist(in)
		if err == nil {
			t.Errorf("ParseDist(%q) accepted", in)
			continue
		}
		if !strings.Contains(err.Error(), "accepted: const:5ms, uniform:10ms-30ms, exp:20ms") {
			t.Errorf("ParseDist(%q) error %q does not say what is accepted", in, err)
		}
	}
}

func TestDistStringRoundTrips(t *testing.T) {
	for _, s := range []string{"const:5ms", "uniform:10ms-30ms", "exp:20ms", "const:0s", "exp:1.5ms"} {
		d, err := ParseDist(s)
		if err != nil {
			t.Fatal(err)
		}
		if d.String() != s {
			t.Errorf("ParseDist(%q).String() = %q", s, d.String())
		}
	}
	if got := (Dist{Kind: 9}).String(); got != "kind(9)" {
		t.Errorf("unknown kind String = %q", got)
	}
}

func TestKindString(t *testing.T) {
	for k, want := range map[Kind]string{Const: "const", Uniform: "uniform", Exp: "exp", -1: "kind(-1)"} {
		if got := k.String(); got != want {
			t.Errorf("Kind(%d).String() = %q, want %q", int(k), got, want)
		}
	}
}

func TestDistMean(t *testing.T) {
	ms := time.Millisecond
	for _, tt := range []struct {
		d    Dist
		want time.Duration
	}{
		{Dist{Const, 5 * ms, 0}, 5 * ms},
		{Dist{Uniform, 10 * ms, 30 * ms}, 20 * ms},
		{Dist{Exp, 20 * ms, 0}, 20 * ms},
		{Dist{Uniform, 30 * ms, 10 * ms}, 30 * ms}, // backwards: clamped to B = A
		{Dist{Const, -ms, 0}, 0},
	} {
		if got := tt.d.Mean(); got != tt.want {
			t.Errorf("%+v.Mean() = %v, want %v", tt.d, got, tt.want)
		}
	}
}

func TestSampleStaysInRange(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	ms := time.Millisecond
	for _, d := range []Dist{
		{Uniform, 10 * ms, 30 * ms}, {Uniform, 100, 350}, {Uniform, 0, MaxDuration},
		{Uniform, -ms, 5 * MaxDuration}, {Exp, 20 * ms, 0}, {Exp, 500, 0}, {Const, 3 * ms, 0},
	} {
		c := d.clamped()
		lo, hi := c.A, c.B
		if d.Kind != Uniform {
			lo, hi = 0, 100*c.A
		}
		if d.Kind == Const {
			lo, hi = c.A, c.A
		}
		for range 10000 {
			if x := d.Sample(r); x < lo || x > hi {
				t.Fatalf("%+v.Sample() = %v, outside %v..%v", d, x, lo, hi)
			}
		}
	}
}

func TestSampleMeans(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 7))
	ms := time.Millisecond
	for _, d := range []Dist{{Uniform, 10 * ms, 30 * ms}, {Exp, 20 * ms, 0}} {
		const n = 200000
		var sum time.Duration
		for range n {
			sum += d.Sample(r)
		}
		mean := sum / n
		if diff := mean - d.Mean(); diff < -d.Mean()/100 || diff > d.Mean()/100 {
			t.Errorf("%v: sample mean %v, want %v within 1%%", d, mean, d.Mean())
		}
	}
}

func FuzzParseDist(f *testing.F) {
	for _, s := range []string{"const:5ms", "uniform:10ms-30ms", "exp:20ms", "0", "5ms", "uniform:1h-1h", "exp:-1s", "x:y:z"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		d, err := ParseDist(s)
		if err != nil {
			return
		}
		back, err := ParseDist(d.String())
		if err != nil || back != d {
			t.Fatalf("ParseDist(%q) = %+v; String %q parses to %+v, %v", s, d, d.String(), back, err)
		}
		if x := d.Sample(rand.New(rand.NewPCG(1, 1))); x < 0 {
			t.Fatalf("%v sampled negative %v", d, x)
		}
	})
}
