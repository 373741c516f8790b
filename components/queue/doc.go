// Package queue is a message broker for offline (asynchronous) work: a web
// server publishes a message and returns at once; a pool of consumers does the
// slow part later, at its own pace.
//
// The ideas, and where they come from:
//
//   - Named topics, each a bounded FIFO buffer drained by a pool of competing
//     consumers: the "work queue" of RabbitMQ's tutorials. Adding consumers
//     drains a backlog faster; zero consumers lets it build up.
//   - At-least-once delivery: a consumer's handler returns nil to ack or an
//     error to nack. A nacked message is delivered again, so handlers must be
//     idempotent — the same message may be processed twice.
//   - Retry delay: a nacked message waits RetryDelay of lab time before it is
//     visible again, like SQS's visibility timeout or a RabbitMQ delayed retry
//     queue. Waiting retries do not occupy a consumer (see delay.go).
//   - Dead-letter topic: after MaxAttempts deliveries a message that still
//     fails is a "poison message" and moves to a dead-letter topic instead of
//     blocking the queue forever — RabbitMQ's dead-letter exchanges, SQS's
//     redrive policy with maxReceiveCount.
//   - Backpressure: when a topic is full a publisher either waits (Block) or is
//     turned away at once with ErrFull (Reject). Blocking slows the producer
//     down to the consumers' pace; rejecting keeps producers fast but loses work
//     unless they retry.
//
// A message's life is a small state machine; each transition moves one
// counter of TopicStats:
//
//	Publish   ──room, or waited for it (Block)─▶ waiting      Published++
//	Publish   ──full: Reject, or TryPublish─────▶ refused      Rejected++
//	waiting   ──a consumer takes it─────────────▶ in flight    Delivered++, Attempts++
//	in flight ──handler returns nil─────────────▶ done         Acked++
//	in flight ──error, attempts left────────────▶ delayed      Nacked++, Retried++
//	delayed   ──RetryDelay of lab time passes───▶ waiting      (RetryDelay 0: at once; at the back)
//	in flight ──error, MaxAttempts reached──────▶ dead topic   Nacked++, DeadLettered++
//	                                            or discarded   Nacked++, Dropped++ ("-" or dead topic full)
//
// So when the broker is quiet, for every topic
//
//	Published = Acked + DeadLettered + Dropped + Depth + InFlight + Delayed
//
// (a dead-letter topic counts the dead letters it receives as Published).
//
// Time — publish stamps, retry delays, message age — comes from the lab clock
// (components/clock), so retries can be watched in slow motion and tested
// with testing/synctest.
package queue
