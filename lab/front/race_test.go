//go:build race

package front

// The race detector slows every request several times over.
const raceSlowdown = 5
