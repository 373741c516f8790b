//go:build !unix

package lab

import "time"

// cpuTime is unavailable here; bench reports 0 CPU per request.
func cpuTime() time.Duration { return 0 }
