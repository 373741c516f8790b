package lab

import (
	"flag"
	"os"
	"strings"
	"testing"
)

var updateReadme = flag.Bool("update", false, "rewrite the generated parts of the README and docs/")

// Parts of the README and the reference docs are generated: the command
// and metric tables from the declarations, the list of shipped scripts and
// the copy of demo from assets/scripts. This keeps them equal (go test
// ./lab -run Readme -update rewrites them). Each part sits between
// "<!-- begin generated NAME -->" and "<!-- end generated NAME -->".
func TestReadmeAndDocsAreGenerated(t *testing.T) {
	demo, err := ScriptListing("demo")
	if err != nil {
		t.Fatal(err)
	}
	for _, doc := range []struct {
		file  string
		parts []struct{ name, want string }
	}{
		{"../README.md", []struct{ name, want string }{{"scripts", ScriptTable()}, {"script demo", demo}}},
		{"../docs/commands.md", []struct{ name, want string }{{"commands", CommandTable()}}},
		{"../docs/metrics.md", []struct{ name, want string }{{"metrics", MetricTable()}, {"prometheus", PromTable()}}},
	} {
		b, err := os.ReadFile(doc.file)
		if err != nil {
			t.Fatal(err)
		}
		text, changed := string(b), false
		for _, part := range doc.parts {
			begin, end := "<!-- begin generated "+part.name+" -->\n", "<!-- end generated "+part.name+" -->"
			i, j := strings.Index(text, begin), strings.Index(text, end)
			if i < 0 || j < i {
				t.Errorf("%s lacks the %q and %q markers", doc.file, strings.TrimSpace(begin), end)
				continue
			}
			if text[i+len(begin):j] == part.want {
				continue
			}
			if !*updateReadme {
				t.Errorf("%s: the generated %s is not what the code generates; run go test ./lab -run Readme -update", doc.file, part.name)
				continue
			}
			text, changed = text[:i+len(begin)]+part.want+text[j:], true
		}
		if changed {
			if err := os.WriteFile(doc.file, []byte(text), 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
}
