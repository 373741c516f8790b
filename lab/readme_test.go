package lab

import (
	"flag"
	"os"
	"strings"
	"testing"
)

var updateReadme = flag.Bool("update", false, "rewrite the README's generated tables")

// The README's command and metric tables are generated from the command
// declarations and the metric table; this keeps them equal (go test ./lab
// -run Readme -update rewrites them).
func TestReadmeTablesAreGenerated(t *testing.T) {
	b, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	readme := string(b)
	for _, sec := range []struct{ name, want string }{{"commands", CommandTable()}, {"metrics", MetricTable()}} {
		begin, end := "<!-- begin generated "+sec.name+" -->\n", "<!-- end generated "+sec.name+" -->"
		i, j := strings.Index(readme, begin), strings.Index(readme, end)
		if i < 0 || j < i {
			t.Fatalf("README lacks the %q and %q markers", strings.TrimSpace(begin), end)
		}
		got := readme[i+len(begin) : j]
		if got == sec.want {
			continue
		}
		if !*updateReadme {
			t.Errorf("README's %s table is not what the code generates; run go test ./lab -run Readme -update", sec.name)
			continue
		}
		readme = readme[:i+len(begin)] + sec.want + readme[j:]
	}
	if *updateReadme {
		if err := os.WriteFile("../README.md", []byte(readme), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}
