package main

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"github.com/scalelab/scalelab/lab/session"
)

func newExportCmd() *cobra.Command {
	var format, output string
	var force bool
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
(no traces for otlp, no frames for cast). -o writes a new file whole (to a
temporary file beside it, then renamed, so a reader never sees half of it
and a symbolic link at FILE is replaced, not written through); an existing
FILE is kept unless --force. The exit code is 1 for a bad or empty log or a
write that failed, 2 for bad flags.`,
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
				if _, err := cmd.OutOrStdout().Write(b.Bytes()); err != nil {
					return &exitError{1, fmt.Errorf("writing the %s export: %w", format, err)}
				}
				return nil
			}
			if err := writeNewFile(output, b.Bytes(), force); err != nil {
				return &exitError{1, err}
			}
			return nil
		},
	}
	cmd.Flags().BoolVar(&force, "force", false, "with -o: replace FILE if it exists")
	cmd.Flags().StringVarP(&format, "format", "f", "md", "output format: "+strings.Join(session.Formats, ", "))
	cmd.Flags().StringVarP(&output, "output", "o", "", "write to `FILE` instead of standard output")
	return cmd
}

// writeNewFile writes data to path whole: to a temporary file in the same
// directory, synced, then renamed over path (so a symbolic link at path is
// replaced, not followed). An existing path is an error unless force.
func writeNewFile(path string, data []byte, force bool) error {
	if _, err := os.Lstat(path); err == nil && !force {
		return fmt.Errorf("%s exists; pass --force to replace it", path)
	}
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*.tmp")
	if err != nil {
		return err
	}
	tmp := f.Name()
	_, err = f.Write(data)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Chmod(tmp, 0o644)
	}
	if err == nil {
		err = os.Rename(tmp, path)
	}
	if err != nil {
		os.Remove(tmp)
		return fmt.Errorf("writing %s: %w", path, err)
	}
	return nil
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
