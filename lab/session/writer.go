package session

// Writing a log: one goroutine per attached lab turns bus events, a
// metrics snapshot each lab second and newly finished traces into lines,
// and flushes after every batch.

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"os"
	"sync"
	"time"

	"github.com/scalelab/scalelab/components/trace"
	"github.com/scalelab/scalelab/lab"
)

// DefaultMaxTraces is how many sampled traces a log keeps per lab second
// unless Options say otherwise.
const DefaultMaxTraces = 50

// Options configure a Writer. The zero value logs no request events, keeps
// up to DefaultMaxTraces traces a second and reports a write error only
// through Err and the lab's bus.
type Options struct {
	// Requests also logs one line per finished request: large (about 150
	// bytes a request), and dropped by the bus when the writer falls behind.
	Requests bool

	// MaxTraces caps the traces written per lab second, failed traces
	// first, then the rest in the order they finished; the others are
	// counted in TracesSkipped. 0 means DefaultMaxTraces; negative, none.
	MaxTraces int

	// OnError is called once, with the first write error. After it the
	// log is abandoned: later lines are counted in Dropped, and the lab
	// runs on. It is called on the writer's goroutine (or the caller's,
	// for the header and Close) and must not block.
	OnError func(error)
}

// Writer writes one session log: the header when it is made, then, once
// attached to a lab, every bus event, a metrics line each lab second and
// the sampled traces, each batch flushed at once so that a crash loses at
// most the last second. Lines can also be added with Lesson and Frame.
// It is safe for concurrent use.
type Writer struct {
	opt  Options
	path string   // "" for NewWriter
	file *os.File // nil for NewWriter

	mu       sync.Mutex // guards everything below; held while writing a batch
	out      *bufio.Writer
	buf      []byte
	err      error  // the first write error
	reported bool   // err has been reported
	lines    uint64 // written and flushed
	pending  uint64 // buffered, not flushed yet
	dropped  uint64 // lost to a write error
	skipped  uint64 // traces not written: over MaxTraces, or gone from the tracer
	queue    []any  // lines from Lesson and Frame, for the goroutine to write
	attached bool   // a goroutine writes the lab's lines
	ended    bool   // that goroutine has ended (its lab stopped)
	closed   bool
	lab      *lab.Lab

	wake chan struct{} // a line is queued
	stop chan struct{} // Close was called
	done chan struct{} // the goroutine has finished (closed at once if never attached)
}

// NewWriter writes a log to w, starting with h (Kind and Schema are filled
// in). A header that cannot be written is reported as Create reports any
// write error: Err, OnError.
func NewWriter(w io.Writer, h Header, opt Options) *Writer {
	lw := newWriter(w, h, opt)
	lw.report()
	return lw
}

// newWriter is NewWriter without reporting a header write error.
func newWriter(w io.Writer, h Header, opt Options) *Writer {
	if opt.MaxTraces == 0 {
		opt.MaxTraces = DefaultMaxTraces
	}
	h.Kind, h.Schema = KindHeader, Schema
	lw := &Writer{
		opt: opt, out: bufio.NewWriterSize(w, 64*1024),
		wake: make(chan struct{}, 1), stop: make(chan struct{}), done: make(chan struct{}),
	}
	lw.mu.Lock()
	lw.line(h)
	if lw.dropped > 0 && lw.err == nil { // a header that cannot be encoded makes a log no reader accepts
		lw.fail(fmt.Errorf("the log header cannot be encoded (seed %d, speed %g, max rate %g)", h.Seed, h.Speed, h.MaxRate))
	}
	lw.flush()
	lw.mu.Unlock()
	return lw
}

// Path is the log's file, or "" for a log written to an io.Writer.
func (w *Writer) Path() string { return w.path }

// Err is the first write error, or nil.
func (w *Writer) Err() error {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.err
}

// Dropped is how many lines were lost to a write error.
func (w *Writer) Dropped() uint64 {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.dropped
}

// Lines is how many lines were written, the header included.
func (w *Writer) Lines() uint64 {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.lines
}

// TracesSkipped is how many finished traces were not written: over the
// per-second cap, or pushed out of the tracer's ring before they were read.
func (w *Writer) TracesSkipped() uint64 {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.skipped
}

// Lesson adds a lesson progress line (Kind is filled in). The lab's own
// lesson events (lab.KindLesson on its bus) are logged without it; this is
// for progress the bus does not carry.
func (w *Writer) Lesson(le Lesson) {
	le.Kind = KindLesson
	w.enqueue(le)
}

// Frame adds a recorded TUI frame line (Kind is filled in), as
// NewFrameTee's emit function. It never blocks on the file.
func (w *Writer) Frame(f Frame) {
	f.Kind = KindFrame
	w.enqueue(f)
}

// enqueue hands a line to the goroutine, or writes it now when there is
// none (never attached, or its lab has stopped).
func (w *Writer) enqueue(v any) {
	w.mu.Lock()
	if w.closed {
		w.mu.Unlock()
		return
	}
	if w.attached && !w.ended {
		w.queue = append(w.queue, v)
		w.mu.Unlock()
		select {
		case w.wake <- struct{}{}:
		default:
		}
		return
	}
	w.line(v)
	w.flush()
	w.mu.Unlock()
	w.report()
}

// Attach starts logging l: a goroutine subscribes to its bus (request
// events only if Options ask) and writes each batch of events as it comes,
// then at each lab second the traces finished since the last one and a
// metrics snapshot. It ends when l stops or the Writer is closed, writing
// what is pending and a final metrics line. Attach a Writer once.
func (w *Writer) Attach(l *lab.Lab) {
	w.mu.Lock()
	if w.attached || w.closed {
		w.mu.Unlock()
		panic("session: Writer attached twice, or after Close")
	}
	w.attached, w.lab = true, l
	w.mu.Unlock()
	sub := l.Subscribe(w.opt.Requests)
	l.Go(func() { w.run(l, sub) })
}

func (w *Writer) run(l *lab.Lab, sub *lab.Subscription) {
	defer close(w.done)
	defer sub.Unsubscribe()
	quit := make(chan struct{})
	ticks := make(chan struct{})
	ticker := make(chan struct{})
	l.Go(func() { // each lab second, on the lab clock
		defer close(ticker)
		next := l.Start()
		for {
			next = next.Add(time.Second)
			if !l.Clock().SleepUntil(next, quit) {
				return
			}
			select {
			case ticks <- struct{}{}:
			case <-quit:
				return
			}
		}
	})
	var seen uint64   // traces the tracer had finished when last asked
	var lastT float64 // the last metrics line's time
	for {
		var tick bool
		select {
		case <-sub.Ready():
		case <-w.wake:
		case <-ticks:
			tick = true
		case <-w.stop:
		case <-l.Done():
		}
		ending := isClosed(w.stop) || isClosed(l.Done())
		if ending {
			close(quit)
			<-ticker
			sub.Unsubscribe() // its queue stays, for the last Drain
		}
		events := sub.Drain()
		var traces []trace.Finished
		var snap lab.Snapshot
		if tick || ending {
			var next uint64
			traces, next = l.TracesSince(seen)
			w.mu.Lock()
			w.skipped += next - seen - uint64(len(traces))
			w.mu.Unlock()
			seen = next
			snap = l.Snapshot()
		}
		w.mu.Lock()
		for _, e := range events {
			w.event(e)
		}
		w.writeQueue()
		if tick || ending {
			w.traces(l, traces)
			t := round(snap.T.Seconds(), 3)
			if tick || t > lastT {
				w.line(Metrics{Kind: KindMetrics, T: t, Metrics: numbers(snap.Values()), Final: ending})
				lastT = t
			}
		}
		w.flush()
		w.ended = ending
		w.mu.Unlock()
		w.report()
		if ending {
			return
		}
	}
}

func isClosed(c <-chan struct{}) bool {
	select {
	case <-c:
		return true
	default:
		return false
	}
}

// event writes a bus event: lesson progress as a Lesson line, the rest as
// they are. The caller holds mu.
func (w *Writer) event(e lab.Event) {
	e.T = round(e.T, 6) // microseconds
	if e.Kind == lab.KindLesson {
		w.line(Lesson{Kind: KindLesson, T: e.T, Lesson: e.Lesson, Step: e.Step, What: e.What, Choice: e.Choice, Correct: e.Correct, Hint: e.Hint})
		return
	}
	if e.Value != nil && (math.IsNaN(*e.Value) || math.IsInf(*e.Value, 0)) {
		e.Value = nil // JSON has no NaN
	}
	w.line(e)
}

// traces writes up to MaxTraces of the newly finished traces, failed ones
// first, in the order they finished. The caller holds mu.
func (w *Writer) traces(l *lab.Lab, fs []trace.Finished) {
	keep := make([]bool, len(fs))
	n := 0
	for pass := range 2 { // failed traces, then the rest
		for i := range fs {
			if n < w.opt.MaxTraces && !keep[i] && (pass == 1 || fs[i].Err) {
				keep[i] = true
				n++
			}
		}
	}
	w.skipped += uint64(len(fs) - n)
	for i, f := range fs {
		if keep[i] {
			w.line(traceLine(l.Start(), f))
		}
	}
}

// TraceRecord converts a finished trace to the record a session log
// keeps (and EncodeOTLP encodes); times become lab nanoseconds since start.
func TraceRecord(start time.Time, f trace.Finished) Trace { return traceLine(start, f) }

// traceLine converts a finished trace; times become lab nanoseconds since
// start.
func traceLine(start time.Time, f trace.Finished) Trace {
	tr := Trace{Kind: KindTrace, T: round(f.Root.End.Sub(start).Seconds(), 6), TraceID: f.ID.String(), Spans: make([]Span, len(f.Spans))}
	for i, s := range f.Spans {
		sp := Span{SpanID: s.SpanID.String(), Name: s.Name, StartNS: s.Start.Sub(start).Nanoseconds(), EndNS: s.End.Sub(start).Nanoseconds(), Err: s.Err}
		if s.Parent.IsValid() {
			sp.Parent = s.Parent.String()
		}
		if len(s.Attrs) > 0 {
			sp.Attrs = make(map[string]string, len(s.Attrs))
			for _, a := range s.Attrs {
				sp.Attrs[a.Key] = a.Value
			}
		}
		tr.Spans[i] = sp
	}
	return tr
}

// numbers copies a snapshot's values, leaving out any that are not a
// number (JSON has no NaN or infinity), rounded to 6 significant digits.
func numbers(m map[string]float64) map[string]float64 {
	out := make(map[string]float64, len(m))
	for k, x := range m {
		if math.IsNaN(x) || math.IsInf(x, 0) {
			continue
		}
		out[k] = sig(x, 6)
	}
	return out
}

func sig(x float64, digits int) float64 {
	if x == 0 {
		return 0
	}
	p := math.Pow(10, float64(digits)-math.Ceil(math.Log10(math.Abs(x))))
	if math.IsInf(p, 0) || p == 0 {
		return x
	}
	return math.Round(x*p) / p
}

func round(x float64, digits int) float64 {
	p := math.Pow(10, float64(digits))
	return math.Round(x*p) / p
}

// writeQueue buffers the queued Lesson and Frame lines. The caller holds
// mu.
func (w *Writer) writeQueue() {
	for _, v := range w.queue {
		w.line(v)
	}
	w.queue = nil
}

// line buffers one line. After a write error lines are only counted. The
// caller holds mu.
func (w *Writer) line(v any) {
	if w.err != nil {
		w.dropped++
		return
	}
	b, err := json.Marshal(v)
	if err != nil { // a value JSON cannot hold: lose the line, not the log
		w.dropped++
		return
	}
	w.buf = append(append(w.buf[:0], b...), '\n')
	w.pending++
	if _, err := w.out.Write(w.buf); err != nil {
		w.fail(err)
	}
}

// flush writes the buffered lines to the file. The caller holds mu.
func (w *Writer) flush() {
	if w.err != nil {
		return
	}
	if err := w.out.Flush(); err != nil {
		w.fail(err)
		return
	}
	w.lines += w.pending
	w.pending = 0
}

// fail records the first write error; the lines not flushed yet count as
// lost (some may have reached the file). The caller holds mu.
func (w *Writer) fail(err error) {
	if w.err == nil {
		w.err = err
		w.dropped += w.pending
		w.pending = 0
	}
}

// report tells OnError and the lab about the first write error, once. The
// caller must not hold mu.
func (w *Writer) report() {
	w.mu.Lock()
	if w.err == nil || w.reported {
		w.mu.Unlock()
		return
	}
	w.reported = true
	err, l := w.err, w.lab
	w.mu.Unlock()
	if w.opt.OnError != nil {
		w.opt.OnError(err)
	}
	if l != nil {
		l.Publish(lab.Event{Kind: lab.KindState, Component: "session-log", From: "writing", To: "failed", Detail: err.Error()})
	}
}

// Close stops logging (writing what is pending and a final metrics line
// when attached), syncs the file to disk and closes it. It returns the
// first write error; later calls return it again.
func (w *Writer) Close() error {
	w.mu.Lock()
	if w.closed {
		err := w.err
		w.mu.Unlock()
		return err
	}
	w.closed = true
	attached := w.attached
	w.mu.Unlock()
	close(w.stop)
	if attached {
		<-w.done
	}
	w.mu.Lock()
	w.flush()
	if w.file != nil {
		if w.err == nil && isRegular(w.file) { // devices and pipes have nothing to sync
			if err := w.file.Sync(); err != nil {
				w.fail(err)
			}
		}
		if err := w.file.Close(); err != nil {
			w.fail(err)
		}
	}
	first := w.err
	w.mu.Unlock()
	w.report()
	return first
}

func isRegular(f *os.File) bool {
	fi, err := f.Stat()
	return err == nil && fi.Mode().IsRegular()
}

// Summary is one line on how the log went, for a program to print on exit:
// "session log: PATH" or, after a write error, what was lost.
func (w *Writer) Summary() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	name := w.path
	if name == "" {
		name = "(stream)"
	}
	if w.err != nil {
		return fmt.Sprintf("session log %s is incomplete: %v (%d lines lost)", name, w.err, w.dropped)
	}
	return "session log: " + name
}
