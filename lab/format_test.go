package lab

import (
	"math"
	"testing"
)

func TestFormatMetric(t *testing.T) {
	for _, tc := range []struct {
		name string
		v    float64
		want string
	}{
		{"lb.share{backend=web-1}", 0.3333, "33.3%"},
		{"latency.p99", 212.46, "212.5ms"},
		{"backend.health{backend=web-1}", 1, "slow"},
		{"backend.health{backend=web-1}", 9, "9"},
		{"breaker.state{name=payments}", 2, "open"},
		{"queue.depth", 12, "12"},
		{"requests.rate", 494.7, "494.7 req/s"},
		{"lab.speed", 0.25, "×0.25"},
		{"lab.time", 12.34, "12.3s"},
		{"no.such.metric", 0.123456, "0.1235"},
	} {
		if got := FormatMetric(tc.name, tc.v); got != tc.want {
			t.Errorf("FormatMetric(%s, %g) = %q, want %q", tc.name, tc.v, got, tc.want)
		}
	}
}

func TestFormatNumber(t *testing.T) {
	for _, tc := range []struct {
		v    float64
		prec int
		want string
	}{
		{0.8, 4, "0.8"}, {12.34567, 2, "12.35"}, {0, 3, "0"}, {-0.00001, 2, "0"}, {100, 1, "100"},
		{math.NaN(), 2, "NaN"}, {math.Inf(1), 2, "+Inf"},
	} {
		if got := FormatNumber(tc.v, tc.prec); got != tc.want {
			t.Errorf("FormatNumber(%g, %d) = %q, want %q", tc.v, tc.prec, got, tc.want)
		}
	}
}
