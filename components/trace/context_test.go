package trace

import (
	"errors"
	"testing"
)

func TestStartFromWithoutParent(t *testing.T) {
	// Sampled: the context is the trace's own root.
	tr, ctx := New(Settings{SampleRate: 1, Seed: 7}).StartFrom("GET /item", t0, Context{})
	if tr == nil || ctx != (Context{TraceID: tr.ID(), SpanID: tr.Root(), Sampled: true}) {
		t.Fatalf("sampled: trace %v, context %+v", tr, ctx)
	}
	// Not sampled: the same ids the trace would have had, unsampled.
	none, off := New(Settings{SampleRate: 0, Seed: 7}).StartFrom("GET /item", t0, Context{})
	if none != nil {
		t.Fatal("rate 0 traced a request")
	}
	if want := (Context{TraceID: ctx.TraceID, SpanID: ctx.SpanID}); off != want {
		t.Errorf("unsampled context %+v, want %+v", off, want)
	}
	if got, want := off.Traceparent(), Traceparent(ctx.TraceID, ctx.SpanID, false); got != want {
		t.Errorf("traceparent %q, want %q", got, want)
	}
}

func TestStartFromContinuesTheCaller(t *testing.T) {
	caller, err := ParseContext("00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01")
	if err != nil {
		t.Fatal(err)
	}
	tracer := New(Settings{SampleRate: 0, Keep: 4}) // the caller sampled it: traced at rate 0
	tr, ctx := tracer.StartFrom("GET /item", t0, caller)
	if tr == nil {
		t.Fatal("a sampled caller's request was not traced")
	}
	if ctx.TraceID != caller.TraceID || ctx.SpanID != tr.Root() || !ctx.Sampled || ctx.SpanID == caller.SpanID {
		t.Errorf("own context %+v; caller %+v, root %v", ctx, caller, tr.Root())
	}
	child := tr.Span("db-1", SpanID{}, t0, t0.Add(ms(2)), nil)
	tr.Finish(t0.Add(ms(3)), nil)
	f, ok := tracer.Latest()
	if !ok {
		t.Fatal("the trace was not published")
	}
	if f.ID != caller.TraceID || f.Root.Parent != caller.SpanID {
		t.Errorf("trace %v root parent %v, want %v under %v", f.ID, f.Root.Parent, caller.TraceID, caller.SpanID)
	}
	if f.Spans[1].SpanID != child || f.Spans[1].Parent != f.Root.SpanID {
		t.Errorf("child %+v is not under the root %v", f.Spans[1], f.Root.SpanID)
	}
	if st := tracer.Stats(); st.Started != 1 || st.Sampled != 1 {
		t.Errorf("stats %+v, want 1 started, 1 sampled", st)
	}

	// An unsampled caller: not traced at any rate, the trace id kept.
	caller.Sampled = false
	tr, ctx = New(Settings{SampleRate: 1}).StartFrom("GET /item", t0, caller)
	if tr != nil || ctx.TraceID != caller.TraceID || ctx.Sampled || !ctx.SpanID.IsValid() {
		t.Errorf("unsampled caller: trace %v, context %+v", tr, ctx)
	}
}

func TestParseContextRejects(t *testing.T) {
	for _, bad := range []string{"", "nonsense", "00-0AF7651916CD43DD8448EB211C80319C-b7ad6b7169203331-01", "00-00000000000000000000000000000000-b7ad6b7169203331-01"} {
		if c, err := ParseContext(bad); !errors.Is(err, ErrTraceparent) || c.IsValid() {
			t.Errorf("%q: %+v, %v; want ErrTraceparent", bad, c, err)
		}
	}
	if (Context{}).Traceparent() != "" {
		t.Error("the zero context has a traceparent")
	}
}

// A server's span, recorded after the calls it made, adopts them: the
// waterfall nests, and at one start a parent comes before its child.
func TestAdoptNestsTheCallsUnderTheServer(t *testing.T) {
	tr := New(Settings{SampleRate: 1, Keep: 2}).Start("GET /item", t0)
	mark := tr.Mark()
	cache := tr.Span("cache get", SpanID{}, t0, t0, nil)
	db := tr.Span("db-1", SpanID{}, t0, t0.Add(ms(5)), nil)
	calls := tr.Mark()
	queue := tr.Span("web-1 queue", SpanID{}, t0, t0, nil)
	web := tr.Span("web-1", SpanID{}, t0, t0.Add(ms(6)), nil)
	tr.Adopt(web, mark, calls)
	tr.Finish(t0.Add(ms(6)), nil)
	f, _ := tr.tracer.Latest()
	parent := map[SpanID]SpanID{}
	order := map[SpanID]int{}
	for i, s := range f.Spans {
		parent[s.SpanID] = s.Parent
		order[s.SpanID] = i
	}
	root := f.Root.SpanID
	for id, want := range map[SpanID]SpanID{cache: web, db: web, queue: root, web: root} {
		if parent[id] != want {
			t.Errorf("span %v: parent %v, want %v", id, parent[id], want)
		}
	}
	if order[web] > order[cache] || order[web] > order[db] {
		t.Errorf("order %v: web-1 after a child that starts with it", order)
	}
	var nilTrace *Trace
	nilTrace.Adopt(web, 0, 9) // no-op, no panic
	if nilTrace.Mark() != 0 {
		t.Error("a nil trace has spans")
	}
}
