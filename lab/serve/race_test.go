//go:build race

package serve

// raceBuild: the race detector multiplies memory use several times over, so
// a memory budget measured under it means nothing.
const raceBuild = true
