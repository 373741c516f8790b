package main

import (
	"fmt"
	"io"
	"os"

	"github.com/spf13/cobra"

	"github.com/scalelab/scalelab/components/crash"
	"github.com/scalelab/scalelab/lab"
	"github.com/scalelab/scalelab/lab/session"
	"github.com/scalelab/scalelab/lab/tui"
)

func newReplayCmd() *cobra.Command {
	var logs logFlags
	var pf presenterFlags
	var speed float64
	var headless, asJSON bool
	cmd := &cobra.Command{
		Use:   "replay LOG",
		Short: "Run a session log's commands again, at the lab times they ran",
		Long: `Replay builds a lab with the log's preset, seed and speed and runs every
command that succeeded in the recorded session — typed, from a key, a lesson
or a script — at the lab time it ran, so an instructor can show a demo
again. Expects and failed commands are left out.

By default it shows the dashboard (keys and commands work as usual; the
replayed commands appear with source "replay"); --headless prints a summary
each lab second as "scalelab run" does, until the recorded end. The replay
is itself logged (see --log). --speed 2 replays twice as fast: the lab clock
and every recorded speed command are multiplied by it.

A file that is not a session log, a bad line, a schema newer than this build
or a preset it does not have is an error naming the line (exit code 2); a
last line cut short by a crash is left out with a warning. With --headless
the exit code is 1 if a replayed command failed.`,
		Example: `  scalelab replay ~/.local/state/scalelab/sessions/20250301T100000-shop.jsonl
  scalelab replay demo.jsonl --headless --speed 5`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := flagIn("speed", speed, 0.1, 20); err != nil {
				return err
			}
			if err := logs.check(); err != nil {
				return err
			}
			if headless && logs.record {
				return usageError("--record records the dashboard, and --headless has none")
			}
			opt := tui.Options{In: cmd.InOrStdin(), NoColor: tui.NoColorRequested()}
			if err := pf.options(&opt); err != nil {
				return err
			}
			if !headless {
				if err := needTerminal(); err != nil {
					return err
				}
			}
			return runReplay(cmd, args[0], speed, headless, asJSON, &logs, opt)
		},
	}
	cmd.Flags().Float64Var(&speed, "speed", 1, "replay this many times faster than recorded (0.1 to 20)")
	cmd.Flags().BoolVar(&headless, "headless", false, "no dashboard: print a summary each lab second")
	cmd.Flags().BoolVar(&asJSON, "json", false, "with --headless: one JSON object per lab second, then a final summary")
	logs.add(cmd)
	logs.addRecord(cmd, "the dashboard draws")
	pf.add(cmd)
	return cmd
}

func runReplay(cmd *cobra.Command, path string, speed float64, headless, asJSON bool, logs *logFlags, opt tui.Options) error {
	f, err := os.Open(path)
	if err != nil {
		return usageError("%v", err)
	}
	rp, err := session.LoadReplay(f, path, speed)
	f.Close()
	if err != nil {
		return &exitError{2, err}
	}
	for _, w := range rp.Warnings {
		fmt.Fprintf(cmd.ErrOrStderr(), "scalelab: %s: warning: %s\n", path, w)
	}
	l, err := lab.New(rp.Config)
	if err != nil {
		return &exitError{2, fmt.Errorf("%s: %w", path, err)}
	}
	sl := &sessionLogs{flags: logs, mode: "replay", tui: !headless, errOut: cmd.ErrOrStderr()}
	out := sl.output(cmd.OutOrStdout()) // cmd.OutOrStdout() itself when headless
	sl.start(l, func(h *session.Header) { h.Lesson, h.Replay = rp.Header.Lesson, path })
	if headless {
		interrupted := stopOnSignal(l)
		res := rp.Run(l, lab.RunOptions{Out: cmd.OutOrStdout(), JSON: asJSON})
		l.Stop()
		sl.close()
		if err := interrupted(); err != nil {
			return err
		}
		if len(res.Failures) > 0 {
			return &exitError{1, fmt.Errorf("%d of the replayed commands failed", len(res.Failures))}
		}
		return nil
	}
	done := make(chan struct{})
	crash.Go(func() {
		defer close(done)
		rp.Run(l, lab.RunOptions{Out: io.Discard})
	})
	opt.Out = out
	err = tui.Run(l, opt)
	l.Stop()
	<-done
	sl.close()
	return err
}
