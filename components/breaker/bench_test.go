package breaker

import (
	"errors"
	"testing"
	"time"

	"github.com/sony/gobreaker"
)

// The comparisons below run the same workload through this package and through
// github.com/sony/gobreaker v1, the library it is modelled on.

var errDown = errors.New("down")

func BenchmarkExecuteClosed(b *testing.B) {
	ok := func() error { return nil }
	b.Run("scalelab", func(b *testing.B) {
		br := New(Settings{})
		b.ReportAllocs()
		for b.Loop() {
			br.Execute(ok)
		}
	})
	b.Run("gobreaker", func(b *testing.B) {
		cb := gobreaker.NewCircuitBreaker(gobreaker.Settings{})
		fn := func() (any, error) { return nil, nil }
		b.ReportAllocs()
		for b.Loop() {
			cb.Execute(fn)
		}
	})
}

// BenchmarkExecuteClosedInterval sets Interval, so this package must read the
// clock on every call too (gobreaker always does).
func BenchmarkExecuteClosedInterval(b *testing.B) {
	ok := func() error { return nil }
	b.Run("scalelab", func(b *testing.B) {
		br := New(Settings{Interval: time.Minute})
		b.ReportAllocs()
		for b.Loop() {
			br.Execute(ok)
		}
	})
	b.Run("gobreaker", func(b *testing.B) {
		cb := gobreaker.NewCircuitBreaker(gobreaker.Settings{Interval: time.Minute})
		fn := func() (any, error) { return nil, nil }
		b.ReportAllocs()
		for b.Loop() {
			cb.Execute(fn)
		}
	})
}

func BenchmarkAllowDone(b *testing.B) {
	b.Run("scalelab", func(b *testing.B) {
		br := New(Settings{})
		b.ReportAllocs()
		for b.Loop() {
			t, err := br.Allow()
			if err == nil {
				br.Done(t, true)
			}
		}
	})
	b.Run("gobreaker", func(b *testing.B) {
		cb := gobreaker.NewTwoStepCircuitBreaker(gobreaker.Settings{})
		b.ReportAllocs()
		for b.Loop() {
			done, err := cb.Allow()
			if err == nil {
				done(true)
			}
		}
	})
}

// BenchmarkAllowDoneRatio is BenchmarkAllowDone under the FailureRatio rule,
// one call in four failing (below the 50% that trips): every outcome reads
// the clock and lands in a bucket, and every failure sums the window.
// gobreaker has no rolling window; its nearest is a ReadyToTrip on the
// ratio with Interval as a fixed (tumbling) window.
func BenchmarkAllowDoneRatio(b *testing.B) {
	b.Run("scalelab", func(b *testing.B) {
		br := New(Settings{Mode: FailureRatio})
		b.ReportAllocs()
		i := 0
		for b.Loop() {
			t, err := br.Allow()
			if err == nil {
				br.Done(t, i%4 != 0)
			}
			i++
		}
		if br.State() != Closed {
			b.Fatal("tripped at 25% failures")
		}
	})
	b.Run("gobreaker", func(b *testing.B) {
		cb := gobreaker.NewTwoStepCircuitBreaker(gobreaker.Settings{
			Interval: 10 * time.Second,
			ReadyToTrip: func(c gobreaker.Counts) bool {
				return c.Requests >= 20 && float64(c.TotalFailures)/float64(c.Requests) >= 0.5
			},
		})
		b.ReportAllocs()
		i := 0
		for b.Loop() {
			done, err := cb.Allow()
			if err == nil {
				done(i%4 != 0)
			}
			i++
		}
	})
}

func BenchmarkRejectOpen(b *testing.B) {
	b.Run("scalelab", func(b *testing.B) {
		br := New(Settings{OpenFor: time.Hour})
		for range DefaultThreshold {
			br.Execute(func() error { return errDown })
		}
		b.ReportAllocs()
		for b.Loop() {
			if _, err := br.Allow(); err != ErrOpen {
				b.Fatal(err)
			}
		}
	})
	b.Run("gobreaker", func(b *testing.B) {
		cb := gobreaker.NewTwoStepCircuitBreaker(gobreaker.Settings{Timeout: time.Hour})
		for range 6 { // gobreaker's default trips after more than 5 consecutive failures
			if done, err := cb.Allow(); err == nil {
				done(false)
			}
		}
		b.ReportAllocs()
		for b.Loop() {
			if _, err := cb.Allow(); err != gobreaker.ErrOpenState {
				b.Fatal(err)
			}
		}
	})
}

// BenchmarkRejectOpenParallel is the moment a breaker exists for: a flood of
// callers hitting an open breaker at once.
func BenchmarkRejectOpenParallel(b *testing.B) {
	b.Run("scalelab", func(b *testing.B) {
		br := New(Settings{OpenFor: time.Hour})
		for range DefaultThreshold {
			br.Execute(func() error { return errDown })
		}
		b.ReportAllocs()
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				br.Allow()
			}
		})
	})
	b.Run("gobreaker", func(b *testing.B) {
		cb := gobreaker.NewTwoStepCircuitBreaker(gobreaker.Settings{Timeout: time.Hour})
		for range 6 {
			if done, err := cb.Allow(); err == nil {
				done(false)
			}
		}
		b.ReportAllocs()
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				cb.Allow()
			}
		})
	})
}

func BenchmarkExecuteClosedParallel(b *testing.B) {
	ok := func() error { return nil }
	b.Run("scalelab", func(b *testing.B) {
		br := New(Settings{})
		b.ReportAllocs()
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				br.Execute(ok)
			}
		})
	})
	b.Run("gobreaker", func(b *testing.B) {
		cb := gobreaker.NewCircuitBreaker(gobreaker.Settings{})
		fn := func() (any, error) { return nil, nil }
		b.ReportAllocs()
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				cb.Execute(fn)
			}
		})
	})
}
