package lab

import (
	"github.com/scalelab/scalelab/components/backend"
	"github.com/scalelab/scalelab/components/queue"
)

// The registry series the lab keeps over its components' own totals, so
// that windows (rates, means, ratios) can be taken over them.

// registerSeries exposes component totals to the registry so windows can be
// taken over them.
func (l *Lab) registerSeries() {
	for _, name := range l.serverNames() {
		l.registerServer(name)
	}
	for _, name := range l.webNames() {
		l.registerWeb(name)
	}
	if t := l.ctier; t != nil {
		l.reg.CounterFunc("cache.evictions", func() float64 { return float64(t.total().Evictions) })
		l.reg.CounterFunc("cache.expirations", func() float64 { return float64(t.total().Expirations) })
	}
	if b := l.broker; b != nil {
		topic := func(field func(queue.TopicStats) uint64) func() float64 {
			return func() float64 {
				st, _ := b.Topic(writesTopic)
				return float64(field(st))
			}
		}
		l.reg.CounterFunc("queue.published", topic(func(s queue.TopicStats) uint64 { return s.Published }))
		l.reg.CounterFunc("queue.acked", topic(func(s queue.TopicStats) uint64 { return s.Acked }))
		l.reg.CounterFunc("queue.rejected", topic(func(s queue.TopicStats) uint64 { return s.Rejected }))
		l.reg.CounterFunc("queue.retried", topic(func(s queue.TopicStats) uint64 { return s.Retried }))
	}
	if br := l.breaker; br != nil {
		l.reg.CounterFunc("breaker.rejected", func() float64 { return float64(br.Stats().Rejected) })
	}
}

func (l *Lab) registerServer(name string) {
	s := l.server(name)
	if s == nil {
		return
	}
	b := s.b
	for _, c := range []struct {
		base string
		read func(backend.Stats) float64
	}{
		{"backend.completed", func(st backend.Stats) float64 { return float64(st.Completed) }},
		{"backend.rejected", func(st backend.Stats) float64 { return float64(st.Rejected + st.Refused) }},
		{"backend.errors", func(st backend.Stats) float64 { return float64(st.Errors + st.Timeouts) }},
		{"backend.wait_ms", func(st backend.Stats) float64 { return ms(st.QueueWaitTotal) }},
		{"backend.service_ms", func(st backend.Stats) float64 { return ms(st.ServiceTotal) }},
	} {
		series, read := c.base+"{"+name+"}", c.read
		l.reg.CounterFunc(series, func() float64 { return read(b.Stats()) })
		s.metrics = append(s.metrics, series)
	}
}

func (l *Lab) registerWeb(name string) {
	lb := l.lb
	l.reg.CounterFunc("lb.picks{"+name+"}", func() float64 {
		for _, s := range lb.Stats().Servers {
			if s.Name == name {
				return float64(s.Picks)
			}
		}
		return 0
	})
}
