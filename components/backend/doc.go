// Package backend is a server modelled as a worker pool: a fixed number of
// workers take requests from a bounded accept queue, spend a service time
// drawn from a distribution on each, and answer. A request that finds the
// queue full is turned away at once (an HTTP 503, a refused connection).
//
// This is the M/M/c queue of queueing theory: c servers, one shared FIFO
// queue, random arrivals and service times. Erlang worked out its waiting
// times for telephone exchanges in 1917; Kleinrock's "Queueing Systems"
// (1975) made it the standard model of computer servers. With a bounded
// queue of K places it is M/M/c/K, and it is how thread-per-request servers
// really behave: Tomcat's maxThreads and acceptCount, Apache's MaxRequestWorkers
// and ListenBacklog, the listen(2) backlog that nginx sets with `backlog=`.
// The lessons it teaches: utilisation ρ = λ·E[S]/c; queue wait explodes as
// ρ approaches 1; Little's law L = λW ties queue length to latency; a bounded
// queue trades latency for rejections.
//
// # Logical time
//
// A backend never measures its own wake-up jitter. Each request carries the
// lab time it arrived (Request.Arrive); each worker is a timeline that
// remembers the lab time its planned work ends. When a queued job's turn
// comes in lab time, it is placed on the worker that frees up first (ties
// to the lowest number): it starts at max(arrive, free), its service time
// is drawn, and its end is fixed. This is the discipline of one FIFO queue
// in front of c servers, computed in queue order, so which goroutine
// happens to wake first never decides who waits; at 20x on a busy machine
// the waits are those of 1x. Goroutines then carry the plans out on the lab
// clock, sleeping until the times fixed; a late wake-up delays an answer in
// real time but changes none of its times.
//
// Requests come from several goroutines, each a little late in real time
// now and then. So arrivals are settled in lab-time order only once the
// lateness seen lately (plus the clock's slack, the machine's scheduling
// delay) has passed: admission then counts the jobs in the system at the
// arrival's lab time, estimating the ends of those whose handler is still
// running and of the queue; and a request that comes in later than that is
// placed in a gap its worker left, if there was one.
//
// Files: backend.go (the pool, admission's entry, stats: the locked
// wrapper), order.go (arrivals in lab-time order: slack, admission, placing
// a job when its turn comes), worker.go (a worker's timeline: placing a job
// on it, carrying it out), run.go (the goroutines that carry jobs out, and
// the dispatcher), free.go (the workers by the time they free up), ends.go
// (the planned ends, for admission), arrivals.go (arrivals by lab time),
// fifo.go (the queues), faults.go (kill, slow, errors, hang and the Health
// they add up to), request.go (requests, results, errors), dist.go
// (service-time distributions).
package backend
