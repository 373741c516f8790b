package main

import (
	"fmt"
	"io"
	"net/http"
	"strings"

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

// start opens the listeners and the trace exporter asked for on l; they
// close when l stops. It says where they are on errOut (nil: not at all);
// announce says it in the lab's events. The function it returns, called
// once l has stopped, waits for them to close and says on its writer
// (nil: not at all) what the exporter sent.
func (f *frontFlags) start(l *lab.Lab, errOut io.Writer) (func(io.Writer), error) {
	var servers []*front.Server
	var exp *otlp.Exporter
	closeAll := func(w io.Writer) {
		for _, s := range servers {
			s.Close()
		}
		if exp != nil {
			st := exp.Stop()
			if w != nil {
				fmt.Fprintf(w, "scalelab: otlp: %d traces (%d spans) sent to %s; %d dropped, %d missed", st.Sent, st.Spans, exp.URL(), st.Dropped, st.Missed)
				if st.LastErr != "" {
					fmt.Fprintf(w, "; last error: %s", st.LastErr)
				}
				fmt.Fprintln(w)
			}
		}
	}
	open := func(flag, addr, what string, h http.Handler) error {
		s, err := front.Listen(l, addr, h)
		if err != nil {
			closeAll(nil)
			return fmt.Errorf("--%s %s: %w", flag, addr, err)
		}
		servers = append(servers, s)
		f.told = append(f.told, lab.Event{Kind: lab.KindState, Component: flag, Detail: what + " on " + s.URL()})
		if errOut != nil {
			fmt.Fprintf(errOut, "scalelab: %s on %s\n", what, s.URL())
		}
		return nil
	}
	if f.http != "" {
		if err := open("http", f.http, "front door", front.New(l, front.Settings{Metrics: prom.Handler(l)})); err != nil {
			return nil, err
		}
	}
	if f.metrics != "" {
		mux := http.NewServeMux()
		mux.Handle("GET /metrics", prom.Handler(l))
		if err := open("metrics", f.metrics, "Prometheus metrics", mux); err != nil {
			return nil, err
		}
	}
	if f.otlp != "" {
		e, err := otlp.Start(l, otlp.Settings{Endpoint: f.otlp, Version: session.BuildVersion()})
		if err != nil {
			closeAll(nil)
			return nil, fmt.Errorf("--otlp %s: %w", f.otlp, err)
		}
		exp = e
		f.told = append(f.told, lab.Event{Kind: lab.KindState, Component: "otlp", Detail: "sampled traces sent to " + e.URL() + " each second"})
		if errOut != nil {
			fmt.Fprintf(errOut, "scalelab: traces to %s\n", e.URL())
		}
	}
	return closeAll, nil
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
