package main

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/spf13/cobra"

	"github.com/scalelab/scalelab/lab"
	"github.com/scalelab/scalelab/lab/front"
	"github.com/scalelab/scalelab/lab/otlp"
	"github.com/scalelab/scalelab/lab/prom"
	"github.com/scalelab/scalelab/lab/session"
)

// frontFlags are the real-tools flags: --http opens the front door (and
// /metrics on it), --metrics serves /metrics alone, --otlp sends traces
// live.
type frontFlags struct {
	http, metrics, otlp string
	told                []lab.Event // where they are, for the lab's events (see announce)
}

func (f *frontFlags) add(cmd *cobra.Command) {
	cmd.Flags().StringVar(&f.http, "http", "", "serve real HTTP requests into the lab on `ADDR` (like 127.0.0.1:8080; :8080 is loopback): GET/PUT /item/{key}, POST /checkout, and GET /metrics for Prometheus")
	cmd.Flags().StringVar(&f.metrics, "metrics", "", "serve only GET /metrics, for Prometheus, on `ADDR` (like 127.0.0.1:9100)")
	cmd.Flags().StringVar(&f.otlp, "otlp", "", "send sampled traces live over OTLP/HTTP (JSON) to `URL` (like http://127.0.0.1:4318)")
}

// check validates the addresses before anything starts.
func (f *frontFlags) check() error {
	for _, a := range []struct{ flag, addr string }{{"http", f.http}, {"metrics", f.metrics}} {
		if a.addr == "" {
			continue
		}
		if _, err := front.ParseAddr(a.addr); err != nil {
			return usageError("--%s %v", a.flag, err)
		}
	}
	if f.otlp != "" {
		if _, err := otlp.ParseEndpoint(f.otlp); err != nil {
			return usageError("--otlp %v", err)
		}
	}
	if f.http != "" && f.metrics != "" {
		a, _ := front.ParseAddr(f.http)
		if b, _ := front.ParseAddr(f.metrics); a == b && !strings.HasSuffix(a, ":0") {
			return usageError("--metrics %s is --http's address too; /metrics is served there already: drop --metrics", f.metrics)
		}
	}
	return nil
}

// start opens the listeners and the trace exporter asked for, on l. It
// says where they are on errOut (nil: not at all); announce says it in
// the lab's events. The function it returns, called once l has stopped,
// closes them and says on its writer (nil: not at all) what the exporter
// sent.
func (f *frontFlags) start(l *lab.Lab, errOut io.Writer) (func(io.Writer), error) {
	d, err := f.open(errOut)
	if err != nil {
		return nil, err
	}
	if err := d.attach(l); err != nil {
		d.close(nil)
		return nil, err
	}
	return d.close, nil
}

// doors are the listeners and exporters the flags asked for. The
// listeners serve whichever lab is attached last: a talk builds a new lab
// each time it steps back, and the door and /metrics follow it; each lab
// has a trace exporter of its own, which stops with it.
type doors struct {
	f       *frontFlags
	errOut  io.Writer
	servers []*front.Server
	door    current // the front door of the lab attached last
	metrics current // its /metrics

	mu     sync.Mutex // a talk attaches its rebuilt labs from another goroutine
	exps   []*otlp.Exporter
	closed bool
}

// current hands each request to the handler set last; 503 before any.
type current struct{ h atomic.Pointer[http.Handler] }

func (c *current) set(h http.Handler) { c.h.Store(&h) }

func (c *current) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h := c.h.Load()
	if h == nil {
		http.Error(w, "no lab yet", http.StatusServiceUnavailable)
		return
	}
	(*h).ServeHTTP(w, r)
}

// open opens the listeners; attach gives them a lab.
func (f *frontFlags) open(errOut io.Writer) (*doors, error) {
	d := &doors{f: f, errOut: errOut}
	listen := func(flag, addr, what string, h http.Handler) error {
		s, err := front.Listen(addr, h)
		if err != nil {
			d.close(nil)
			return fmt.Errorf("--%s %s: %w", flag, addr, err)
		}
		d.servers = append(d.servers, s)
		f.told = append(f.told, lab.Event{Kind: lab.KindState, Component: flag, Detail: what + " on " + s.URL()})
		if errOut != nil {
			fmt.Fprintf(errOut, "scalelab: %s on %s\n", what, s.URL())
		}
		return nil
	}
	if f.http != "" {
		if err := listen("http", f.http, "front door", &d.door); err != nil {
			return nil, err
		}
	}
	if f.metrics != "" {
		mux := http.NewServeMux()
		mux.Handle("GET /metrics", &d.metrics)
		if err := listen("metrics", f.metrics, "Prometheus metrics", mux); err != nil {
			return nil, err
		}
	}
	return d, nil
}

// attach makes l the lab the listeners serve, and starts its trace
// exporter.
func (d *doors) attach(l *lab.Lab) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.closed {
		return errors.New("the program is ending")
	}
	if len(d.servers) > 0 {
		metrics := prom.Handler(l)
		d.metrics.set(metrics)
		d.door.set(front.New(l, front.Settings{Metrics: metrics}))
	}
	if d.f.otlp != "" {
		e, err := otlp.Start(l, otlp.Settings{Endpoint: d.f.otlp, Version: session.BuildVersion()})
		if err != nil {
			return fmt.Errorf("--otlp %s: %w", d.f.otlp, err)
		}
		d.exps = append(d.exps, e)
		if len(d.exps) == 1 { // the first lab: say where once
			d.f.told = append(d.f.told, lab.Event{Kind: lab.KindState, Component: "otlp", Detail: "sampled traces sent to " + e.URL() + " each second"})
			if d.errOut != nil {
				fmt.Fprintf(d.errOut, "scalelab: traces to %s\n", e.URL())
			}
		}
	}
	return nil
}

// close closes the listeners, waits for the exporters to send what is
// left, and says on w (nil: not at all) what they sent, all labs together.
func (d *doors) close(w io.Writer) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.closed = true
	for _, s := range d.servers {
		s.Close()
	}
	if len(d.exps) == 0 {
		return
	}
	var sum otlp.Stats
	for _, e := range d.exps {
		st := e.Stop()
		sum.Sent += st.Sent
		sum.Spans += st.Spans
		sum.Dropped += st.Dropped
		sum.Missed += st.Missed
		if st.LastErr != "" {
			sum.LastErr = st.LastErr
		}
	}
	if w == nil {
		return
	}
	fmt.Fprintf(w, "scalelab: otlp: %d traces (%d spans) sent to %s; %d dropped, %d missed", sum.Sent, sum.Spans, d.exps[0].URL(), sum.Dropped, sum.Missed)
	if sum.LastErr != "" {
		fmt.Fprintf(w, "; last error: %s", sum.LastErr)
	}
	fmt.Fprintln(w)
}

// announce publishes, in l's events, where start opened the front door,
// the metrics and the trace exporter: once whoever shows the events
// listens (the dashboard subscribes when it starts).
func (f *frontFlags) announce(l *lab.Lab) {
	for _, e := range f.told {
		l.Publish(e)
	}
	f.told = nil
}
