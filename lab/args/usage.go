package args

import "strings"

// This file generates what a declaration tells people: the usage line and
// the completion words.

// Usage is the command's grammar: UPPER for values, [optional], a|b for
// choices, forms separated by " | ".
func (s *Set) Usage() string {
	var forms []string
	for _, f := range s.allForms() {
		parts := []string{s.name}
		if f.lead != "" {
			parts = append(parts, f.lead)
		}
		for i := 0; i < len(f.params); i++ {
			p := f.params[i]
			if p.kind == positional {
				switch {
				case p.after != "":
					parts = append(parts, "["+p.after+" "+p.written()+"]")
				case p.optional:
					parts = append(parts, "["+p.written()+"]")
				default:
					parts = append(parts, p.written())
				}
				continue
			}
			alts := []string{p.written()}
			for p.group != "" && i+1 < len(f.params) && f.params[i+1].group == p.group {
				i++
				alts = append(alts, f.params[i].written())
			}
			parts = append(parts, "["+strings.Join(alts, "|")+"]")
		}
		forms = append(forms, strings.Join(parts, " "))
	}
	return strings.Join(forms, " | ")
}

// Completions lists lines the command can be completed to: each form's
// lead, each positional's choices (and the names of the components a
// target names, from names), and each option with its choices. They are
// prefixes of valid lines, not always whole ones.
func (s *Set) Completions(names func(target string) []string) []string {
	var out []string
	for _, f := range s.allForms() {
		base := s.name
		if f.lead != "" {
			base += " " + f.lead
			out = append(out, base)
		}
		prefixes := []string{base}
		for _, p := range f.params {
			if p.kind != positional {
				continue
			}
			vals := p.words
			if p.target != "" && names != nil {
				vals = names(p.target)
			}
			for _, o := range p.or {
				vals = append(vals, o.word)
			}
			if len(vals) == 0 {
				break // a free value (N, D): nothing to complete past it
			}
			var next []string
			for _, pre := range prefixes {
				for _, v := range vals {
					out = append(out, pre+" "+v)
					next = append(next, pre+" "+v)
				}
			}
			prefixes = next
		}
		for _, p := range f.params {
			if p.kind == positional {
				continue
			}
			for _, pre := range prefixes {
				switch {
				case p.kind == bare:
					for _, w := range p.words {
						out = append(out, pre+" "+w)
					}
				case len(p.words) > 0:
					for _, w := range p.words {
						out = append(out, pre+" "+p.key+"="+w)
					}
				default:
					out = append(out, pre+" "+p.key+"=")
				}
			}
		}
	}
	return out
}

// Target reports the kind of component the first positional names ("" for
// none), so a key binding can fill it from the selection.
func (s *Set) Target() string {
	for _, f := range s.allForms() {
		for _, p := range f.params {
			if p.kind == positional {
				if f.lead == "" {
					return p.target
				}
				break
			}
		}
	}
	return ""
}
