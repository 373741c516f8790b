package breaker_test

import (
	"errors"
	"fmt"
	"time"

	"github.com/scalelab/scalelab/components/breaker"
)

func Example() {
	now := time.Date(2024, 1, 1, 12, 0, 0, 0, time.UTC)
	b := breaker.New(breaker.Settings{
		Name:      "payments",
		Threshold: 3,
		OpenFor:   10 * time.Second,
		Now:       func() time.Time { return now },
		OnStateChange: func(name string, from, to breaker.State, at time.Time) {
			fmt.Printf("%s %s: %v -> %v\n", at.Format("15:04:05"), name, from, to)
		},
	})
	down := errors.New("payments: timeout")

	for range 4 {
		err := b.Execute(func() error { return down })
		fmt.Println("call:", err)
	}
	now = now.Add(10 * time.Second)
	err := b.Execute(func() error { return nil })
	fmt.Println("trial:", err, "| state:", b.State())
	// Output:
	// call: payments: timeout
	// call: payments: timeout
	// 12:00:00 payments: closed -> open
	// call: payments: timeout
	// call: circuit breaker is open
	// 12:00:10 payments: open -> half-open
	// 12:00:10 payments: half-open -> closed
	// trial: <nil> | state: closed
}
