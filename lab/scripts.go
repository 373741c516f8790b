package lab

import (
	"bytes"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strings"

	"github.com/scalelab/scalelab/assets"
)

// ScriptExt is the file extension of a script of lab commands.
const ScriptExt = ".lab"

// ShippedScript is an example script built into the binary (assets/scripts),
// run by name with "scalelab run --script NAME".
type ShippedScript struct {
	Name        string // the file name without .lab: "demo"
	File        string // the file name, for positions in errors: "demo.lab"
	Description string // its first comment line, without the #
	Source      []byte
}

// ScriptNames lists the shipped scripts, sorted.
func ScriptNames() []string {
	entries, _ := fs.ReadDir(assets.Scripts, "scripts")
	var names []string
	for _, e := range entries {
		if name, ok := strings.CutSuffix(e.Name(), ScriptExt); ok {
			names = append(names, name)
		}
	}
	sort.Strings(names)
	return names
}

// LoadScript reads a shipped script by name, with or without .lab ("demo"
// or "demo.lab"). A name is letters, digits, - and _; anything else (a
// path, a control character) is refused as not a name, and an unknown
// name is an error listing the shipped ones.
func LoadScript(name string) (*ShippedScript, error) {
	base := strings.TrimSuffix(name, ScriptExt)
	if !ShippedName(base) {
		return nil, fmt.Errorf("%q is not a script name (a name is letters, digits, - and _); shipped scripts: %s", name, strings.Join(ScriptNames(), ", "))
	}
	b, err := fs.ReadFile(assets.Scripts, path.Join("scripts", base+ScriptExt))
	if err != nil {
		return nil, fmt.Errorf("no shipped script %q; shipped scripts: %s", base, strings.Join(ScriptNames(), ", "))
	}
	return &ShippedScript{Name: base, File: base + ScriptExt, Description: firstComment(b), Source: b}, nil
}

// ShippedName reports whether s can name a shipped file (a script or a
// talk): letters, digits, - and _, at most 64 of them.
func ShippedName(s string) bool {
	if s == "" || len(s) > 64 {
		return false
	}
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_') {
			return false
		}
	}
	return true
}

// firstComment is the text of the first # line of a script.
func firstComment(src []byte) string {
	for line := range bytes.Lines(src) {
		if text, ok := strings.CutPrefix(strings.TrimSpace(string(line)), "#"); ok {
			return strings.TrimSpace(text)
		}
	}
	return ""
}
