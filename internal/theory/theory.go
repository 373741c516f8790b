// Package theory holds the queueing formulas the lab's tests check the
// running components against.
package theory

// ErlangC is the probability that an arrival waits in M/M/c with offered
// load a = λ·E[S] erlangs (a < c): Erlang's C formula.
func ErlangC(c int, a float64) float64 {
	term, sum := 1.0, 1.0 // a^k/k!, summed for k < c
	for k := 1; k < c; k++ {
		term *= a / float64(k)
		sum += term
	}
	last := term * a / float64(c) * float64(c) / (float64(c) - a) // a^c/c! · c/(c−a)
	return last / (sum + last)
}
