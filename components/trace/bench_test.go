package trace

import (
	"errors"
	"testing"
)

func BenchmarkStartUnsampled(b *testing.B) {
	tr := New(Settings{SampleRate: 0})
	b.ReportAllocs()
	for b.Loop() {
		x := tr.Start("GET /item", t0, Attr{"key", "k1"})
		x.Finish(t0, nil)
	}
}

func BenchmarkStartUnsampledParallel(b *testing.B) {
	tr := New(Settings{SampleRate: 0})
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			tr.Start("GET /item", t0).Finish(t0, nil)
		}
	})
}

func BenchmarkStartSpansFinishSampled(b *testing.B) {
	tr := New(Settings{SampleRate: 1})
	errDown := errors.New("down")
	b.ReportAllocs()
	for b.Loop() {
		x := tr.Start("GET /item", t0, Attr{"key", "k1"})
		web := x.Span("web-1", SpanID{}, t0.Add(ms(1)), t0.Add(ms(9)), nil)
		x.Span("cache", web, t0.Add(ms(2)), t0.Add(ms(3)), nil, Attr{"result", "miss"})
		x.Span("db-1", web, t0.Add(ms(3)), t0.Add(ms(8)), errDown)
		x.Finish(t0.Add(ms(10)), nil)
	}
}

func BenchmarkTraceparent(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		tid, sid, sampled, _ := ParseTraceparent(specExample)
		_ = Traceparent(tid, sid, sampled)
	}
}
