package main

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/scalelab/scalelab/lab/lesson"
	"github.com/scalelab/scalelab/lab/tui"
	"github.com/scalelab/scalelab/lessons"
)

// userLessonDir is where a user's own lessons live: $XDG_CONFIG_HOME/scalelab/lessons.
func userLessonDir() string {
	dir, err := os.UserConfigDir()
	if err != nil {
		return ""
	}
	return filepath.Join(dir, "scalelab", "lessons")
}

// loadLessons reads the shipped lessons, the user's folder if it exists, and
// extra, if given. Problems are returned with the lessons that did load.
func loadLessons(extra string) (*lesson.Set, error) {
	sources := []lesson.Source{{FS: lessons.FS, Name: "lessons"}}
	if dir := userLessonDir(); dir != "" {
		if st, err := os.Stat(dir); err == nil && st.IsDir() {
			sources = append(sources, lesson.Dir(dir))
		}
	}
	if extra != "" {
		st, err := os.Stat(extra)
		if err != nil || !st.IsDir() {
			return nil, usageError("--lessons %s: not a directory", extra)
		}
		sources = append(sources, lesson.Dir(extra))
	}
	return checkPanels(lesson.Load(sources...)), nil
}

// checkPanels leaves out lessons whose steps name a panel the dashboard
// does not have, reporting each such line.
func checkPanels(set *lesson.Set) *lesson.Set {
	kept := set.Lessons[:0]
	for _, l := range set.Lessons {
		if ds := lesson.CheckPanels(l, tui.PanelIDs()); len(ds) > 0 {
			set.Diags = append(set.Diags, ds...)
			continue
		}
		kept = append(kept, l)
	}
	set.Lessons = kept
	return set
}

func newLintCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "lint FILE...",
		Short: "Check lesson files: every problem as file:line:col: message",
		Long: `Lint checks lesson files the way the loader does: front matter fields,
unknown commands and options in lab blocks, expect metrics, quizzes, and
ids already used by a shipped lesson or another given file. Exit code 1 if
any problem is found.`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			shipped := lesson.Load(lesson.Source{FS: lessons.FS, Name: "lessons"})
			seen := map[string]string{}
			for _, l := range shipped.Lessons {
				seen[l.ID] = l.File
			}
			var diags lesson.Diags
			for _, file := range args {
				b, err := os.ReadFile(file)
				if err != nil {
					diags = append(diags, lesson.Diag{File: file, Line: 1, Col: 1, Msg: err.Error()})
					continue
				}
				l, ds := lesson.Parse(file, b)
				diags = append(diags, ds...)
				if len(ds) == 0 {
					diags = append(diags, lesson.CheckPanels(l, tui.PanelIDs())...)
				}
				if l.ID == "" {
					continue
				}
				if first, dup := seen[l.ID]; dup && first != file && !sameFile(first, file) {
					diags = append(diags, lesson.Diag{File: file, Line: 2, Col: 1, Msg: "duplicate id " + l.ID + " (also in " + first + ")"})
				}
				seen[l.ID] = file
			}
			for _, d := range diags {
				fmt.Fprintln(cmd.OutOrStdout(), d.Error())
			}
			if len(diags) > 0 {
				return &exitError{1, fmt.Errorf("%d problem(s) in %d file(s)", len(diags), len(args))}
			}
			fmt.Fprintf(cmd.OutOrStdout(), "%d file(s) ok\n", len(args))
			return nil
		},
	}
}

// sameFile reports whether a shipped lesson path and a given path are the
// same file (linting lessons/*.md from the repo must not flag itself).
func sameFile(shipped, given string) bool {
	return filepath.Base(shipped) == filepath.Base(given) && strings.HasSuffix(filepath.ToSlash(filepath.Clean(given)), filepath.ToSlash(shipped))
}

func newVerifyCmd() *cobra.Command {
	var all bool
	var speed float64
	var seed uint64
	var dir string
	cmd := &cobra.Command{
		Use:   "verify [LESSON...|--all]",
		Short: "Run lessons headless and check every step passes on live metrics",
		Long: `Verify runs lessons without the dashboard, on a live lab built from each
lesson's preset, and proves every step. A step without a solution runs its
setup, then its checks must all hold at once before its deadline (its
longest "within", or 60 s). A task (a step with a solution) must not pass
by itself: its checks are watched for its longest "within" (at least 5 lab
seconds) before anyone acts, and if they all hold at once the task is
trivial and verify fails; then its solution runs, and the checks must all
hold at once before the deadline. Quizzes are answered. A failing step
prints the checks with their values. Exit code 0 only if every lesson
passed.`,
		Example: "  scalelab verify --all\n  scalelab verify load-balancing --speed 1",
		RunE: func(cmd *cobra.Command, args []string) error {
			if all == (len(args) > 0) {
				return usageError("give lesson ids or --all (not both)")
			}
			if err := flagIn("speed", speed, 0.1, 20); err != nil {
				return err
			}
			set, err := loadLessons(dir)
			if err != nil {
				return err
			}
			out := cmd.OutOrStdout()
			for _, d := range set.Diags {
				fmt.Fprintln(cmd.ErrOrStderr(), d.Error())
			}
			todo := set.Lessons
			if !all {
				todo = nil
				for _, id := range args {
					l := set.Find(id)
					if l == nil {
						return usageError("no lesson %q (see `scalelab lessons`)", id)
					}
					todo = append(todo, l)
				}
			}
			failed := 0
			for _, l := range todo {
				fmt.Fprintf(out, "%s (%s)\n", l.ID, l.Title)
				res, err := lesson.Verify(l, seed, speed, func(r lesson.StepResult) {
					mark := "✔"
					if !r.Passed {
						mark = "✖"
					}
					fmt.Fprintf(out, "  %s %s\n", mark, r)
				})
				if err != nil || !res.Passed {
					failed++
				}
				if err != nil {
					fmt.Fprintf(out, "  ✖ %v\n", err)
				}
			}
			if failed > 0 || len(set.Diags) > 0 {
				return &exitError{1, fmt.Errorf("%d of %d lesson(s) failed, %d problem(s) loading lessons", failed, len(todo), len(set.Diags))}
			}
			fmt.Fprintf(out, "%d lesson(s) passed\n", len(todo))
			return nil
		},
	}
	cmd.Flags().BoolVar(&all, "all", false, "verify every lesson")
	cmd.Flags().Float64Var(&speed, "speed", 20, "lab clock speed, 0.1 to 20 (a machine that cannot keep up slows the lab down by itself, so results stay exact)")
	cmd.Flags().Uint64Var(&seed, "seed", 1, "random seed")
	cmd.Flags().StringVar(&dir, "lessons", "", "also load lessons from DIR")
	return cmd
}

func newLessonsCmd() *cobra.Command {
	var dir string
	cmd := &cobra.Command{
		Use:   "lessons",
		Short: "List the lessons with your progress",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			set, err := loadLessons(dir)
			if err != nil {
				return err
			}
			prog, path, perr := openProgress()
			if perr != nil {
				fmt.Fprintf(cmd.ErrOrStderr(), "scalelab: progress %s: %v (showing none)\n", path, perr)
			}
			tw := tabwriter.NewWriter(cmd.OutOrStdout(), 2, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "\tid\ttrack\tmin\tprogress\ttitle")
			for _, l := range set.Lessons {
				lp := prog.Lesson(l.ID)
				mark, state := " ", fmt.Sprintf("%d/%d steps", len(lp.Passed), len(l.Steps))
				if lp.Done {
					mark, state = "✔", "done"
				} else if len(lp.Passed) == 0 {
					state = "not started"
				}
				fmt.Fprintf(tw, "%s\t%s\t%s\t%d\t%s\t%s\n", mark, l.ID, l.Track, l.Minutes, state, l.Title)
			}
			if err := tw.Flush(); err != nil {
				return err
			}
			for _, d := range set.Diags {
				fmt.Fprintln(cmd.ErrOrStderr(), d.Error())
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&dir, "lessons", "", "also load lessons from DIR")
	return cmd
}

// openProgress loads the learner's progress; on error an empty one.
func openProgress() (*lesson.Progress, string, error) {
	path, err := lesson.DefaultProgressPath()
	if err != nil {
		return &lesson.Progress{}, "", err
	}
	p, err := lesson.LoadProgress(path)
	if err != nil {
		return &lesson.Progress{}, path, err
	}
	return p, path, nil
}

func newResetCmd() *cobra.Command {
	var yes bool
	cmd := &cobra.Command{
		Use:   "reset [LESSON]",
		Short: "Clear lesson progress (one lesson, or all), after asking",
		Args:  cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			prog, path, err := openProgress()
			if err != nil && path == "" {
				return err
			}
			what := "all lesson progress"
			if len(args) == 1 {
				set, lerr := loadLessons("")
				if lerr != nil {
					return lerr
				}
				if set.Find(args[0]) == nil {
					return usageError("no lesson %q (see `scalelab lessons`)", args[0])
				}
				what = "progress of " + args[0]
			}
			if !yes {
				ok, aerr := confirm(cmd.InOrStdin(), cmd.OutOrStdout(), "Clear "+what+"? [y/N] ")
				if aerr != nil {
					return usageError("%v; pass --yes to reset without asking", aerr)
				}
				if !ok {
					fmt.Fprintln(cmd.OutOrStdout(), "nothing changed")
					return nil
				}
			}
			if len(args) == 1 {
				prog.Reset(args[0])
			} else {
				prog.ResetAll()
			}
			if err := prog.Save(path); err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "cleared %s (%s)\n", what, path)
			return nil
		},
	}
	cmd.Flags().BoolVar(&yes, "yes", false, "do not ask")
	return cmd
}

// confirm asks a yes/no question on in; only y or yes is yes.
func confirm(in io.Reader, out io.Writer, question string) (bool, error) {
	fmt.Fprint(out, question)
	line, err := bufio.NewReader(in).ReadString('\n')
	if err != nil && !(errors.Is(err, io.EOF) && line != "") {
		return false, errors.New("no answer")
	}
	a := strings.ToLower(strings.TrimSpace(line))
	return a == "y" || a == "yes", nil
}
