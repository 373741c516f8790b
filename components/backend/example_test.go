package backend_test

import (
	"fmt"

	"github.com/scalelab/scalelab/components/backend"
	"github.com/scalelab/scalelab/components/clock"
)

// Three requests reach a one-worker server at the same moment. The first is
// served at once; the others wait in the accept queue for the ones ahead.
// The times are exact even though real timers wake up late: the worker
// keeps logical lab time.
func Example() {
	clk := clock.New(1)
	service, _ := backend.ParseDist("const:10ms")
	b := backend.New(backend.Settings{Name: "web-1", Workers: 1, QueueSize: 8, Service: service, Clock: clk})
	defer b.Stop()

	now := clk.Now()
	results := make(chan backend.Result, 3)
	for range 3 {
		b.Submit(backend.Request{Arrive: now}, func(r backend.Result) { results <- r })
	}
	for i := range 3 {
		r := <-results
		fmt.Printf("request %d: waited %v, served %v, answered at +%v\n", i+1, r.QueueWait, r.Service, r.End.Sub(now))
	}
	// Output:
	// request 1: waited 0s, served 10ms, answered at +10ms
	// request 2: waited 10ms, served 10ms, answered at +20ms
	// request 3: waited 20ms, served 10ms, answered at +30ms
}

// ParseDist reads the service-time forms the lab's commands use.
func ExampleParseDist() {
	for _, s := range []string{"const:5ms", "uniform:10ms-30ms", "exp:20ms", "exp:-1s"} {
		d, err := backend.ParseDist(s)
		if err != nil {
			fmt.Println(err)
			continue
		}
		fmt.Printf("%v: mean %v\n", d, d.Mean())
	}
	// Output:
	// const:5ms: mean 5ms
	// uniform:10ms-30ms: mean 20ms
	// exp:20ms: mean 20ms
	// service time "exp:-1s": -1s is negative (accepted: const:5ms, uniform:10ms-30ms, exp:20ms, or a bare duration)
}
