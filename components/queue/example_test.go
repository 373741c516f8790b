package queue_test

import (
	"errors"
	"fmt"

	"github.com/scalelab/scalelab/components/queue"
)

// A web handler publishes and returns; a consumer sends the e-mails later.
func Example() {
	b := queue.NewBroker(queue.Settings{})
	defer b.Stop()
	if err := b.CreateTopic("emails", queue.TopicConfig{Capacity: 100}); err != nil {
		fmt.Println(err)
		return
	}
	sent := make(chan string)
	b.Subscribe("emails", 1, func(m *queue.Message) error {
		sent <- fmt.Sprintf("mail to %v, attempt %d", m.Body, m.Attempts)
		return nil // ack
	})
	for _, to := range []string{"ada", "linus", "grace"} {
		b.Publish("emails", to)
	}
	for range 3 {
		fmt.Println(<-sent)
	}
	b.Stop() // waits for the consumer, so the counters are final
	s, _ := b.Topic("emails")
	fmt.Printf("published %d, acked %d, depth %d\n", s.Published, s.Acked, s.Depth)
	// Output:
	// mail to ada, attempt 1
	// mail to linus, attempt 1
	// mail to grace, attempt 1
	// published 3, acked 3, depth 0
}

// A poison message is delivered MaxAttempts times, then parked in the
// dead-letter topic instead of blocking the queue forever.
func Example_deadLetter() {
	dead := make(chan queue.Event, 1)
	b := queue.NewBroker(queue.Settings{OnEvent: func(e queue.Event) {
		if e.Kind == queue.DeadLettered {
			dead <- e
		}
	}})
	defer b.Stop()
	b.CreateTopic("payments", queue.TopicConfig{MaxAttempts: 3})
	b.Subscribe("payments", 2, func(m *queue.Message) error {
		return errors.New("card declined") // nack, every time
	})
	b.Publish("payments", "order-7")

	e := <-dead
	fmt.Printf("%s: message %d %s to %s after %d attempts: %s\n",
		e.Topic, e.MessageID, e.Kind, e.DeadTopic, e.Attempts, e.Err)
	parked, _ := b.Peek("payments.dead", 0)
	fmt.Println(parked[0].Body, "from", parked[0].Origin)
	s, _ := b.Topic("payments")
	fmt.Printf("delivered %d, retried %d, dead-lettered %d\n", s.Delivered, s.Retried, s.DeadLettered)
	// Output:
	// payments: message 1 dead-lettered to payments.dead after 3 attempts: card declined
	// order-7 from payments
	// delivered 3, retried 2, dead-lettered 1
}

// Reject sheds load when nobody consumes; Block would wait instead.
func ExampleFullPolicy() {
	b := queue.NewBroker(queue.Settings{})
	defer b.Stop()
	p, _ := queue.ParseFullPolicy("reject")
	b.CreateTopic("clicks", queue.TopicConfig{Capacity: 2, WhenFull: p})
	for i := range 4 {
		fmt.Println(i, b.Publish("clicks", i))
	}
	s, _ := b.Topic("clicks")
	fmt.Printf("%s: depth %d/%d, rejected %d\n", s.WhenFull, s.Depth, s.Capacity, s.Rejected)
	// Output:
	// 0 <nil>
	// 1 <nil>
	// 2 queue full
	// 3 queue full
	// reject: depth 2/2, rejected 2
}
