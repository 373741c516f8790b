// Package talk is a script of lab commands cut into steps for presenting
// to a room: the presenter runs one step at a time in the dashboard, can
// stop time to explain (freeze), and can go back a step, which rebuilds the
// lab to where that step began.
//
// A talk is an ordinary script (one command per line, # comments), so
// `scalelab run --script` runs it headless too. Steps are its blocks: runs
// of lines separated by blank lines or by a line "---". Comment lines are
// the speaker's notes for the step they sit in, or for the next step when a
// block holds only comments; the file's first comment line is its title,
// and the comments right under it its introduction.
//
//	# Caching: why a small cache takes most of the reads
//
//	# Start the shop under skewed load.
//	load 500/s zipf=1.1
//	wait 5s
//
//	# Shrink the cache and watch the hit ratio fall.
//	cache size 20
package talk

import (
	"bytes"
	"fmt"
	"io"
	"strings"

	"github.com/scalelab/scalelab/lab"
)

// Talk is a script cut into steps.
type Talk struct {
	File  string   // the name positions are reported with
	Title string   // the first comment line, without the #
	Intro []string // the rest of the comments in the title's block
	Steps []Step
}

// Step is one block of a talk: the notes to say and the commands to run.
type Step struct {
	N     int      // 1-based
	Notes []string // comment lines, without the #
	Lines []lab.ScriptLine
}

// Text is the step's commands as written, one per line.
func (s Step) Text() []string {
	out := make([]string, len(s.Lines))
	for i, l := range s.Lines {
		out[i] = l.Cmd.Line
	}
	return out
}

// Parse reads a talk. Every command is checked as a script's are
// (lab.ParseScript: every bad line reported as file:line:col, nothing
// returned if any is bad); a talk with no command is an error.
func Parse(file string, r io.Reader) (*Talk, error) {
	src, err := io.ReadAll(io.LimitReader(r, lab.MaxScriptBytes+1))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", file, err)
	}
	if len(src) > lab.MaxScriptBytes {
		return nil, fmt.Errorf("%s: the talk is longer than %d MiB; a script is at most that", file, lab.MaxScriptBytes>>20)
	}
	raw := strings.Split(strings.ReplaceAll(string(src), "\r\n", "\n"), "\n")
	// "---" separates steps; to the script parser it is a blank line, so
	// every other line keeps its number.
	for i, l := range raw {
		if isSeparator(l) {
			raw[i] = ""
		}
	}
	lines, err := lab.ParseScript(file, bytes.NewReader([]byte(strings.Join(raw, "\n"))))
	if err != nil {
		return nil, err
	}
	byLine := make(map[int]lab.ScriptLine, len(lines))
	for _, sl := range lines {
		byLine[sl.N] = sl
	}
	t := &Talk{File: file}
	var notes []string
	var cur *Step
	intro := false // in the title's block of comments
	end := func() {
		if cur != nil && len(cur.Lines) > 0 {
			cur.N = len(t.Steps) + 1
			t.Steps = append(t.Steps, *cur)
			cur = nil
		}
	}
	for i, text := range raw {
		text = strings.TrimSpace(text)
		switch {
		case text == "":
			intro = false
			end()
			if cur != nil { // a block of notes only: for the next step
				notes = append(notes, cur.Notes...)
				cur = nil
			}
		case strings.HasPrefix(text, "#"):
			note := strings.TrimSpace(strings.TrimPrefix(text, "#"))
			if t.Title == "" && note != "" {
				t.Title, intro = note, cur == nil
				continue
			}
			if intro {
				t.Intro = append(t.Intro, note)
				continue
			}
			if cur == nil {
				cur = &Step{Notes: notes}
				notes = nil
			}
			cur.Notes = append(cur.Notes, note)
		default:
			intro = false
			if cur == nil {
				cur = &Step{Notes: notes}
				notes = nil
			}
			if sl, ok := byLine[i+1]; ok {
				cur.Lines = append(cur.Lines, sl)
			}
		}
	}
	end()
	if cur != nil { // closing notes: with the last step
		notes = append(notes, cur.Notes...)
	}
	if len(t.Steps) == 0 {
		return nil, fmt.Errorf("%s: the talk has no commands; a step is a block of command lines, blocks are separated by blank lines or ---", file)
	}
	last := &t.Steps[len(t.Steps)-1]
	last.Notes = append(last.Notes, notes...)
	return t, nil
}

func isSeparator(line string) bool {
	t := strings.TrimSpace(line)
	return len(t) >= 3 && strings.Trim(t, "-") == ""
}
