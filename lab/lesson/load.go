package lesson

import (
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"
)

// Set is the lessons that loaded, in track and order, and the problems of
// those that did not: one bad file never hides the others.
type Set struct {
	Lessons []*Lesson
	Diags   Diags
}

// Find returns the lesson with id, or nil.
func (s *Set) Find(id string) *Lesson {
	for _, l := range s.Lessons {
		if l.ID == id {
			return l
		}
	}
	return nil
}

// Source is a folder of lessons: an fs.FS and the name to show for it.
type Source struct {
	FS   fs.FS
	Name string // prefix for file names in diagnostics, e.g. "lessons" or a directory
}

// Dir is a Source over a directory on disk.
func Dir(dir string) Source { return Source{FS: os.DirFS(dir), Name: dir} }

// Load reads every *.md in each source (not recursively). A file with any
// problem is left out and its problems reported; an id seen twice is
// reported at the second file and that file left out.
func Load(sources ...Source) *Set {
	set := &Set{}
	seen := map[string]string{}
	for _, src := range sources {
		names, err := fs.Glob(src.FS, "*.md")
		if err != nil {
			set.Diags = append(set.Diags, Diag{File: src.Name, Line: 1, Col: 1, Msg: err.Error()})
			continue
		}
		sort.Strings(names)
		for _, name := range names {
			if strings.EqualFold(name, "README.md") {
				continue
			}
			file := filepath.ToSlash(path.Join(src.Name, name))
			b, err := fs.ReadFile(src.FS, name)
			if err != nil {
				set.Diags = append(set.Diags, Diag{File: file, Line: 1, Col: 1, Msg: err.Error()})
				continue
			}
			l, diags := Parse(file, b)
			if len(diags) > 0 {
				set.Diags = append(set.Diags, diags...)
				continue
			}
			if first, dup := seen[l.ID]; dup {
				set.Diags = append(set.Diags, Diag{File: file, Line: 2, Col: 1, Msg: "duplicate id " + l.ID + " (first in " + first + ")"})
				continue
			}
			seen[l.ID] = file
			set.Lessons = append(set.Lessons, l)
		}
	}
	sort.SliceStable(set.Lessons, func(i, j int) bool {
		a, b := set.Lessons[i], set.Lessons[j]
		if a.Track != b.Track {
			return a.Track < b.Track
		}
		return a.Order < b.Order
	})
	return set
}
