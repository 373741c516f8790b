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
// lab time it arrived (Request.Arrive); each worker remembers the lab time it
// finished its last job. A worker starts a job at max(arrive, free), adds the
// sampled service time, and sleeps on the lab clock until that deadline. A
// late wake-up never moves the next job's timestamps, so timer overshoot
// never accumulates and the measured service times are exactly the
// configured ones, at any clock speed.
//
// Files: worker.go (one worker serving one job: the unlocked core),
// backend.go (admission, the pool, stats: the locked wrapper), fifo.go (the
// accept queue), faults.go (kill, slow, errors, hang and the Health they
// add up to), request.go (requests, results, errors), dist.go (service-time
// distributions).
package backend
