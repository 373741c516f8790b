package trace_test

import (
	"errors"
	"fmt"
	"time"

	"github.com/scalelab/scalelab/components/trace"
)

func ExampleTraceparent() {
	header := "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"
	tid, parent, sampled, err := trace.ParseTraceparent(header)
	fmt.Println(tid, parent, sampled, err)

	_, _, _, err = trace.ParseTraceparent("ff" + header[2:])
	fmt.Println(err)

	fmt.Println(trace.Traceparent(tid, parent, false))
	// Output:
	// 4bf92f3577b34da6a3ce929d0e0e4736 00f067aa0ba902b7 true <nil>
	// invalid traceparent: version ff is forbidden
	// 00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-00
}

func ExampleTracer() {
	tracer := trace.New(trace.Settings{SampleRate: 1, Seed: 1})
	t0 := time.Date(2024, 1, 1, 12, 0, 0, 0, time.UTC)
	ms := func(n int) time.Time { return t0.Add(time.Duration(n) * time.Millisecond) }

	req := tracer.Start("GET /checkout", t0)
	web := req.Span("web-2", req.Root(), ms(1), ms(48), nil)
	req.Span("cache", web, ms(2), ms(3), nil, trace.Attr{Key: "result", Value: "miss"})
	req.Span("payments", web, ms(4), ms(46), errors.New("timeout"))
	req.Finish(ms(50), nil)

	f, _ := tracer.Latest()
	fmt.Println("trace", f.ID, "took", f.Duration, "failed:", f.Err)
	for _, s := range f.Spans {
		fmt.Printf("  %-14s %5v", s.Name, s.Duration())
		if s.Err != "" {
			fmt.Print(" error: ", s.Err)
		}
		fmt.Println()
	}
	fmt.Println("outgoing:", req.Traceparent(web))
	// Output:
	// trace bfef8030ddc2d7725f552ce482f2aa47 took 50ms failed: true
	//   GET /checkout   50ms
	//   web-2           47ms
	//   cache            1ms
	//   payments        42ms error: timeout
	// outgoing: 00-bfef8030ddc2d7725f552ce482f2aa47-c9a49623d35cf414-01
}
