package lab

import (
	"os"
	"strings"
	"testing"
)

// The README documents every command and metric; this keeps it honest as
// the tables grow.
func TestReadmeListsEveryCommandAndMetric(t *testing.T) {
	b, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	readme := string(b)
	for _, s := range Specs() {
		if !strings.Contains(readme, strings.ReplaceAll(s.Usage, "|", `\|`)) {
			t.Errorf("README lacks the usage of %q: %s", s.Name, s.Usage)
		}
	}
	for _, m := range Metrics {
		if !strings.Contains(readme, "`"+m.Name+"`") && !strings.Contains(readme, "`"+m.Name+"{") {
			t.Errorf("README lacks metric %s", m.Name)
		}
	}
}
