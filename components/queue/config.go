package queue

import (
	"fmt"
	"strings"
	"time"
)

// FullPolicy says what Publish does when a topic already holds Capacity
// waiting messages.
type FullPolicy int

const (
	// Block makes the publisher wait until a consumer takes a message and
	// frees a slot: backpressure. The producer slows to the consumers' pace
	// and nothing is lost, but the publisher's own callers wait too.
	Block FullPolicy = iota
	// Reject turns the publisher away at once with ErrFull: load shedding.
	// Producers stay fast, the message is lost unless they retry.
	Reject
)

// String returns "block" or "reject".
func (p FullPolicy) String() string {
	switch p {
	case Block:
		return "block"
	case Reject:
		return "reject"
	}
	return fmt.Sprintf("FullPolicy(%d)", int(p))
}

// FullPolicyNames lists the words ParseFullPolicy accepts, in order.
var FullPolicyNames = []string{Block.String(), Reject.String()}

// ParseFullPolicy reads "block" or "reject" (any case, surrounding spaces
// ignored), the words String returns.
func ParseFullPolicy(s string) (FullPolicy, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "block":
		return Block, nil
	case "reject":
		return Reject, nil
	}
	return 0, fmt.Errorf("unknown full policy %q: want block or reject", s)
}

// Limits and defaults for TopicConfig.
const (
	DefaultCapacity    = 1024
	MaxCapacity        = 1 << 20
	DefaultMaxAttempts = 3
	// MaxConsumers bounds the consumer goroutines of one topic.
	MaxConsumers = 4096
	// DropDeadLetters as TopicConfig.DeadLetter discards messages that run
	// out of attempts (counted in TopicStats.Dropped) instead of keeping them.
	DropDeadLetters = "-"
	// DeadSuffix is appended to a topic's name to name its default
	// dead-letter topic: "orders" → "orders.dead".
	DeadSuffix = ".dead"
)

// TopicConfig configures one topic. The zero value is a usable topic:
// 1024 slots, Block when full, 3 attempts, immediate retry, dead letters
// kept in "<name>.dead".
type TopicConfig struct {
	// Capacity is how many messages may wait in the topic (in-flight and
	// delayed retries do not count). <= 0 means DefaultCapacity; values above
	// MaxCapacity are clamped to it. Memory is used only for messages held.
	// It bounds publishers only: a retry re-enters even a full topic (it was
	// accepted once and must not be lost), so Depth can briefly exceed it.
	Capacity int
	// WhenFull chooses between backpressure (Block, the default) and load
	// shedding (Reject).
	WhenFull FullPolicy
	// MaxAttempts is how many times a message is delivered before it is
	// dead-lettered (SQS's maxReceiveCount). <= 0 means DefaultMaxAttempts.
	MaxAttempts int
	// RetryDelay is the lab time a nacked message waits before it can be
	// delivered again. 0 (or negative) puts it straight back in the queue.
	RetryDelay time.Duration
	// DeadLetter names the topic that receives messages out of attempts.
	// "" means "<name>.dead"; a topic named here that does not exist is
	// created (Reject policy, no consumers, this topic's capacity, dropping
	// its own dead letters). "-" (DropDeadLetters) discards them.
	DeadLetter string
}

// normalize applies the documented defaults and rejects what cannot be
// clamped.
func (c TopicConfig) normalize(name string) (TopicConfig, error) {
	if c.Capacity <= 0 {
		c.Capacity = DefaultCapacity
	}
	c.Capacity = min(c.Capacity, MaxCapacity)
	if c.WhenFull != Block && c.WhenFull != Reject {
		return c, fmt.Errorf("topic %q: full policy %d: want Block or Reject", name, int(c.WhenFull))
	}
	if c.MaxAttempts <= 0 {
		c.MaxAttempts = DefaultMaxAttempts
	}
	c.RetryDelay = max(c.RetryDelay, 0)
	if c.DeadLetter == "" {
		c.DeadLetter = name + DeadSuffix
	}
	if c.DeadLetter == name {
		return c, fmt.Errorf("topic %q: dead-letter topic must differ from the topic itself (use %q to drop)", name, DropDeadLetters)
	}
	return c, nil
}

// checkName accepts any non-empty name without spaces except "-".
func checkName(name string) error {
	if name == "" || name == DropDeadLetters || strings.ContainsAny(name, " \t\r\n") {
		return fmt.Errorf("topic name %q: want a non-empty word other than %q", name, DropDeadLetters)
	}
	return nil
}
