package lab

import (
	"github.com/scalelab/scalelab/components/backend"
	"github.com/scalelab/scalelab/lab/args"
)

var backendCommand = command("backend", func() action { return &backendAction{} },
	"resize a server's worker pool and accept queue, or change its service-time distribution",
	"backend web-1 workers=8 queue=32 service=exp:20ms")

type backendAction struct {
	name           string
	workers, queue args.Opt[int]
	service        args.Opt[backend.Dist]
}

func (a *backendAction) declare(s *args.Set) {
	s.TargetArg(TargetServer, &a.name)
	s.Int("workers", 1, 1024, &a.workers)
	s.Int("queue", 0, 65536, &a.queue)
	s.Func("service", "const:D|uniform:D-D|exp:D", []string{"const:", "uniform:", "exp:"}, func(v string) error {
		d, err := backend.ParseDist(v)
		a.service = args.Opt[backend.Dist]{V: d, Set: err == nil}
		return err
	})
	s.NeedOne()
}

func (a *backendAction) apply(l *Lab) error {
	s, err := l.lookup(a.name)
	if err != nil {
		return err
	}
	if a.workers.Set {
		s.b.SetWorkers(a.workers.V)
	}
	if a.queue.Set {
		s.b.SetQueueSize(a.queue.V)
	}
	if a.service.Set {
		s.b.SetService(a.service.V)
	}
	return nil
}
