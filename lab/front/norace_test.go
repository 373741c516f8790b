//go:build !race

package front

const raceSlowdown = 1
