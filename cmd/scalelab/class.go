package main

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"

	"github.com/spf13/cobra"

	"github.com/scalelab/scalelab/lab/session"
)

func newClassCmd() *cobra.Command {
	var output string
	var force bool
	cmd := &cobra.Command{
		Use:   "class DIR",
		Short: "One Markdown report over a workshop's attendee logs: lessons, steps, quiz answers, hints",
		Long: `Class reads every session log (*.jsonl) in DIR — the --logs directory of
"scalelab serve --ssh" — and writes one Markdown report: a row per attendee
(lessons finished, steps passed, shown and skipped, quiz answers right,
hints used), then each attendee's lessons step by step. Attendees are told
apart by the user in each log (SSH user and key fingerprint).

A file in DIR that is not a session log is skipped with a warning. -o
writes a new file whole, as export does. The exit code is 1 when DIR holds
no log or the report cannot be written, 2 for bad arguments.`,
		Example: `  scalelab class ~/.local/state/scalelab/serve/logs > workshop.md
  scalelab class ./workshop-logs -o report.md`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			dir := args[0]
			if st, err := os.Stat(dir); err != nil || !st.IsDir() {
				return usageError("%s: not a directory of session logs", dir)
			}
			paths, err := filepath.Glob(filepath.Join(dir, "*.jsonl"))
			if err != nil {
				return usageError("%v", err)
			}
			var logs []session.ClassLog
			for _, p := range paths {
				l, err := readLog(nil, p)
				if err != nil {
					fmt.Fprintf(cmd.ErrOrStderr(), "scalelab: skipped %v\n", err)
					continue
				}
				logs = append(logs, session.ClassLog{Name: filepath.Base(p), Log: l})
			}
			if len(logs) == 0 {
				return &exitError{1, fmt.Errorf("%s: no session logs (*.jsonl) to report on", dir)}
			}
			var b bytes.Buffer
			if err := session.WriteClassMarkdown(&b, logs); err != nil {
				return &exitError{1, err}
			}
			if output == "" {
				if _, err := cmd.OutOrStdout().Write(b.Bytes()); err != nil {
					return &exitError{1, fmt.Errorf("writing the report: %w", err)}
				}
				return nil
			}
			if err := writeNewFile(output, b.Bytes(), force); err != nil {
				return &exitError{1, err}
			}
			return nil
		},
	}
	cmd.Flags().StringVarP(&output, "output", "o", "", "write to `FILE` instead of standard output")
	cmd.Flags().BoolVar(&force, "force", false, "with -o: replace FILE if it exists")
	return cmd
}
