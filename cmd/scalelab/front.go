package main

import (
	"fmt"
	"io"
	"net/http"
	"strings"

	"github.com/spf13/cobra"

	"github.com/scalelab/scalelab/lab"
	"github.com/scalelab/scalelab/lab/front"
	"github.com/scalelab/scalelab/lab/prom"
)

// frontFlags are the real-tools flags: --http opens the front door (and
// /metrics on it), --metrics serves /metrics alone.
type frontFlags struct {
	http, metrics string
}

func (f *frontFlags) add(cmd *cobra.Command) {
	cmd.Flags().StringVar(&f.http, "http", "", "serve real HTTP requests into the lab on `ADDR` (like 127.0.0.1:8080; :8080 is loopback): GET/PUT /item/{key}, POST /checkout, and GET /metrics for Prometheus")
	cmd.Flags().StringVar(&f.metrics, "metrics", "", "serve only GET /metrics, for Prometheus, on `ADDR` (like 127.0.0.1:9100)")
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
	if f.http != "" && f.metrics != "" {
		a, _ := front.ParseAddr(f.http)
		if b, _ := front.ParseAddr(f.metrics); a == b && !strings.HasSuffix(a, ":0") {
			return usageError("--metrics %s is --http's address too; /metrics is served there already: drop --metrics", f.metrics)
		}
	}
	return nil
}

// start opens the listeners asked for on l; they close when l stops. It
// says where they listen on errOut (nil: not at all) and in the lab's
// events. The function it returns waits for them to close.
func (f *frontFlags) start(l *lab.Lab, errOut io.Writer) (func(), error) {
	var servers []*front.Server
	closeAll := func() {
		for _, s := range servers {
			s.Close()
		}
	}
	open := func(flag, addr, what string, h http.Handler) error {
		s, err := front.Listen(l, addr, h)
		if err != nil {
			closeAll()
			return fmt.Errorf("--%s %s: %w", flag, addr, err)
		}
		servers = append(servers, s)
		l.Publish(lab.Event{Kind: lab.KindState, Component: flag, Detail: what + " on " + s.URL()})
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
	return closeAll, nil
}
