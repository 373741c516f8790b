package lab

import (
	"fmt"
	"strings"
)

// CommandTable is the command table as Markdown: usage, meaning and
// example of every command, generated from the declarations, for the
// README and `scalelab commands --markdown`.
func CommandTable() string {
	var b strings.Builder
	b.WriteString("| command | what it does |\n|---|---|\n")
	for _, s := range Specs() {
		fmt.Fprintf(&b, "| `%s` | %s; e.g. `%s` |\n", mdCell(s.Usage()), s.Summary, s.Example)
	}
	return b.String()
}

// MetricTable is the metric table as Markdown, for the README and
// `scalelab metrics --markdown`.
func MetricTable() string {
	var b strings.Builder
	b.WriteString("| name | unit | meaning |\n|---|---|---|\n")
	for _, m := range Metrics {
		name := m.Name
		if m.Label != "" {
			name += "{" + m.Label + "=…}"
		}
		fmt.Fprintf(&b, "| `%s` | %s | %s |\n", name, m.Unit, mdCell(m.Meaning))
	}
	return b.String()
}

// mdCell escapes the pipes of a table cell.
func mdCell(s string) string { return strings.ReplaceAll(s, "|", `\|`) }
