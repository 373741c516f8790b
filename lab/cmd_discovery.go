package lab

import (
	"errors"
	"fmt"
	"time"

	"github.com/scalelab/scalelab/components/discovery"
	"github.com/scalelab/scalelab/lab/args"
)

var discoveryCommand = command("discovery", func() action { return &discoveryAction{} },
	"service discovery for the web tier: web servers register with a registry and send a heartbeat every heartbeat=; one whose heartbeats stop is dropped ttl= after its last; the balancer routes only to listed servers (a hung server still heartbeats); off routes to every server again",
	"discovery on heartbeat=1s ttl=3s")

// Defaults and bounds of discovery's timing.
const (
	defaultHeartbeat = time.Second
	minHeartbeat     = 100 * time.Millisecond
	maxHeartbeat     = time.Minute
	maxTTL           = 10 * time.Minute
)

type discoveryAction struct {
	on, off   bool
	heartbeat args.Opt[time.Duration]
	ttl       args.Opt[time.Duration]
}

func (a *discoveryAction) declare(s *args.Set) {
	f := s.Or("on", &a.on)
	f.Duration("heartbeat", minHeartbeat, maxHeartbeat, &a.heartbeat)
	f.Duration("ttl", minHeartbeat, maxTTL, &a.ttl)
	s.Or("off", &a.off)
}

func (a *discoveryAction) apply(l *Lab) error {
	if a.off {
		if l.registry() != nil {
			l.setDiscovery(nil, 0)
			l.event(Event{Kind: KindState, Component: "registry", Detail: "discovery off: the balancer routes to every serving web server"})
		}
		return nil
	}
	every := a.heartbeat.Or(defaultHeartbeat)
	ttl := a.ttl.Or(3 * every)
	if ttl <= every {
		return fmt.Errorf("discovery: ttl=%s is not longer than heartbeat=%s: every server would be dropped between two heartbeats", ttl, every)
	}
	if every > maxHeartbeat {
		return errors.New("discovery: heartbeat too long")
	}
	l.setDiscovery(discovery.New(ttl), every)
	l.event(Event{Kind: KindState, Component: "registry", Detail: fmt.Sprintf("discovery on: heartbeat every %s, dropped %s after the last", every, ttl)})
	return nil
}
