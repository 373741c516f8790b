package lesson

import (
	"strings"
	"testing"
	"testing/synctest"
)

// verifyMD is a lesson on the web preset whose second step is a task: the
// setup slows web-1 under round-robin, and the goal is a low median, which
// only a policy that routes around web-1 reaches.
func verifyMD(goal, solution string) string {
	return "---\nid: v\ntitle: V\nsummary: S.\nminutes: 1\npreset: web\ntrack: t\norder: 1\n---\n" +
		"## Load\n```lab\nhealth off\nload 300/s\nwait 3s\nexpect requests.rate > 200 within 10s\n```\n" +
		"## Route around it\n```lab\nslow web-1 +200ms\nwait 3s\n" + goal + "\n```\n```solution\n" + solution + "\n```\n"
}

func verifyLesson(t *testing.T, src string) Result {
	t.Helper()
	l, diags := Parse("v.md", []byte(src))
	if len(diags) > 0 {
		t.Fatal(diags)
	}
	var res Result
	synctest.Test(t, func(t *testing.T) {
		var err error
		res, err = Verify(l, 1, 1, func(r StepResult) { t.Log(r) })
		if err != nil {
			t.Fatal(err)
		}
	})
	return res
}

func TestVerifyProvesATask(t *testing.T) {
	res := verifyLesson(t, verifyMD("expect lb.share{backend=web-1} < 15% within 15s", "balancer least-conn"))
	if !res.Passed || len(res.Steps) != 2 || !res.Steps[1].Task {
		t.Fatalf("result %+v", res)
	}
	if s := res.Steps[1].String(); !strings.Contains(s, "(task): not trivial, and its solution passed") {
		t.Errorf("report %q", s)
	}
}

func TestVerifyFailsATrivialTask(t *testing.T) {
	// Round-robin already keeps web-1's share above 20%: the goal holds
	// before anyone acts.
	res := verifyLesson(t, verifyMD("expect lb.share{backend=web-1} > 20% within 10s", "balancer least-conn"))
	if res.Passed || len(res.Steps) != 2 || !res.Steps[1].Trivial {
		t.Fatalf("a trivial task passed verify: %+v", res)
	}
	s := res.Steps[1].String()
	for _, want := range []string{`step 2 "Route around it" (task) is trivial`, "before anyone acted", "expect lb.share{backend=web-1} > 20% within 10s (lb.share{backend=web-1} is "} {
		if !strings.Contains(s, want) {
			t.Errorf("report %q lacks %q", s, want)
		}
	}
}

func TestVerifyFailsAWrongSolution(t *testing.T) {
	// Weighted round-robin with equal weights keeps sending web-1 its third.
	res := verifyLesson(t, verifyMD("expect lb.share{backend=web-1} < 15% within 15s", "balancer weighted"))
	if res.Passed || len(res.Steps) != 2 || res.Steps[1].Trivial {
		t.Fatalf("a wrong solution passed verify: %+v", res)
	}
	s := res.Steps[1].String()
	for _, want := range []string{"its solution did not reach the goal within 15s", "lb.share{backend=web-1} is "} {
		if !strings.Contains(s, want) {
			t.Errorf("report %q lacks %q", s, want)
		}
	}
}

func TestVerifyReportsAFailingSetup(t *testing.T) {
	res := verifyLesson(t, strings.Replace(verifyMD("expect lb.share{backend=web-1} < 15% within 15s", "balancer least-conn"), "slow web-1", "slow web-9", 1))
	if res.Passed || res.Steps[1].Err == nil || !strings.Contains(res.Steps[1].String(), `unknown server "web-9"`) {
		t.Fatalf("result %+v", res.Steps)
	}
}
