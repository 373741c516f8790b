package theory

import (
	"math"
	"testing"
)

// Known values: one server is M/M/1, where P(wait) = ρ; and the textbook
// M/M/2 at a = 1 erlang, where C = 1/3.
func TestErlangC(t *testing.T) {
	for _, tc := range []struct {
		c       int
		a, want float64
	}{{1, 0.5, 0.5}, {1, 0.8, 0.8}, {2, 1, 1.0 / 3}} {
		if got := ErlangC(tc.c, tc.a); math.Abs(got-tc.want) > 1e-12 {
			t.Errorf("ErlangC(%d, %g) = %g, want %g", tc.c, tc.a, got, tc.want)
		}
	}
}
