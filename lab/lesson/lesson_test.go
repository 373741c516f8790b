package lesson

import (
	"os"
	"strings"
	"testing"
	"testing/fstest"
)

const good = `---
id: demo
title: Demo
summary: A demo.
minutes: 5
preset: web
track: t
order: 1
---
Intro.

## First
Look at Routing.

` + "```lab" + `
load 100/s
expect requests.rate > 50 within 10s
` + "```" + `

> Hint: wait
> a little.
> Hint: then look again.

## Second
` + "```quiz" + `
question: Which?
choices: [a, b]
answer: 2
explain: Because.
` + "```" + `
` + "```lab" + `
kill web-1
` + "```" + `
`

func TestParseGood(t *testing.T) {
	l, diags := Parse("demo.md", []byte(good))
	if len(diags) > 0 {
		t.Fatal(diags)
	}
	if l.ID != "demo" || l.Preset != "web" || l.Order != 1 || l.Intro != "Intro." || len(l.Steps) != 2 {
		t.Fatalf("lesson %+v", l)
	}
	s0, s1 := l.Steps[0], l.Steps[1]
	if s0.Title != "First" || s0.Line != 12 || len(s0.Setup) != 1 || len(s0.Expects) != 1 || s0.Expects[0].N != 17 {
		t.Errorf("step 1: %+v", s0)
	}
	if len(s0.Hints) != 2 || s0.Hints[0] != "wait a little." || s0.Hints[1] != "then look again." {
		t.Errorf("hints %q", s0.Hints)
	}
	if !strings.Contains(s0.Prose, "Look at Routing.") || strings.Contains(s0.Prose, "load 100/s") || strings.Contains(s0.Prose, "Hint") {
		t.Errorf("prose %q: the text alone, without the lab block and hints (its checks are the goal, shown after the quiz)", s0.Prose)
	}
	if s0.Task() || s0.Panel != "" {
		t.Errorf("step 1 is a task or names a panel: %+v", s0)
	}
	if s1.Quiz == nil || s1.Quiz.Answer != 2 || s1.Quiz.Choices[1] != "b" || strings.Contains(s1.Prose, "question") {
		t.Errorf("quiz %+v, prose %q", s1.Quiz, s1.Prose)
	}
	if s0.Deadline().String() != "10s" || s1.Deadline() != DefaultStepTimeout {
		t.Errorf("deadlines %v %v", s0.Deadline(), s1.Deadline())
	}
}

func TestParseReportsPositions(t *testing.T) {
	cases := []struct {
		name, src, want string
	}{
		{"no front matter", "## Step\n", "x.md:1:1: missing front matter"},
		{"unclosed front matter", "---\nid: x\n", "x.md:1:1: front matter is not closed"},
		{"missing fields", "---\nid: x\ntitle: X\n---\n## S\n", "x.md:1:1: front matter is missing summary, minutes, preset, track, order"},
		{"unknown field", strings.Replace(good, "order: 1", "order: 1\ncolour: red", 1), "x.md:9:1: front matter: field colour not found"},
		{"bad preset", strings.Replace(good, "preset: web", "preset: mall", 1), `unknown preset "mall"`},
		{"bad id", strings.Replace(good, "id: demo", "id: Demo Lesson", 1), `id "Demo Lesson"`},
		{"unknown command", strings.Replace(good, "load 100/s", "lod 100/s", 1), `x.md:16:1: unknown command "lod"`},
		{"bad option", strings.Replace(good, "load 100/s", "load 100/s zipff=2", 1), `x.md:16:12: unexpected "zipff=2"`},
		{"bad expect metric", strings.Replace(good, "requests.rate >", "requests.rat >", 1), `x.md:17:8: unknown metric "requests.rat"`},
		{"bad quiz answer", strings.Replace(good, "answer: 2", "answer: 3", 1), "x.md:28:1: quiz: answer 3 is not a choice (1..2)"},
		{"quiz field", strings.Replace(good, "explain: Because.", "explain: Because.\nhint: no", 1), "x.md:30:1: quiz: field hint not found"},
		{"unquoted colon", strings.Replace(good, "choices: [a, b]", "choices:\n  - a: b\n  - c", 1), `must be quoted`},
		{"unclosed block", strings.TrimSuffix(good, "```\n"), "code block is not closed"},
		{"solution outside a step", strings.Replace(good, "Intro.", "Intro.\n```solution\nload 1/s\n```", 1), "x.md:11:1: a solution must be inside a step"},
		{"unknown command in solution", good + "```solution\nbalancer least-con\n```\n", `x.md:35:10: "least-con" is not one of round-robin`},
		{"expect in solution", good + "```solution\nexpect requests.rate > 1\n```\n", "x.md:35:1: an expect in a solution checks nothing"},
		{"empty solution", good + "```solution\n\n```\n", "x.md:34:1: empty solution"},
		{"two solutions", good + "```solution\nkill web-2\n```\n```solution\nkill web-3\n```\n", "x.md:37:1: a step has at most one solution block"},
		{"task without a goal", good + "```solution\nkill web-2\n```\n", `x.md:24:1: step "Second" has a solution but no goal`},
		{"bad panel", strings.Replace(good, "load 100/s", "panel: Traces!\nload 100/s", 1), "x.md:16:1: panel: give a panel's name"},
		{"two panels", strings.Replace(good, "load 100/s", "panel: traces\npanel: routing\nload 100/s", 1), "x.md:17:1: a step names at most one panel (it already names traces)"},
		{"no steps", "---\nid: x\ntitle: X\nsummary: S\nminutes: 1\npreset: web\ntrack: t\norder: 1\n---\nJust prose.\n", "at least one step"},
	}
	for _, tc := range cases {
		_, diags := Parse("x.md", []byte(tc.src))
		if !strings.Contains(diags.Error(), tc.want) {
			t.Errorf("%s: diagnostics %q lack %q", tc.name, diags.Error(), tc.want)
		}
	}
}

func TestParseTaskAndPanel(t *testing.T) {
	src := strings.Replace(good, "load 100/s", "panel: traces\nload 100/s", 1) + "\n## Third\nMake it fast.\n```lab\nexpect latency.p99 < 50ms within 20s\n```\n```solution\nbalancer least-conn\nwait 1s\n```\n"
	l, diags := Parse("x.md", []byte(src))
	if len(diags) > 0 {
		t.Fatal(diags)
	}
	s0, s2 := l.Steps[0], l.Steps[2]
	if s0.Panel != "traces" || s0.PanelLine != 16 || len(s0.Setup) != 1 {
		t.Errorf("panel: %+v", s0)
	}
	if !s2.Task() || len(s2.Solution) != 2 || s2.Solution[0].Cmd.Line != "balancer least-conn" || s2.Solution[1].N != 43 {
		t.Errorf("task: %+v", s2)
	}
	if strings.Contains(s2.Prose, "least-conn") || strings.Contains(s2.Prose, "latency.p99") || !strings.Contains(s2.Prose, "Make it fast.") {
		t.Errorf("a task's prose gives the goal in words only: %q", s2.Prose)
	}
	if ds := CheckPanels(l, []string{"routing", "traces"}); len(ds) != 0 {
		t.Errorf("CheckPanels: %v", ds)
	}
	if ds := CheckPanels(l, []string{"routing"}); len(ds) != 1 || !strings.Contains(ds.Error(), `x.md:16:1: unknown panel "traces"; panels: routing`) {
		t.Errorf("CheckPanels: %v", ds)
	}
}

func TestLoadKeepsGoodLessonsAndReportsBadOnes(t *testing.T) {
	fsys := fstest.MapFS{
		"a.md":      {Data: []byte(good)},
		"b.md":      {Data: []byte(strings.Replace(good, "load 100/s", "lod", 1))},
		"c.md":      {Data: []byte(strings.Replace(good, "order: 1", "order: 2", 1))}, // duplicate id
		"d.md":      {Data: []byte(strings.Replace(strings.Replace(good, "id: demo", "id: other", 1), "order: 1", "order: 0\n", 1))},
		"README.md": {Data: []byte("not a lesson")},
	}
	set := Load(Source{FS: fsys, Name: "user"})
	if len(set.Lessons) != 1 || set.Lessons[0].ID != "demo" {
		t.Fatalf("loaded %d lessons", len(set.Lessons))
	}
	all := set.Diags.Error()
	for _, want := range []string{"user/b.md:16:1: unknown command", "user/c.md:2:1: duplicate id demo (first in user/a.md)", "user/d.md:1:1: front matter is missing order"} {
		if !strings.Contains(all, want) {
			t.Errorf("diagnostics lack %q:\n%s", want, all)
		}
	}
}

func FuzzParse(f *testing.F) {
	f.Add([]byte(good))
	if b, err := os.ReadFile("../../lessons/01-load-balancing.md"); err == nil {
		f.Add(b)
	}
	f.Add([]byte("---\n---\n"))
	f.Add([]byte("---\nid: [\n---\n## s\n```quiz\nchoices: {\n```\n"))
	f.Add([]byte("---\nminutes: 99999999999999999999\n---\n> Hint:\n```lab\nexpect x.y{ == 3 within\n"))
	f.Fuzz(func(t *testing.T, src []byte) {
		l, diags := Parse("f.md", src)
		if l == nil {
			t.Fatal("nil lesson")
		}
		for _, d := range diags {
			if d.Line < 1 || d.Col < 1 || d.Msg == "" {
				t.Fatalf("bad diagnostic %+v", d)
			}
		}
	})
}
