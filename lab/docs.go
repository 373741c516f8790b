package lab

import (
	"fmt"
	"strings"
)

// CommandTable is the command table as Markdown: usage, meaning and
// example of every command, generated from the declarations, for
// docs/commands.md and `scalelab commands --markdown`.
func CommandTable() string {
	var b strings.Builder
	b.WriteString("| command | what it does |\n|---|---|\n")
	for _, s := range Specs() {
		fmt.Fprintf(&b, "| `%s` | %s; e.g. `%s` |\n", mdCell(s.Usage()), s.Summary, s.Example)
	}
	return b.String()
}

// MetricTable is the metric table as Markdown, for docs/metrics.md and
// `scalelab metrics --markdown`.
func MetricTable() string {
	var b strings.Builder
	b.WriteString("| name | unit | meaning |\n|---|---|---|\n")
	for _, m := range Metrics {
		fmt.Fprintf(&b, "| `%s` | %s | %s |\n", m.Pattern(), m.Unit, mdCell(m.Meaning))
	}
	return b.String()
}

// ScriptTable lists the shipped scripts as Markdown, each linked to its
// file and with its first comment line, for the README.
func ScriptTable() string {
	var b strings.Builder
	b.WriteString("| script | what it shows |\n|---|---|\n")
	for _, name := range ScriptNames() {
		s, err := LoadScript(name)
		if err != nil {
			continue // listed, so it loads
		}
		fmt.Fprintf(&b, "| [`%s`](assets/scripts/%s) | %s |\n", s.Name, s.File, mdCell(s.Description))
	}
	return b.String()
}

// ScriptListing is a shipped script's text as a Markdown code block, for
// the README.
func ScriptListing(name string) (string, error) {
	s, err := LoadScript(name)
	if err != nil {
		return "", err
	}
	return "```\n" + string(s.Source) + "```\n", nil
}

// mdCell escapes the pipes of a table cell.
func mdCell(s string) string { return strings.ReplaceAll(s, "|", `\|`) }
