package talk

import (
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/scalelab/scalelab/lab"
)

const sample = `# Kill a server: the talk's title
#
# The introduction.

# Notes before the first step are its notes.

load 200/s constant
wait 2s
# a note inside the first step

# notes only: they go with the next step
kill web-2
wait 3s
---
revive web-2
wait 1s
# closing notes
`

func TestParseCutsStepsAtBlankLinesAndDashes(t *testing.T) {
	tk, err := Parse("k.lab", strings.NewReader(sample))
	if err != nil {
		t.Fatal(err)
	}
	if tk.Title != "Kill a server: the talk's title" || strings.Join(tk.Intro, "|") != "|The introduction." {
		t.Errorf("title %q, intro %q", tk.Title, tk.Intro)
	}
	want := []struct {
		lines []string
		notes []string
	}{
		{[]string{"load 200/s constant", "wait 2s"}, []string{"Notes before the first step are its notes.", "a note inside the first step"}},
		{[]string{"kill web-2", "wait 3s"}, []string{"notes only: they go with the next step"}},
		{[]string{"revive web-2", "wait 1s"}, []string{"closing notes"}},
	}
	if len(tk.Steps) != len(want) {
		t.Fatalf("%d steps, want %d: %+v", len(tk.Steps), len(want), tk.Steps)
	}
	for i, w := range want {
		st := tk.Steps[i]
		if st.N != i+1 || strings.Join(st.Text(), "|") != strings.Join(w.lines, "|") || strings.Join(st.Notes, "|") != strings.Join(w.notes, "|") {
			t.Errorf("step %d: N %d lines %q notes %q; want lines %q notes %q", i+1, st.N, st.Text(), st.Notes, w.lines, w.notes)
		}
	}
	if pos := tk.Steps[1].Lines[0].Pos(); pos != "k.lab:12" {
		t.Errorf("kill web-2 at %s, want k.lab:12", pos)
	}
}

func TestParseRejectsBadTalks(t *testing.T) {
	for _, tc := range []struct{ name, src, want string }{
		{"bad command", "load 10/s\n\nkil web-2\n", "t.lab:3:1: unknown command"},
		{"no commands", "# just notes\n\n# more\n", "the talk has no commands"},
		{"empty", "", "the talk has no commands"},
		{"binary", "\x00\x01\x02", "t.lab:1:1"},
		{"huge", strings.Repeat("wait 1s\n", lab.MaxScriptBytes/8+1), "longer than"},
	} {
		_, err := Parse("t.lab", strings.NewReader(tc.src))
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: error %v, want %q", tc.name, err, tc.want)
		}
	}
}

func FuzzParse(f *testing.F) {
	f.Add(sample)
	f.Add("---\n---\nload 1/s\n---")
	f.Fuzz(func(t *testing.T, src string) {
		tk, err := Parse("f.lab", strings.NewReader(src))
		if err != nil {
			return
		}
		for i, st := range tk.Steps {
			if st.N != i+1 || len(st.Lines) == 0 {
				t.Fatalf("step %d: N %d, %d lines", i, st.N, len(st.Lines))
			}
		}
	})
}

func newLab(t *testing.T) *lab.Lab {
	t.Helper()
	l, err := lab.New(lab.Config{Seed: 3, Speed: 1})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(l.Stop)
	return l
}

// The stepper runs blocks in order with their waits in lab time, and going
// back rebuilds a new lab to exactly where the undone step began: the same
// lab time, the same arrivals, the same servers up, the same freeze.
func TestStepperRunsInOrderAndGoesBackFaithfully(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		tk, err := Parse("k.lab", strings.NewReader(sample))
		if err != nil {
			t.Fatal(err)
		}
		l := newLab(t)
		sub := l.Subscribe(false)
		defer sub.Unsubscribe()
		s := NewStepper(tk, 1)
		type point struct {
			at       time.Duration
			arrivals float64
			web2     float64
		}
		measure := func(l *lab.Lab) point {
			synctest.Wait()
			a, _ := l.Value("arrivals")
			h, _ := l.Value("lb.healthy{backend=web-2}")
			return point{l.Since(), a, h}
		}
		var before []point // where each step began
		for n := 1; n <= 3; n++ {
			before = append(before, measure(l))
			if n == 2 {
				if _, ok := s.Start(3, l.Since()); ok {
					t.Fatal("step 3 started while step 2 was the next")
				}
			}
			st, ok := s.Start(n, l.Since())
			if !ok {
				t.Fatalf("step %d refused", n)
			}
			if err := RunStep(l, st, lab.SourceScript); err != nil {
				t.Fatal(err)
			}
			if n == 1 {
				s.Typed("freeze", lab.SourceKey, l.Since())
				mustExec(t, l, "freeze")
				s.Typed("thaw", lab.SourceKey, l.Since())
				mustExec(t, l, "thaw")
				s.Typed("expect requests > 0", lab.SourceTyped, l.Since()) // watched only: not replayed
			}
		}
		if got := l.Since(); got != 6*time.Second {
			t.Errorf("lab time after the three steps %v, want their waits' 6s", got)
		}
		var ran []string
		for _, e := range sub.Drain() {
			if e.Kind == lab.KindCommand && e.Source == lab.SourceScript {
				ran = append(ran, e.Line)
			}
		}
		if got := strings.Join(ran, "|"); got != "load 200/s constant|wait 2s|kill web-2|wait 3s|revive web-2|wait 1s" {
			t.Errorf("ran %s", got)
		}
		if _, ok := s.Next(); ok || s.Done() != 3 {
			t.Fatalf("after every step: done %d, next still there", s.Done())
		}
		// Back twice: to where step 3 began, then step 2.
		for undo := 3; undo >= 2; undo-- {
			rb, ok := s.Back()
			if !ok || s.Done() != undo-1 {
				t.Fatalf("back from %d: ok %v done %d", undo, ok, s.Done())
			}
			nl := newLab(t)
			if err := Apply(nl, rb); err != nil {
				t.Fatal(err)
			}
			if got, want := measure(nl), before[undo-1]; got != want {
				t.Errorf("rebuilt to before step %d: %+v, want %+v as it was live", undo, got, want)
			}
			if st, ok := s.Next(); !ok || st.N != undo {
				t.Errorf("after back: next step %d, want %d", st.N, undo)
			}
			if nl.Clock().Frozen() || nl.Clock().Speed() != 1 {
				t.Errorf("rebuilt lab: frozen %v speed %v", nl.Clock().Frozen(), nl.Clock().Speed())
			}
		}
		// A step ending frozen is rebuilt frozen.
		s.Start(2, 0)
		s.Typed("freeze", lab.SourceKey, 4*time.Second)
		s.Start(3, 4*time.Second)
		rb, _ := s.Back()
		if !rb.Frozen {
			t.Error("a point after freeze is rebuilt running")
		}
		s.Back()
		s.Back()
		if _, ok := s.Back(); ok || s.Done() != 0 {
			t.Errorf("back past the start: ok %v done %d", ok, s.Done())
		}
	})
}

func mustExec(t *testing.T, l *lab.Lab, lines ...string) {
	t.Helper()
	for _, line := range lines {
		if err := l.Exec(line, lab.SourceKey); err != nil {
			t.Fatal(err)
		}
	}
}
