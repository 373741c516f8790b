package prom

import (
	"encoding/json"
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/scalelab/scalelab/lab"
)

// dashboardExprs reads the shipped Grafana dashboard's PromQL queries,
// with Grafana's $__rate_interval as window.
func dashboardExprs(t *testing.T, window string) []string {
	t.Helper()
	b, err := os.ReadFile("../../assets/grafana/scalelab.json")
	if err != nil {
		t.Fatal(err)
	}
	var d struct {
		Panels []struct {
			Title   string
			Targets []struct{ Expr string }
		}
	}
	if err := json.Unmarshal(b, &d); err != nil {
		t.Fatalf("the dashboard is not JSON: %v", err)
	}
	var out []string
	for _, p := range d.Panels {
		if len(p.Targets) == 0 {
			t.Errorf("panel %q has no query", p.Title)
		}
		for _, tg := range p.Targets {
			out = append(out, strings.ReplaceAll(tg.Expr, "$__rate_interval", window))
		}
	}
	return out
}

// Every metric the dashboard charts is one the lab exports.
func TestDashboardNamesExist(t *testing.T) {
	known := map[string]bool{}
	for _, m := range lab.Metrics {
		known[m.Prom().Name] = true
	}
	for _, h := range lab.Histograms {
		for _, s := range []string{"_bucket", "_sum", "_count"} {
			known[h.Prom+s] = true
		}
	}
	names := regexp.MustCompile(`scalelab_[a-z0-9_]+`)
	exprs := dashboardExprs(t, "1m")
	if len(exprs) < 6 {
		t.Errorf("only %d queries", len(exprs))
	}
	for _, e := range exprs {
		for _, n := range names.FindAllString(e, -1) {
			if !known[n] {
				t.Errorf("%s: the lab exports no %s", e, n)
			}
		}
	}
}
