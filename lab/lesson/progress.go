// Progress is what a learner has done so far, kept between runs: how each
// step ended (passed, shown or skipped), what they predicted in each quiz,
// how many hints they needed, and the journal that rebuilds the lab where
// they left off. It lives in one small JSON file under the XDG state
// directory (state, not config: losing it costs a replay, never a
// setting), written atomically so a crash mid-write leaves the old file,
// never half of one.

package lesson

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"time"
)

// progressVersion is the file format's version, written with every save.
// Version 1 kept only the passed steps; it is read and converted.
const progressVersion = 2

// maxProgressFile bounds the progress file read: a larger one is refused
// as not ours.
const maxProgressFile = 16 << 20

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
	Steps     map[int]StepProgress `json:"steps,omitempty"`
	Done      bool                 `json:"done,omitempty"`    // the learner reached the end
	Journal   []Entry              `json:"journal,omitempty"` // what to replay to resume (see Attempt.Plan)
	UpdatedAt time.Time            `json:"updated_at"`

	// Version 1 fields, converted on load.
	Passed []int       `json:"passed,omitempty"`
	Quiz   map[int]int `json:"quiz,omitempty"`
	Hints  map[int]int `json:"hints,omitempty"`
}

// StepProgress is one step's progress.
type StepProgress struct {
	Outcome string  `json:"outcome,omitempty"` // passed, shown or skipped (Outcome.String)
	Quiz    int     `json:"quiz,omitempty"`    // the last choice locked in
	Hints   int     `json:"hints,omitempty"`   // hints revealed
	Began   float64 `json:"began,omitempty"`   // lab seconds the step began, for resuming at it
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
	st, err := os.Stat(path)
	if errors.Is(err, fs.ErrNotExist) {
		return NewProgress(), nil
	}
	if err == nil && st.Size() > maxProgressFile {
		err = fmt.Errorf("%d bytes is more than a progress file holds", st.Size())
	}
	var b []byte
	if err == nil {
		b, err = os.ReadFile(path)
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
		lp.upgrade()
	}
	p.Version = progressVersion
	return p, nil
}

// upgrade moves version 1 fields into Steps and drops steps with negative
// indexes.
func (lp *LessonProgress) upgrade() {
	if lp.Steps == nil {
		lp.Steps = map[int]StepProgress{}
	}
	for _, i := range lp.Passed {
		sp := lp.Steps[i]
		sp.Outcome = Passed.String()
		lp.Steps[i] = sp
	}
	for i, c := range lp.Quiz {
		sp := lp.Steps[i]
		sp.Quiz = c
		lp.Steps[i] = sp
	}
	for i, n := range lp.Hints {
		sp := lp.Steps[i]
		sp.Hints = n
		lp.Steps[i] = sp
	}
	lp.Passed, lp.Quiz, lp.Hints = nil, nil, nil
	maps.DeleteFunc(lp.Steps, func(i int, _ StepProgress) bool { return i < 0 })
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
	lp.Steps = maps.Clone(lp.Steps)
	if lp.Steps == nil {
		lp.Steps = map[int]StepProgress{}
	}
	lp.Journal = slices.Clone(lp.Journal)
	for i := range lp.Journal {
		lp.Journal[i].Lines = slices.Clone(lp.Journal[i].Lines)
	}
	lp.Passed, lp.Quiz, lp.Hints = nil, nil, nil
	return lp
}

// Lesson is a copy of lesson id's progress (empty when it has none).
func (p *Progress) Lesson(id string) LessonProgress {
	if lp, ok := p.Lessons[id]; ok {
		return lp.clone()
	}
	return LessonProgress{Steps: map[int]StepProgress{}}
}

// Set replaces lesson id's progress, stamping it.
func (p *Progress) Set(id string, lp LessonProgress) {
	now := time.Now
	if p.Now != nil {
		now = p.Now
	}
	lp = lp.clone()
	lp.UpdatedAt = now()
	if p.Lessons == nil {
		p.Lessons = map[string]*LessonProgress{}
	}
	p.Lessons[id] = &lp
}

// Reset forgets lesson id's progress.
func (p *Progress) Reset(id string) { delete(p.Lessons, id) }

// ResetAll forgets every lesson's progress.
func (p *Progress) ResetAll() { p.Lessons = map[string]*LessonProgress{} }

// Outcome is how step ended (NotReached when it has not).
func (lp LessonProgress) Outcome(step int) Outcome { return ParseOutcome(lp.Steps[step].Outcome) }

// Resume is where a lesson of n steps picks up: the first step not yet
// completed (passed, shown or skipped), or 0 when every step is (the
// lesson starts over).
func (lp LessonProgress) Resume(n int) int {
	for i := range n {
		if lp.Outcome(i) == NotReached {
			return i
		}
	}
	return 0
}

// Count counts the first n steps by outcome (a lesson may have lost steps
// since).
func (lp LessonProgress) Count(n int) (passed, shown, skipped int) { return tally(n, lp.Outcome) }

// Solved reports whether every one of the n steps passed: shown and
// skipped steps do not count.
func (lp LessonProgress) Solved(n int) bool {
	passed, _, _ := lp.Count(n)
	return n > 0 && passed == n
}

// Started reports whether there is any progress at all.
func (lp LessonProgress) Started() bool { return len(lp.Steps) > 0 || lp.Done }
