// Command scalelab is a terminal teaching lab for scalable web architecture:
// real load balancers, caches, shards, a queue, a circuit breaker and a
// tracer run as goroutines in this process while you inject load and faults
// and watch what they do.
package main

import (
	"errors"
	"fmt"
	"os"

	"github.com/spf13/cobra"
)

// exitError carries a process exit code through cobra.
type exitError struct {
	code int
	err  error
}

func (e *exitError) Error() string { return e.err.Error() }

// usageError is a bad flag or argument: exit code 2.
func usageError(format string, v ...any) error {
	return &exitError{2, fmt.Errorf(format, v...)}
}

// flagIn checks that a number flag is in [lo, hi]; NaN and ±Inf never are.
func flagIn(name string, v, lo, hi float64) error {
	if !(v >= lo && v <= hi) {
		return usageError("--%s %g is out of range %g..%g", name, v, lo, hi)
	}
	return nil
}

func main() {
	root := newRoot()
	if err := root.Execute(); err != nil {
		fmt.Fprintln(os.Stderr, "scalelab:", err)
		var ee *exitError
		if errors.As(err, &ee) {
			os.Exit(ee.code)
		}
		os.Exit(2) // cobra's own flag and argument errors
	}
}

func newRoot() *cobra.Command {
	root := &cobra.Command{
		Use:   "scalelab",
		Short: "A terminal lab for seeing how scalable systems behave",
		Long: `scalelab runs real components — load balancers, caches, shards, a queue,
a circuit breaker, a tracer — as live goroutines, drives load through them,
injects faults, and measures everything it shows.

With no command it opens the lesson picker; "scalelab sandbox" is free play.`,
		SilenceUsage:  true,
		SilenceErrors: true,
		Args:          cobra.NoArgs,
	}
	var lf labFlags
	var logs logFlags
	var dir, open string
	lf.add(root)
	logs.add(root)
	logs.addRecord(root, "drawn while a lesson is open, in that lesson's log")
	root.Flags().StringVar(&dir, "lessons", "", "also load lessons from DIR")
	root.Flags().StringVar(&open, "lesson", "", "open this lesson directly instead of the picker")
	root.RunE = func(cmd *cobra.Command, _ []string) error { return runLessonsTUI(cmd, &lf, &logs, dir, open) }
	root.AddCommand(newSandboxCmd(), newLessonsCmd(), newVerifyCmd(), newLintCmd(), newResetCmd(), newRunCmd(), newBenchCmd(), newMetricsCmd(), newCommandsCmd(), newPresetsCmd(), newScriptsCmd(), newReplayCmd(), newExportCmd(), newPresentCmd(), newServeCmd(), newClassCmd())
	return root
}
