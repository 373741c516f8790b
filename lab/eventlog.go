package lab

import (
	"bufio"
	"encoding/json"
	"io"
)

// EventLog writes a subscription's events to w as JSON Lines, flushing after
// every batch so a crash loses at most what was still in the queue.
type EventLog struct {
	sub  *Subscription
	w    *bufio.Writer
	stop chan struct{}
	done chan struct{}
	err  error
}

// WriteEvents starts writing the lab's events to w; request events too when
// requests is set. Close it before closing w.
func (l *Lab) WriteEvents(w io.Writer, requests bool) *EventLog {
	el := &EventLog{sub: l.Bus.Subscribe(requests), w: bufio.NewWriterSize(w, 64*1024), stop: make(chan struct{}), done: make(chan struct{})}
	go el.run()
	return el
}

func (el *EventLog) run() {
	defer close(el.done)
	enc := json.NewEncoder(el.w)
	for {
		select {
		case <-el.sub.Ready():
		case <-el.stop:
			el.write(enc)
			return
		}
		el.write(enc)
	}
}

func (el *EventLog) write(enc *json.Encoder) {
	for _, e := range el.sub.Drain() {
		if err := enc.Encode(e); err != nil && el.err == nil {
			el.err = err
		}
	}
	if err := el.w.Flush(); err != nil && el.err == nil {
		el.err = err
	}
}

// Close writes what is pending, stops, and returns the first write error.
func (el *EventLog) Close() error {
	el.sub.Unsubscribe()
	close(el.stop)
	<-el.done
	return el.err
}
