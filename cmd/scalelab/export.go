package main

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"github.com/scalelab/scalelab/lab/session"
)

func newExportCmd() *cobra.Command {
	var format, output string
	cmd := &cobra.Command{
		Use:   "export LOG",
		Short: "Turn a session log into a Markdown report, OTLP/JSON traces or an asciinema recording",
		Long: `Export reads a session log (JSON Lines, "-" for standard input) and writes it
as one of:

  md    a report: timeline of commands and faults, lesson results, a metrics
        table every 5 lab seconds, and text charts of latency and hit ratio
  otlp  the sampled traces as OTLP/JSON, for OpenTelemetry tools (Jaeger,
        the collector's otlpjsonfile receiver)
  cast  the screen recorded with --record, as an asciicast v2 file that
        "asciinema play" replays

Nothing is written when the log cannot be read or holds nothing to export
(no traces for otlp, no frames for cast). The exit code is 1 for a bad or
empty log, 2 for bad flags.`,
		Example: `  scalelab export session.jsonl > report.md
  scalelab export session.jsonl --format otlp -o traces.json
  scalelab export session.jsonl --format cast -o session.cast && asciinema play session.cast`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if !slices.Contains(session.Formats, format) {
				return usageError("--format %q: accepted formats are %s", format, strings.Join(session.Formats, ", "))
			}
			l, err := readLog(cmd.InOrStdin(), args[0])
			if err != nil {
				return &exitError{1, err}
			}
			for _, w := range l.Warnings {
				fmt.Fprintf(cmd.ErrOrStderr(), "scalelab: %s: warning: %s\n", args[0], w)
			}
			var b bytes.Buffer
			if err := session.Export(&b, l, format); err != nil {
				return &exitError{1, fmt.Errorf("%s: %w", args[0], err)}
			}
			if output == "" {
				_, err = cmd.OutOrStdout().Write(b.Bytes())
				return err
			}
			if err := os.WriteFile(output, b.Bytes(), 0o644); err != nil {
				return &exitError{1, err}
			}
			return nil
		},
	}
	cmd.Flags().StringVarP(&format, "format", "f", "md", "output format: "+strings.Join(session.Formats, ", "))
	cmd.Flags().StringVarP(&output, "output", "o", "", "write to `FILE` instead of standard output")
	return cmd
}

// readLog reads the session log at path, or stdin for "-".
func readLog(stdin io.Reader, path string) (*session.Log, error) {
	if path == "-" {
		l, err := session.Read(stdin)
		if err != nil {
			return nil, fmt.Errorf("standard input: %w", err)
		}
		return l, nil
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	l, err := session.Read(f)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return l, nil
}
