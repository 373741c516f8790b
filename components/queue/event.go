package queue

import (
	"fmt"
	"time"
)

// EventKind says what an Event reports.
type EventKind int

const (
	// TopicCreated: a topic was created, by CreateTopic or automatically as
	// a dead-letter topic.
	TopicCreated EventKind = iota + 1
	// TopicConfigured: Configure changed a topic's settings.
	TopicConfigured
	// ConsumersChanged: Subscribe or SetConsumers changed the target number
	// of consumers (Event.Consumers holds the new number).
	ConsumersChanged
	// DeadLettered: a message ran out of attempts and moved to the
	// dead-letter topic (Event.Topic is the topic it left).
	DeadLettered
	// Dropped: a message ran out of attempts and was discarded, because the
	// topic's DeadLetter is "-" or the dead-letter topic was full.
	Dropped
)

// String returns a short lower-case name such as "dead-lettered".
func (k EventKind) String() string {
	switch k {
	case TopicCreated:
		return "topic-created"
	case TopicConfigured:
		return "topic-configured"
	case ConsumersChanged:
		return "consumers-changed"
	case DeadLettered:
		return "dead-lettered"
	case Dropped:
		return "dropped"
	}
	return fmt.Sprintf("EventKind(%d)", int(k))
}

// Event is something worth a line in the lab's log. Per-message acks and
// nacks are not events (there are too many); read them from Stats. Events are
// delivered to Settings.OnEvent after the broker has released its locks, so
// the callback may call back into the broker (but should be quick: it runs on
// the consumer or caller goroutine).
type Event struct {
	At        time.Time // lab time
	Topic     string
	Kind      EventKind
	MessageID uint64 // DeadLettered, Dropped
	Attempts  int    // DeadLettered, Dropped: deliveries made
	Err       string // DeadLettered, Dropped: the last handler error
	Consumers int    // ConsumersChanged: the new target
	DeadTopic string // DeadLettered: where the message went
}
