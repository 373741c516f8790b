// Package eventstore is event sourcing with snapshots: an order is not
// stored as a row that each change overwrites, but as the list of what
// happened to it — placed, paid, placed again — and its current state is
// rebuilt, when needed, by replaying that list from the start.
//
// # The idea
//
// Martin Fowler named the pattern "Event Sourcing" (2005); Greg Young made
// it the storage half of CQRS and built EventStoreDB around it. The log of
// events is the truth: nothing is lost, the history answers questions the
// schema never planned for, and any past state can be rebuilt. An
// aggregate — here an [Order] — is a fold over its events: start from the
// empty order and apply each event in turn ([Order.Apply]). The seeds'
// EventStore and UserAggregate are this in a few lines of Python: the
// store appends events per aggregate id, and _load_from_events starts
// from the newest snapshot and applies the events after it.
//
// # What it costs, and snapshots
//
// Rebuilding replays every event, so the cost of loading an order grows
// with its history: an order with 10,000 events costs 10,000 applies, on
// every load. The standard remedy, in Young's CQRS documents and every
// event-sourcing framework since (Axon, Marten, EventFlow), is the
// snapshot: every N events the store keeps a copy of the aggregate's
// state at that version. A rebuild then starts from the newest snapshot
// and replays only the events after it — fewer than N — so its cost is
// capped whatever the history. The snapshot is a cache of the fold, never
// the truth: it can be thrown away and computed again.
//
// Here a snapshot is taken when an Append leaves N or more events after
// the newest one ([Settings].SnapshotEvery): the store folds them onto that
// snapshot, the replay a later rebuild would have done, done once. Under
// steady appends a rebuild therefore replays about N/2 events on average
// and never N or more. Changing N (or turning snapshots off) applies to
// each order at its next append.
//
// # Memory
//
// A real event store keeps every event forever: the history is the point.
// A lab runs for hours in a few megabytes, so this one keeps less, and
// says so:
//   - Compaction: when a snapshot is taken, the events before it are
//     dropped; only the snapshot and the events after it stay. With
//     snapshots every N, an order holds fewer than N events plus one
//     append.
//   - A cap on the events held in all ([Settings].MaxEvents, by default
//     [DefaultMaxEvents], 16 bytes each): past it the store archives whole
//     orders, least recently appended to first, as a shop moves old orders
//     to cold storage; the next append to an archived order starts a new
//     one. An order that alone holds more than the cap is snapshotted
//     instead, whatever the setting.
//
// Each order also costs about 200 bytes for its snapshot and bookkeeping.
//
// # Layout
//
// order.go is the aggregate: the events and the fold. store.go is the
// store: append, rebuild, snapshot, compaction and the cap. Store is not
// safe for concurrent use; a caller that shares one wraps it with a mutex.
package eventstore
