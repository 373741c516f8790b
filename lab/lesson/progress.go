// Progress is what a learner has done so far, kept between runs: which
// steps passed, what they predicted in each quiz and how many hints they
// needed. It lives in one small JSON file under the XDG state directory
// (state, not config: losing it costs a replay, never a setting), written
// atomically so a crash mid-write leaves the old file, never half of one.

package lesson

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"time"
)

// progressVersion is the file format's version, written with every save.
const progressVersion = 1

// Progress is every lesson's progress, by lesson id. The zero value is not
// ready; use NewProgress or LoadProgress. It is not safe for concurrent use:
// one goroutine owns it, and Clone gives another goroutine a copy to save.
type Progress struct {
	Version int                        `json:"version"`
	Lessons map[string]*LessonProgress `json:"lessons"`

	// Now stamps UpdatedAt; nil means time.Now. Tests set it.
	Now func() time.Time `json:"-"`
}

// LessonProgress is one lesson's progress. Steps are 0-based indexes into
// Lesson.Steps; quiz choices are 1-based, as Quiz.Answer is.
type LessonProgress struct {
	Passed    []int       `json:"passed,omitempty"` // steps whose checks all held, sorted
	Quiz      map[int]int `json:"quiz,omitempty"`   // step → the choice the learner locked in
	Hints     map[int]int `json:"hints,omitempty"`  // step → hints revealed
	Done      bool        `json:"done,omitempty"`   // the learner reached the end
	UpdatedAt time.Time   `json:"updated_at"`
}

// NewProgress is an empty Progress.
func NewProgress() *Progress {
	return &Progress{Version: progressVersion, Lessons: map[string]*LessonProgress{}}
}

// DefaultProgressPath is $XDG_STATE_HOME/scalelab/progress.json, or
// ~/.local/state/scalelab/progress.json when XDG_STATE_HOME is unset or not
// an absolute path (as the XDG base directory spec says to ignore it).
func DefaultProgressPath() (string, error) {
	if dir := os.Getenv("XDG_STATE_HOME"); filepath.IsAbs(dir) {
		return filepath.Join(dir, "scalelab", "progress.json"), nil
	}
	home, err := os.UserHomeDir()
	if err != nil {
		return "", fmt.Errorf("progress file: %w", err)
	}
	return filepath.Join(home, ".local", "state", "scalelab", "progress.json"), nil
}

// LoadProgress reads the progress file at path. It always returns a usable
// Progress: a missing file is no progress yet (and no error); a file that
// cannot be read or decoded is reported in the error and treated as empty,
// and is replaced by the next Save.
func LoadProgress(path string) (*Progress, error) {
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return NewProgress(), nil
	}
	if err != nil {
		return NewProgress(), fmt.Errorf("progress file %s: %w (starting with no progress)", path, err)
	}
	p := NewProgress()
	if err := json.Unmarshal(b, p); err != nil {
		return NewProgress(), fmt.Errorf("progress file %s is corrupt: %w (starting with no progress)", path, err)
	}
	if p.Lessons == nil {
		p.Lessons = map[string]*LessonProgress{}
	}
	for id, lp := range p.Lessons {
		if lp == nil {
			delete(p.Lessons, id)
			continue
		}
		lp.Passed = normalize(lp.Passed)
	}
	p.Version = progressVersion
	return p, nil
}

// normalize sorts steps, drops duplicates and negative indexes.
func normalize(steps []int) []int {
	out := slices.DeleteFunc(slices.Clone(steps), func(i int) bool { return i < 0 })
	slices.Sort(out)
	return slices.Compact(out)
}

// Save writes p to path atomically: to a temporary file in the same
// directory (created if missing), synced, then renamed over path.
func (p *Progress) Save(path string) error {
	b, err := json.MarshalIndent(p, "", "  ")
	if err != nil {
		return fmt.Errorf("progress file %s: %w", path, err)
	}
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("progress file %s: %w", path, err)
	}
	f, err := os.CreateTemp(dir, ".progress-*.tmp")
	if err != nil {
		return fmt.Errorf("progress file %s: %w", path, err)
	}
	tmp := f.Name()
	_, err = f.Write(append(b, '\n'))
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp, path)
	}
	if err != nil {
		_ = os.Remove(tmp)
		return fmt.Errorf("progress file %s: %w", path, err)
	}
	return nil
}

// Clone is a deep copy, for saving on another goroutine.
func (p *Progress) Clone() *Progress {
	c := &Progress{Version: p.Version, Lessons: make(map[string]*LessonProgress, len(p.Lessons)), Now: p.Now}
	for id, lp := range p.Lessons {
		cp := lp.clone()
		c.Lessons[id] = &cp
	}
	return c
}

func (lp LessonProgress) clone() LessonProgress {
	lp.Passed = slices.Clone(lp.Passed)
	if lp.Quiz != nil {
		q := make(map[int]int, len(lp.Quiz))
		for k, v := range lp.Quiz {
			q[k] = v
		}
		lp.Quiz = q
	}
	if lp.Hints != nil {
		h := make(map[int]int, len(lp.Hints))
		for k, v := range lp.Hints {
			h[k] = v
		}
		lp.Hints = h
	}
	return lp
}

// Lesson is a copy of lesson id's progress (empty when it has none).
func (p *Progress) Lesson(id string) LessonProgress {
	if lp, ok := p.Lessons[id]; ok {
		return lp.clone()
	}
	return LessonProgress{}
}

// edit returns lesson id's progress for changing, creating it, and stamps it.
func (p *Progress) edit(id string) *LessonProgress {
	lp, ok := p.Lessons[id]
	if !ok {
		lp = &LessonProgress{}
		if p.Lessons == nil {
			p.Lessons = map[string]*LessonProgress{}
		}
		p.Lessons[id] = lp
	}
	now := time.Now
	if p.Now != nil {
		now = p.Now
	}
	lp.UpdatedAt = now()
	return lp
}

// Pass records that step passed. It reports whether that is news.
func (p *Progress) Pass(id string, step int) bool {
	if step < 0 || p.Lesson(id).HasPassed(step) {
		return false
	}
	lp := p.edit(id)
	lp.Passed = normalize(append(lp.Passed, step))
	return true
}

// Answer records the quiz choice (1-based) the learner locked in for step.
func (p *Progress) Answer(id string, step, choice int) {
	lp := p.edit(id)
	if lp.Quiz == nil {
		lp.Quiz = map[int]int{}
	}
	lp.Quiz[step] = choice
}

// ShowHints records that n hints of step have been revealed.
func (p *Progress) ShowHints(id string, step, n int) {
	lp := p.edit(id)
	if lp.Hints == nil {
		lp.Hints = map[int]int{}
	}
	lp.Hints[step] = n
}

// Finish marks lesson id done: the learner reached its end (steps skipped
// on the way stay unpassed).
func (p *Progress) Finish(id string) { p.edit(id).Done = true }

// Reset forgets lesson id's progress.
func (p *Progress) Reset(id string) { delete(p.Lessons, id) }

// ResetAll forgets every lesson's progress.
func (p *Progress) ResetAll() { p.Lessons = map[string]*LessonProgress{} }

// HasPassed reports whether step passed.
func (lp LessonProgress) HasPassed(step int) bool {
	_, ok := slices.BinarySearch(lp.Passed, step)
	return ok
}

// Resume is where a lesson of n steps picks up: the first step that has
// not passed, or 0 when every step has (the lesson starts over).
func (lp LessonProgress) Resume(n int) int {
	for i := range n {
		if !lp.HasPassed(i) {
			return i
		}
	}
	return 0
}

// PassedOf counts the passed steps among the first n (a lesson may have
// lost steps since they were passed).
func (lp LessonProgress) PassedOf(n int) int {
	c := 0
	for _, i := range lp.Passed {
		if i < n {
			c++
		}
	}
	return c
}

// Started reports whether there is any progress at all.
func (lp LessonProgress) Started() bool {
	return len(lp.Passed) > 0 || len(lp.Quiz) > 0 || len(lp.Hints) > 0 || lp.Done
}
