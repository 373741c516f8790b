// Package lesson reads and runs scalelab lessons: Markdown files that read
// well on GitHub and run in the lab. The format borrows from rustlings
// (small steps, a goal each, a hint ladder) and Learn Git Branching (you
// are given a goal, you act, the tool checks):
//
//	---                                  YAML front matter
//	id: load-balancing                   id, title, summary, minutes,
//	title: Round-robin vs least-conn     preset, track, order (all required)
//	...
//	---
//	Intro prose.
//	## A step                            one step per ## heading
//	Prose, rendered with glamour.
//	```quiz                              predict-then-observe, asked before
//	question: What will happen?          anything of the step runs
//	choices: [a, b, c]
//	answer: 2                            1-based
//	explain: Because…
//	```
//	```lab                               setup: runs when the step starts;
//	panel: routing                       the panel the step is about;
//	load 300/s                           expect lines are the step's goal
//	expect lb.share{backend=web-1} < 20% within 20s
//	```
//	```solution                          a step with a solution is a task:
//	balancer least-conn                  the learner reaches the goal; this
//	```                                  runs only when they ask to be shown
//	> Hint: revealed one at a time on demand.
//
// Parse never panics; every problem is a Diag naming file:line:col. The
// step machine that runs a lesson is Attempt (attempt.go).
package lesson

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"regexp"
	"slices"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/scalelab/scalelab/lab"
)

// Lesson is one parsed lesson file.
type Lesson struct {
	ID      string `yaml:"id"`
	Title   string `yaml:"title"`
	Summary string `yaml:"summary"`
	Minutes int    `yaml:"minutes"`
	Preset  string `yaml:"preset"`
	Track   string `yaml:"track"`
	Order   int    `yaml:"order"`

	File  string `yaml:"-"` // where it was read from
	Intro string `yaml:"-"` // Markdown before the first step
	Steps []Step `yaml:"-"`
}

// Step is one ## section.
type Step struct {
	Title     string
	Line      int      // of the ## heading
	Prose     string   // Markdown: the section without its lab, solution and quiz blocks and hints
	Setup     []Line   // lab-block lines that are not expect, in order
	Expects   []Expect // the step's checks: its goal
	Solution  []Line   // a task's solution; empty for a step that is watched, not done
	Panel     string   // the panel the step is about ("" to choose by its checks)
	PanelLine int
	Quiz      *Quiz
	Hints     []string
}

// Task reports whether the step is a task: the learner must act to reach
// its goal, and its solution runs only when they ask to be shown.
func (st *Step) Task() bool { return len(st.Solution) > 0 }

// Line is one command from a lab block and where it is.
type Line struct {
	N   int // line number in the file
	Cmd *lab.Command
}

// Expect is one check of a step and where it is.
type Expect struct {
	N      int
	Expect *lab.Expect
}

// Quiz is a predict-then-observe question.
type Quiz struct {
	Line     int      `yaml:"-"`
	Question string   `yaml:"question"`
	Choices  []string `yaml:"choices"`
	Answer   int      `yaml:"answer"` // 1-based
	Explain  string   `yaml:"explain"`
}

// Diag is one problem in a lesson file.
type Diag struct {
	File      string
	Line, Col int
	Msg       string
}

func (d Diag) Error() string { return fmt.Sprintf("%s:%d:%d: %s", d.File, d.Line, d.Col, d.Msg) }

// Diags is a list of problems; as an error it prints one per line.
type Diags []Diag

func (ds Diags) Error() string {
	lines := make([]string, len(ds))
	for i, d := range ds {
		lines[i] = d.Error()
	}
	return strings.Join(lines, "\n")
}

// Err returns ds as an error, or nil when empty.
func (ds Diags) Err() error {
	if len(ds) == 0 {
		return nil
	}
	return ds
}

var idPattern = regexp.MustCompile(`^[a-z0-9][a-z0-9-]*$`)

// Parse reads one lesson. It returns the lesson (possibly partial) and every
// problem found; a lesson with problems must not be run.
func Parse(file string, src []byte) (*Lesson, Diags) {
	p := &parser{file: file, l: &Lesson{File: file}}
	p.parse(src)
	return p.l, p.diags
}

type parser struct {
	file  string
	l     *Lesson
	diags Diags
}

func (p *parser) errf(line, col int, format string, v ...any) {
	p.diags = append(p.diags, Diag{File: p.file, Line: line, Col: col, Msg: fmt.Sprintf(format, v...)})
}

func (p *parser) parse(src []byte) {
	var lines []string
	sc := bufio.NewScanner(bytes.NewReader(src))
	sc.Buffer(make([]byte, 64*1024), 1<<20)
	for sc.Scan() {
		lines = append(lines, strings.TrimRight(sc.Text(), "\r"))
	}
	if err := sc.Err(); err != nil {
		p.errf(len(lines)+1, 1, "%v", err)
		return
	}
	body := p.frontMatter(lines)
	p.sections(lines, body)
	p.checkMeta()
}

// frontMatter decodes the YAML between the first two --- lines and returns
// the index of the first body line.
func (p *parser) frontMatter(lines []string) int {
	if len(lines) == 0 || strings.TrimSpace(lines[0]) != "---" {
		p.errf(1, 1, "missing front matter: the file must start with a --- line, then id, title, summary, minutes, preset, track, order, then ---")
		return 0
	}
	end := -1
	for i := 1; i < len(lines); i++ {
		if strings.TrimSpace(lines[i]) == "---" {
			end = i
			break
		}
	}
	if end < 0 {
		p.errf(1, 1, "front matter is not closed: add a --- line after it")
		return len(lines)
	}
	var node yaml.Node
	text := strings.Join(lines[1:end], "\n")
	if err := yaml.Unmarshal([]byte(text), &node); err != nil {
		p.yamlErr(err, 1)
		return end + 1
	}
	dec := yaml.NewDecoder(strings.NewReader(text))
	dec.KnownFields(true)
	if err := dec.Decode(p.l); err != nil && !errors.Is(err, io.EOF) {
		p.yamlErr(err, 1)
	}
	return end + 1
}

var yamlLine = regexp.MustCompile(`line (\d+)`)

// yamlErr reports a YAML error at its line, offset by where the YAML starts.
// Only the first problem is reported; the others usually follow from it.
func (p *parser) yamlErr(err error, offset int) {
	msg := strings.TrimPrefix(err.Error(), "yaml: ")
	msg = strings.TrimPrefix(msg, "unmarshal errors:\n")
	msg = strings.TrimSpace(strings.SplitN(msg, "\n", 2)[0])
	line := offset
	if m := yamlLine.FindStringSubmatch(msg); m != nil {
		var n int
		fmt.Sscanf(m[1], "%d", &n)
		line = offset + n
		msg = strings.TrimLeft(strings.Replace(msg, m[0], "", 1), ": ")
	}
	if strings.Contains(msg, "!!map into string") {
		msg += " (text containing \": \" must be quoted)"
	}
	where := "front matter"
	if offset > 1 {
		where = "quiz"
	}
	p.errf(line, 1, "%s: %s", where, msg)
}

// checkMeta checks the front matter's required fields and values.
func (p *parser) checkMeta() {
	l := p.l
	missing := []string{}
	for _, f := range []struct {
		name string
		ok   bool
	}{{"id", l.ID != ""}, {"title", l.Title != ""}, {"summary", l.Summary != ""}, {"minutes", l.Minutes != 0},
		{"preset", l.Preset != ""}, {"track", l.Track != ""}, {"order", l.Order != 0}} {
		if !f.ok {
			missing = append(missing, f.name)
		}
	}
	if len(missing) > 0 {
		p.errf(1, 1, "front matter is missing %s", strings.Join(missing, ", "))
	}
	if l.ID != "" && !idPattern.MatchString(l.ID) {
		p.errf(2, 1, "id %q: use lower-case letters, digits and dashes", l.ID)
	}
	if l.Minutes < 0 || l.Minutes > 120 {
		p.errf(2, 1, "minutes %d is out of range 1..120", l.Minutes)
	}
	if l.Preset != "" {
		if _, err := lab.LoadPreset(l.Preset); err != nil {
			p.errf(2, 1, "%v", err)
		}
	}
	if len(l.Steps) == 0 && len(p.diags) == 0 {
		p.errf(1, 1, "a lesson needs at least one step (a ## heading)")
	}
}

// sections splits the body into the intro and the ## steps.
func (p *parser) sections(lines []string, from int) {
	var cur *Step
	var prose []string
	flush := func() {
		text := strings.TrimSpace(strings.Join(prose, "\n"))
		if cur == nil {
			p.l.Intro = text
		} else {
			cur.Prose = text
			if cur.Task() && len(cur.Expects) == 0 {
				p.errf(cur.Line, 1, "step %q has a solution but no goal: a task needs expect lines in its lab block", cur.Title)
			}
			p.l.Steps = append(p.l.Steps, *cur)
		}
		prose = nil
	}
	for i := from; i < len(lines); i++ {
		line := lines[i]
		n := i + 1
		switch {
		case strings.HasPrefix(line, "## "):
			flush()
			cur = &Step{Title: strings.TrimSpace(line[3:]), Line: n}
		case strings.HasPrefix(strings.TrimSpace(line), "```"):
			lang := strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(line), "```"))
			end := i + 1
			for end < len(lines) && !strings.HasPrefix(strings.TrimSpace(lines[end]), "```") {
				end++
			}
			if end == len(lines) {
				p.errf(n, 1, "code block is not closed (add a ``` line)")
			}
			block := lines[i+1 : min(end, len(lines))]
			switch {
			case lang == "lab" && cur == nil:
				p.errf(n, 1, "a lab block must be inside a step (after a ## heading)")
			case lang == "lab":
				p.labBlock(cur, block, n+1)
			case lang == "solution" && cur == nil:
				p.errf(n, 1, "a solution must be inside a step (after a ## heading)")
			case lang == "solution":
				p.solution(cur, block, n)
			case lang == "quiz" && cur == nil:
				p.errf(n, 1, "a quiz must be inside a step (after a ## heading)")
			case lang == "quiz":
				p.quiz(cur, block, n)
			default:
				prose = append(prose, lines[i:min(end+1, len(lines))]...)
			}
			i = end
		case strings.HasPrefix(line, "> Hint:"):
			text := strings.TrimSpace(strings.TrimPrefix(line, "> Hint:"))
			for i+1 < len(lines) && strings.HasPrefix(lines[i+1], ">") && !strings.HasPrefix(lines[i+1], "> Hint:") {
				i++
				text += " " + strings.TrimSpace(strings.TrimPrefix(lines[i], ">"))
			}
			if cur == nil {
				p.errf(n, 1, "a hint must be inside a step (after a ## heading)")
			} else if text == "" {
				p.errf(n, 1, "empty hint")
			} else {
				cur.Hints = append(cur.Hints, text)
			}
		default:
			prose = append(prose, line)
		}
	}
	flush()
}

var panelPattern = regexp.MustCompile(`^[a-z]+$`)

// labBlock parses a lab block's lines (the first is file line first):
// commands, expect lines and an optional panel: line.
func (p *parser) labBlock(st *Step, block []string, first int) {
	for j, raw := range block {
		n := first + j
		if name, ok := strings.CutPrefix(strings.TrimSpace(raw), "panel:"); ok {
			name = strings.TrimSpace(name)
			col := strings.Index(raw, "panel:") + 1
			switch {
			case st.Panel != "":
				p.errf(n, col, "a step names at most one panel (it already names %s)", st.Panel)
			case !panelPattern.MatchString(name):
				p.errf(n, col, "panel: give a panel's name, like panel: traces")
			default:
				st.Panel, st.PanelLine = name, n
			}
			continue
		}
		c := p.command(raw, n)
		if c == nil {
			continue
		}
		if e, ok := c.Expect(); ok {
			st.Expects = append(st.Expects, Expect{N: n, Expect: e})
			continue
		}
		st.Setup = append(st.Setup, Line{N: n, Cmd: c})
	}
}

// solution parses a solution block: command lines, as typed in the
// command bar.
func (p *parser) solution(st *Step, block []string, fence int) {
	if st.Task() {
		p.errf(fence, 1, "a step has at most one solution block")
		return
	}
	written := false
	for j, raw := range block {
		n := fence + 1 + j
		t := strings.TrimSpace(raw)
		written = written || (t != "" && !strings.HasPrefix(t, "#"))
		c := p.command(raw, n)
		if c == nil {
			continue
		}
		if _, ok := c.Expect(); ok {
			p.errf(n, 1, "an expect in a solution checks nothing: put the goal in the step's lab block")
			continue
		}
		st.Solution = append(st.Solution, Line{N: n, Cmd: c})
	}
	if !written {
		p.errf(fence, 1, "empty solution: give the command lines that reach the step's goal")
	}
}

// command parses one line of a lab or solution block at file line n; nil
// for a blank line, a comment or a line with a problem (reported).
func (p *parser) command(raw string, n int) *lab.Command {
	c, err := lab.Parse(raw)
	if err != nil {
		var se *lab.SyntaxError
		if errors.As(err, &se) {
			msg := se.Msg
			if se.Usage != "" {
				msg += " (usage: " + se.Usage + ")"
			}
			p.errf(n, se.Col, "%s", msg)
		} else {
			indent := len(raw) - len(strings.TrimLeft(raw, " \t"))
			p.errf(n, indent+1, "%v", err)
		}
		return nil
	}
	return c
}

// CheckPanels reports every step that names a panel not among known (the
// dashboard's panel ids), at its panel: line.
func CheckPanels(l *Lesson, known []string) Diags {
	var ds Diags
	for _, st := range l.Steps {
		if st.Panel != "" && !slices.Contains(known, st.Panel) {
			ds = append(ds, Diag{File: l.File, Line: st.PanelLine, Col: 1,
				Msg: fmt.Sprintf("unknown panel %q; panels: %s", st.Panel, strings.Join(known, ", "))})
		}
	}
	return ds
}

// quiz decodes a quiz block and checks it.
func (p *parser) quiz(st *Step, block []string, fence int) {
	if st.Quiz != nil {
		p.errf(fence, 1, "a step has at most one quiz")
		return
	}
	q := &Quiz{Line: fence}
	dec := yaml.NewDecoder(strings.NewReader(strings.Join(block, "\n")))
	dec.KnownFields(true)
	if err := dec.Decode(q); err != nil && !errors.Is(err, io.EOF) {
		p.yamlErr(err, fence)
		return
	}
	// at is the file line of a field, or the fence when the field is absent.
	at := func(field string) int {
		for j, l := range block {
			if strings.HasPrefix(strings.TrimSpace(l), field+":") {
				return fence + 1 + j
			}
		}
		return fence
	}
	switch {
	case strings.TrimSpace(q.Question) == "":
		p.errf(at("question"), 1, "quiz: missing question")
	case len(q.Choices) < 2:
		p.errf(at("choices"), 1, "quiz: give at least two choices")
	case q.Answer < 1 || q.Answer > len(q.Choices):
		p.errf(at("answer"), 1, "quiz: answer %d is not a choice (1..%d)", q.Answer, len(q.Choices))
	case strings.TrimSpace(q.Explain) == "":
		p.errf(at("explain"), 1, "quiz: missing explain (why the answer is right, shown after the learner sees it)")
	default:
		st.Quiz = q
	}
}
