package talk

import (
	"bytes"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strings"

	"github.com/scalelab/scalelab/assets"
	"github.com/scalelab/scalelab/lab"
)

// Names lists the talks shipped with scalelab (assets/talks), sorted.
func Names() []string {
	entries, _ := fs.ReadDir(assets.Talks, "talks")
	var names []string
	for _, e := range entries {
		if name, ok := strings.CutSuffix(e.Name(), lab.ScriptExt); ok {
			names = append(names, name)
		}
	}
	sort.Strings(names)
	return names
}

// LoadShipped parses a shipped talk by name, with or without .lab. A name
// is letters, digits, - and _; anything else, or an unknown name, is an
// error listing the shipped talks.
func LoadShipped(name string) (*Talk, error) {
	base := strings.TrimSuffix(name, lab.ScriptExt)
	b, err := fs.ReadFile(assets.Talks, path.Join("talks", base+lab.ScriptExt))
	if !lab.ShippedName(base) || err != nil {
		return nil, fmt.Errorf("no shipped talk %q; shipped talks: %s", name, strings.Join(Names(), ", "))
	}
	return Parse(base+lab.ScriptExt, bytes.NewReader(b))
}
