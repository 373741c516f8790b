package main

import (
	"fmt"
	"io"
	"net/http"

	"github.com/spf13/cobra"

	"github.com/scalelab/scalelab/lab"
	"github.com/scalelab/scalelab/lab/front"
)

// frontFlags are the real-tools flags: --http opens the front door (and
// /metrics on it), --metrics serves /metrics alone.
type frontFlags struct {
	http string
}

func (f *frontFlags) add(cmd *cobra.Command) {
	cmd.Flags().StringVar(&f.http, "http", "", "serve real HTTP requests into the lab on `ADDR` (like 127.0.0.1:8080; :8080 is loopback): GET/PUT /item/{key}, POST /checkout")
}

// check validates the addresses before anything starts.
func (f *frontFlags) check() error {
	if f.http == "" {
		return nil
	}
	if _, err := front.ParseAddr(f.http); err != nil {
		return usageError("--http %v", err)
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
		if err := open("http", f.http, "front door", front.New(l, front.Settings{})); err != nil {
			return nil, err
		}
	}
	return closeAll, nil
}
