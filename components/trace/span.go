package trace

// Spans and the Trace that collects them: the OpenTelemetry span model, reduced
// to what a lab needs (finished spans recorded after the fact, no live spans).

import (
	"slices"
	"time"
)

// Attr is one key=value annotation on a span, such as {"cache", "miss"}.
type Attr struct{ Key, Value string }

// Span is one timed piece of work within a trace: a hop to a backend, a cache
// lookup, a database query. Parent is the span that caused it; the root span
// has no parent. Err is the error text if the work failed, or "".
type Span struct {
	TraceID    TraceID
	SpanID     SpanID
	Parent     SpanID
	Name       string
	Start, End time.Time
	Attrs      []Attr
	Err        string
}

// Duration is End − Start.
func (s Span) Duration() time.Duration { return s.End.Sub(s.Start) }

// Trace collects the spans of one sampled request. It is built by one
// goroutine at a time (hand it along with the request, not across goroutines
// at once), and every method is a no-op on a nil *Trace — which is what
// Tracer.Start returns for a request that was not sampled — so callers never
// need to check.
type Trace struct {
	tracer *Tracer
	spans  []Span // spans[0] is the root
	attrs  []Attr // one arena for every span's attributes
	nextID uint64 // span ids drawn so far
	done   bool

	// Inline storage so that a typical trace costs one allocation.
	spanBuf [inlineSpans]Span
	attrBuf [inlineAttrs]Attr
}

const (
	inlineSpans = 6
	inlineAttrs = 8
)

// ID returns the trace's id, or the zero id for a nil Trace.
func (tr *Trace) ID() TraceID {
	if tr == nil {
		return TraceID{}
	}
	return tr.spans[0].TraceID
}

// Root returns the root span's id, or the zero id for a nil Trace.
func (tr *Trace) Root() SpanID {
	if tr == nil {
		return SpanID{}
	}
	return tr.spans[0].SpanID
}

// Traceparent returns the W3C traceparent header for a call made from span
// (the root if span is zero), marked sampled; "" for a nil Trace.
func (tr *Trace) Traceparent(span SpanID) string {
	if tr == nil {
		return ""
	}
	if !span.IsValid() {
		span = tr.Root()
	}
	return Traceparent(tr.ID(), span, true)
}

// Span records a finished child span and returns its id, so later spans can
// name it as their parent. A zero parent means the root. The attributes are
// copied. After Finish, or on a nil Trace, it records nothing and returns the
// zero id. Cost: amortised no allocation for the first few spans.
func (tr *Trace) Span(name string, parent SpanID, start, end time.Time, err error, attrs ...Attr) SpanID {
	if tr == nil || tr.done {
		return SpanID{}
	}
	if !parent.IsValid() {
		parent = tr.Root()
	}
	id := tr.newSpanID()
	tr.spans = append(tr.spans, Span{
		TraceID: tr.ID(),
		SpanID:  id,
		Parent:  parent,
		Name:    name,
		Start:   start,
		End:     end,
		Attrs:   tr.keep(attrs),
		Err:     errText(err),
	})
	return id
}

// Mark returns how many spans the trace holds so far, root included (0
// for a nil Trace): pass it to Adopt.
func (tr *Trace) Mark() int {
	if tr == nil {
		return 0
	}
	return len(tr.spans)
}

// Adopt moves under parent the spans recorded from mark from up to mark
// to that hang from the root. It is for a span whose times are known only
// after its children's — a server's span is recorded when it answers,
// after the calls it made — so the waterfall nests: web-1 over its cache
// lookup and database read, not beside them. After Finish, or on a nil
// Trace, it does nothing.
func (tr *Trace) Adopt(parent SpanID, from, to int) {
	if tr == nil || tr.done || !parent.IsValid() {
		return
	}
	root := tr.Root()
	for i := max(from, 1); i < min(to, len(tr.spans)); i++ {
		if tr.spans[i].Parent == root && tr.spans[i].SpanID != parent {
			tr.spans[i].Parent = parent
		}
	}
}

// Finish ends the root span at end (failed if err is non-nil) and publishes
// the trace to its tracer's ring of recent traces. From then on the trace is
// immutable; a second Finish, like any Span after it, does nothing.
func (tr *Trace) Finish(end time.Time, err error) {
	if tr == nil || tr.done {
		return
	}
	tr.done = true
	root := &tr.spans[0]
	root.End = end
	root.Err = errText(err)
	slices.SortStableFunc(tr.spans[1:], func(a, b Span) int { return a.Start.Compare(b.Start) })
	tr.spans = treeOrder(tr.spans)
	f := Finished{
		ID:       root.TraceID,
		Root:     *root,
		Spans:    slices.Clip(tr.spans),
		Duration: root.Duration(),
	}
	for i := range tr.spans {
		f.Err = f.Err || tr.spans[i].Err != ""
	}
	tr.tracer.publish(f)
}

// newSpanID derives the next span id from the trace id, so a trace's span ids
// do not depend on what other goroutines are doing. The mix is a bijection,
// so ids within a trace are distinct (bar the one input mapped to zero).
func (tr *Trace) newSpanID() SpanID {
	tr.nextID++
	return spanID(tr.spans[0].TraceID, tr.nextID)
}

// spanID is the n-th span id drawn in the trace tid (the root's is the 1st).
func spanID(tid TraceID, n uint64) SpanID {
	x := mix(be64(tid[8:]) ^ be64(tid[:8]) + n*golden)
	if x == 0 {
		x = 1
	}
	var id SpanID
	putBE64(id[:], x)
	return id
}

// keep copies attrs into the trace's arena and returns the copy, clipped so
// that an append by a reader can never write into a neighbour's attributes.
func (tr *Trace) keep(attrs []Attr) []Attr {
	if len(attrs) == 0 {
		return nil
	}
	n := len(tr.attrs)
	tr.attrs = append(tr.attrs, attrs...)
	return tr.attrs[n:len(tr.attrs):len(tr.attrs)]
}

func errText(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}

// treeOrder puts spans, the root first and the rest by start time, in the
// order a waterfall shows them: depth first from the root, siblings by
// start time, so a parent always comes before its children. A span whose
// parent is not in the trace goes last. Flat traces (every span a child
// of the root) are left as they are.
func treeOrder(spans []Span) []Span {
	flat := true
	for i := 1; i < len(spans); i++ {
		flat = flat && spans[i].Parent == spans[0].SpanID
	}
	if flat {
		return spans
	}
	children := make(map[SpanID][]int, len(spans))
	for i := 1; i < len(spans); i++ {
		children[spans[i].Parent] = append(children[spans[i].Parent], i)
	}
	out := make([]Span, 0, len(spans))
	placed := make([]bool, len(spans))
	var walk func(i int)
	walk = func(i int) {
		placed[i] = true
		out = append(out, spans[i])
		for _, c := range children[spans[i].SpanID] {
			if !placed[c] {
				walk(c)
			}
		}
	}
	walk(0)
	for i := range spans {
		if !placed[i] {
			out = append(out, spans[i])
		}
	}
	return out
}
