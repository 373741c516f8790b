package queue

import (
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

type job struct{ n int }

// drain waits (really, no synctest here) until the handler has seen n.
func drain(seen *atomic.Int64, n int64) {
	for seen.Load() < n {
		runtime.Gosched()
	}
}

// BenchmarkPublishConsume: one publisher, 4 consumers, no-op handler;
// reports end-to-end msgs/s (publish through ack).
func BenchmarkPublishConsume(b *testing.B) {
	br := NewBroker(Settings{})
	defer br.Stop()
	br.CreateTopic("jobs", TopicConfig{})
	var seen atomic.Int64
	br.Subscribe("jobs", 4, func(*Message) error { seen.Add(1); return nil })
	body := any(&job{})
	var n int64
	b.ReportAllocs()
	start := time.Now()
	for b.Loop() {
		if err := br.Publish("jobs", body); err != nil {
			b.Fatal(err)
		}
		n++
	}
	drain(&seen, n)
	b.ReportMetric(float64(n)/time.Since(start).Seconds(), "msgs/s")
}

// BenchmarkPublishConsumeParallel: GOMAXPROCS publishers, 4 consumers.
func BenchmarkPublishConsumeParallel(b *testing.B) {
	br := NewBroker(Settings{})
	defer br.Stop()
	br.CreateTopic("jobs", TopicConfig{})
	var seen, n atomic.Int64
	br.Subscribe("jobs", 4, func(*Message) error { seen.Add(1); return nil })
	body := any(&job{})
	b.ReportAllocs()
	start := time.Now()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if err := br.Publish("jobs", body); err != nil {
				b.Error(err)
				return
			}
			n.Add(1)
		}
	})
	drain(&seen, n.Load())
	b.ReportMetric(float64(n.Load())/time.Since(start).Seconds(), "msgs/s")
}

// BenchmarkChannelBaseline is the same work over a bare buffered channel and
// 4 goroutines: the floor the broker's bookkeeping is measured against.
func BenchmarkChannelBaseline(b *testing.B) {
	ch := make(chan *Message, 1024)
	var seen atomic.Int64
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() {
			for range ch {
				seen.Add(1)
			}
		})
	}
	body := any(&job{})
	var n int64
	b.ReportAllocs()
	start := time.Now()
	for b.Loop() {
		n++
		ch <- &Message{ID: uint64(n), Body: body}
	}
	drain(&seen, n)
	b.ReportMetric(float64(n)/time.Since(start).Seconds(), "msgs/s")
	close(ch)
	wg.Wait()
}

// BenchmarkTryPublishFull: the reject path (no allocation).
func BenchmarkTryPublishFull(b *testing.B) {
	br := NewBroker(Settings{})
	defer br.Stop()
	br.CreateTopic("full", TopicConfig{Capacity: 1})
	br.Publish("full", 1)
	body := any(&job{})
	b.ReportAllocs()
	for b.Loop() {
		if br.TryPublish("full", body) != ErrFull {
			b.Fatal("not full")
		}
	}
}

// BenchmarkStats: what the lab pays per topic per screen tick.
func BenchmarkStats(b *testing.B) {
	br := NewBroker(Settings{})
	defer br.Stop()
	br.CreateTopic("t", TopicConfig{})
	br.Publish("t", 1)
	b.ReportAllocs()
	for b.Loop() {
		br.Topic("t")
	}
}
