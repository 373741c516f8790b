package lab

import "github.com/scalelab/scalelab/lab/args"

var traceCommand = command("trace", func() action { return &traceAction{} },
	"set the share of requests traced (head sampling)",
	"trace sample 10%")

type traceAction struct{ sample float64 }

func (a *traceAction) declare(s *args.Set) {
	s.Or("sample", nil).PercentArg(&a.sample)
}

func (a *traceAction) apply(l *Lab) error {
	l.tracer.SetSampleRate(a.sample)
	return nil
}
