package breaker_test

import (
	"errors"
	"fmt"
	"time"

	"github.com/scalelab/scalelab/components/breaker"
)

// A FailureRatio breaker trips on a failure share, not a streak: here half
// of at least 4 calls in the last 10 seconds. The first three calls, two of
// them failed, are too few to judge; ten seconds later they have rolled out,
// and two failures in four calls, none in a row, trip it.
func Example_failureRatio() {
	now := time.Date(2024, 1, 1, 12, 0, 0, 0, time.UTC)
	b := breaker.New(breaker.Settings{
		Name: "payments", Mode: breaker.FailureRatio, Ratio: 0.5, MinRequests: 4, Window: 10 * time.Second,
		Now: func() time.Time { return now },
	})
	down := errors.New("payments: timeout")
	outcome := func(ok bool) {
		b.Execute(func() error {
			if ok {
				return nil
			}
			return down
		})
		st := b.Stats()
		fmt.Printf("%s %d of %d failed in the window: %v\n", now.Format("15:04:05"), st.Recent.Failures, st.Recent.Requests, st.State)
	}
	outcome(false)
	outcome(true)
	outcome(false)
	now = now.Add(10 * time.Second) // those three roll out
	outcome(true)
	outcome(false)
	outcome(true)
	outcome(false)
	// Output:
	// 12:00:00 1 of 1 failed in the window: closed
	// 12:00:00 1 of 2 failed in the window: closed
	// 12:00:00 2 of 3 failed in the window: closed
	// 12:00:10 0 of 1 failed in the window: closed
	// 12:00:10 1 of 2 failed in the window: closed
	// 12:00:10 1 of 3 failed in the window: closed
	// 12:00:10 2 of 4 failed in the window: open
}
