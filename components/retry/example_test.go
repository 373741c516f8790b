package retry_test

import (
	"errors"
	"fmt"
	"time"

	"github.com/scalelab/scalelab/components/retry"
)

// A dependency that fails twice, then answers: three attempts, each retry
// waiting the policy's backoff (no jitter here, so the waits are exact:
// 100 ms, then 200 ms) after the failed attempt ended.
func Example() {
	t0 := time.Date(2024, 1, 1, 12, 0, 0, 0, time.UTC)
	failures := 2
	call := func(at time.Time) (time.Time, error) {
		fmt.Printf("attempt at +%v\n", at.Sub(t0))
		if failures > 0 {
			failures--
			return at.Add(10 * time.Millisecond), errors.New("503")
		}
		return at.Add(10 * time.Millisecond), nil
	}
	r := retry.New(retry.Settings{Policy: retry.Policy{Attempts: 5, Base: 100 * time.Millisecond, Max: time.Second}})
	o := r.Do(t0, call)
	fmt.Printf("%d attempts, err %v, done at +%v\n", o.Attempts, o.Err, o.End.Sub(t0))
	// Output:
	// attempt at +0s
	// attempt at +110ms
	// attempt at +320ms
	// 3 attempts, err <nil>, done at +330ms
}
