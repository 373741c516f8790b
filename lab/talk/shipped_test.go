package talk

import (
	"strings"
	"testing"

	"github.com/scalelab/scalelab/lab"
)

// Every shipped talk parses into steps with a title, and runs start to
// end (each step in turn, at 10x) with every expect holding.
// Every shipped talk runs to its end with every expect holding. One at a
// time and at 5x, as verify and the shipped scripts run: side by side at
// 10x under -race, with the other packages' tests, the machine fell far
// enough behind for the pacer to slow the lab only after web servers had
// turned requests (and a health probe) away.
func TestShippedTalksRun(t *testing.T) {
	names := Names()
	if len(names) < 3 {
		t.Fatalf("shipped talks %v; want at least 3", names)
	}
	for _, name := range names {
		t.Run(name, func(t *testing.T) {
			tk, err := LoadShipped(name)
			if err != nil {
				t.Fatal(err)
			}
			if tk.Title == "" || len(tk.Steps) < 3 {
				t.Fatalf("%s: title %q, %d steps; want a title and at least 3 steps", name, tk.Title, len(tk.Steps))
			}
			l, err := lab.New(lab.Config{Seed: 1, Speed: 5})
			if err != nil {
				t.Fatal(err)
			}
			defer l.Stop()
			for _, st := range tk.Steps {
				if len(st.Notes) == 0 {
					t.Errorf("%s step %d has no speaker notes", name, st.N)
				}
				if err := RunStep(l, st, lab.SourceScript); err != nil {
					t.Errorf("step %d: %v", st.N, err)
				}
			}
		})
	}
}

func TestLoadShippedRefusesOtherNames(t *testing.T) {
	for _, name := range []string{"../scripts/demo", "nope", "", "caching/x"} {
		if _, err := LoadShipped(name); err == nil || !strings.Contains(err.Error(), "shipped talks: ") {
			t.Errorf("LoadShipped(%q): %v", name, err)
		}
	}
	if _, err := LoadShipped("caching.lab"); err != nil {
		t.Errorf("caching.lab: %v", err)
	}
}
