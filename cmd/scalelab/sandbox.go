package main

import (
	"fmt"
	"os"

	"github.com/mattn/go-isatty"
	"github.com/spf13/cobra"

	"github.com/scalelab/scalelab/lab"
	"github.com/scalelab/scalelab/lab/lesson"
	"github.com/scalelab/scalelab/lab/session"
	"github.com/scalelab/scalelab/lab/tui"
)

func newSandboxCmd() *cobra.Command {
	var lf labFlags
	var logs logFlags
	var pf presenterFlags
	var ff frontFlags
	cmd := &cobra.Command{
		Use:   "sandbox",
		Short: "Open the live dashboard on a lab for free play",
		Long: `Sandbox builds a lab from a preset and opens the dashboard: a map of the
topology and panels for routing, latency, cache, shards, queue, breaker,
traces and events. Press : for a command, ? for every key, q to quit.
The session is logged (see --log); its path is printed on exit.
With --http ADDR, real clients send requests into the lab (curl -i
ADDR/item/42) and Prometheus can scrape ADDR/metrics; --otlp URL sends
the sampled traces live to an OpenTelemetry endpoint.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return runSandbox(cmd, &lf, &logs, &pf, &ff) },
	}
	lf.add(cmd)
	ff.add(cmd)
	logs.add(cmd)
	logs.addRecord(cmd, "the dashboard draws")
	pf.add(cmd)
	return cmd
}

// needTerminal refuses to draw the dashboard into a pipe or file.
func needTerminal() error {
	if !isatty.IsTerminal(os.Stdout.Fd()) && !isatty.IsCygwinTerminal(os.Stdout.Fd()) {
		return usageError("the dashboard needs a terminal, and standard output is not one; for a headless run use `scalelab run --script FILE` (lessons: `scalelab verify`)")
	}
	return nil
}

// runLessonsTUI opens the lesson picker (or one lesson) with the learner's
// progress; each lesson gets a fresh lab built from its preset, and a
// session log of its own (with --record, holding the frames drawn while
// that lesson was open).
func runLessonsTUI(cmd *cobra.Command, lf *labFlags, logs *logFlags, dir, open string) error {
	if err := needTerminal(); err != nil {
		return err
	}
	if _, err := lf.config(); err != nil { // check the flags before drawing
		return err
	}
	if err := logs.check(); err != nil {
		return err
	}
	set, err := loadLessons(dir)
	if err != nil {
		return err
	}
	sl := &sessionLogs{flags: logs, mode: "tui", tui: true, errOut: cmd.ErrOrStderr()}
	defer sl.close() // after the program has stopped every lab
	out := sl.output(cmd.OutOrStdout())
	newLab := func(ls *lesson.Lesson) (*lab.Lab, error) {
		p, err := lab.LoadPreset(ls.Preset)
		if err != nil {
			return nil, err
		}
		l, err := lab.New(lab.Config{Preset: p, Seed: lf.seed, Speed: lf.speed, MaxRate: lf.maxRate})
		if err == nil {
			sl.start(l, func(h *session.Header) { h.Lesson = ls.ID })
		}
		return l, err
	}
	path, err := lesson.DefaultProgressPath()
	if err != nil {
		fmt.Fprintf(cmd.ErrOrStderr(), "scalelab: %v; progress will not be saved\n", err)
		path = ""
	}
	opt := tui.Options{In: cmd.InOrStdin(), Out: out, NoColor: tui.NoColorRequested()}
	if open != "" {
		ls := set.Find(open)
		if ls == nil {
			return usageError("--lesson: no lesson %q (see `scalelab lessons`)", open)
		}
		return tui.RunLesson(ls, newLab, path, opt)
	}
	return tui.RunLessons(set, newLab, path, opt)
}

func runSandbox(cmd *cobra.Command, lf *labFlags, logs *logFlags, pf *presenterFlags, ff *frontFlags) error {
	cfg, err := lf.config()
	if err != nil {
		return err
	}
	if err := ff.check(); err != nil {
		return err
	}
	opt := tui.Options{In: cmd.InOrStdin(), NoColor: tui.NoColorRequested()}
	if err := pf.options(&opt); err != nil {
		return err
	}
	if err := needTerminal(); err != nil {
		return err
	}
	if err := logs.check(); err != nil {
		return err
	}
	l, err := lab.New(cfg)
	if err != nil {
		return err
	}
	sl := &sessionLogs{flags: logs, mode: "tui", tui: true, errOut: cmd.ErrOrStderr()}
	out := sl.output(cmd.OutOrStdout())
	sl.start(l, nil)
	closeFront, err := ff.start(l, nil)
	if err != nil {
		l.Stop()
		sl.close()
		return err
	}
	opt.Started = func() { ff.announce(l) } // in the events panel
	opt.Out = out
	err = tui.Run(l, opt)
	l.Stop()
	closeFront(cmd.ErrOrStderr())
	sl.close()
	return err
}
