package trace

// A request from outside: the caller's trace context comes in a W3C
// traceparent header, and the trace the lab records joins the caller's
// (same trace id, the lab's root span a child of the caller's span), so a
// client's trace and the lab's are one tree in any tracing tool.

import "time"

// Context is one span's W3C trace context: the ids a traceparent header
// carries and whether the trace is recorded. The zero Context is "none".
type Context struct {
	TraceID TraceID
	SpanID  SpanID
	Sampled bool
}

// IsValid reports whether both ids are set.
func (c Context) IsValid() bool { return c.TraceID.IsValid() && c.SpanID.IsValid() }

// Traceparent formats c as a traceparent header; "" for an invalid Context.
func (c Context) Traceparent() string {
	if !c.IsValid() {
		return ""
	}
	return Traceparent(c.TraceID, c.SpanID, c.Sampled)
}

// ParseContext parses a traceparent header into a Context (see
// ParseTraceparent for what is accepted).
func ParseContext(header string) (Context, error) {
	tid, sid, sampled, err := ParseTraceparent(header)
	if err != nil {
		return Context{}, err
	}
	return Context{TraceID: tid, SpanID: sid, Sampled: sampled}, nil
}

// StartFrom begins a trace like Start, for a request that may come with its
// caller's context, and returns the request's own context (its root span)
// whether or not it is sampled, for a response header or a call onward.
//
// With a valid parent the trace keeps the caller's trace id, its root
// span's Parent is the caller's span, and sampling follows the caller, as
// OpenTelemetry's default ParentBased sampler does: a sampled caller is
// traced whatever the rate, an unsampled one is not. Without one it is
// Start: a fresh trace id, sampled at the tracer's rate. Cost: as Start,
// plus one id derivation for an unsampled request.
func (t *Tracer) StartFrom(name string, start time.Time, parent Context, attrs ...Attr) (*Trace, Context) {
	if t == nil {
		return nil, Context{}
	}
	if !parent.IsValid() {
		tr, n := t.start(name, start, attrs)
		if tr != nil {
			return tr, Context{TraceID: tr.ID(), SpanID: tr.Root(), Sampled: true}
		}
		// Not sampled: the ids the trace would have had, marked unsampled.
		tid := t.idAt(n)
		return nil, Context{TraceID: tid, SpanID: spanID(tid, 1)}
	}
	own := Context{TraceID: parent.TraceID, SpanID: spanID(parent.TraceID, 1), Sampled: parent.Sampled}
	if !parent.Sampled {
		return nil, own
	}
	t.seq.Add(2) // counted as started, as Start counts
	t.sampled.Add(1)
	tr := &Trace{tracer: t}
	tr.spans = tr.spanBuf[:1]
	tr.attrs = tr.attrBuf[:0]
	root := &tr.spans[0]
	root.TraceID = parent.TraceID
	root.SpanID = tr.newSpanID()
	root.Parent = parent.SpanID
	root.Name = name
	root.Start = start
	root.Attrs = tr.keep(attrs)
	return tr, own
}

// idAt is the trace id Start drew when its counter reached n.
func (t *Tracer) idAt(n uint64) TraceID {
	var tid TraceID
	hi, lo := mix(t.key+(n-1)*golden), mix(t.key+n*golden)
	if hi == 0 && lo == 0 {
		hi = 1
	}
	putBE64(tid[:8], hi)
	putBE64(tid[8:], lo)
	return tid
}
