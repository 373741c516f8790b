package main

import (
	"encoding/json"
	"fmt"
	"io"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/scalelab/scalelab/lab"
)

func printJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

func newMetricsCmd() *cobra.Command {
	var asJSON, markdown bool
	cmd := &cobra.Command{
		Use:   "metrics",
		Short: "List every metric name with its unit and meaning",
		Long: `Metrics lists the names expect lines, panels and logs use. A name with a
label is written like lb.routed{backend=web-1}. Rates are over the last lab
second; percentiles, means and ratios over the last five.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			switch {
			case asJSON && markdown:
				return usageError("--json and --markdown: give one")
			case asJSON:
				return printJSON(cmd.OutOrStdout(), lab.Metrics)
			case markdown:
				_, err := fmt.Fprint(cmd.OutOrStdout(), lab.MetricTable())
				return err
			}
			tw := tabwriter.NewWriter(cmd.OutOrStdout(), 2, 4, 2, ' ', 0)
			for _, m := range lab.Metrics {
				fmt.Fprintf(tw, "%s\t%s\t%s\n", m.Pattern(), m.Unit, m.Meaning)
			}
			return tw.Flush()
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print as JSON")
	cmd.Flags().BoolVar(&markdown, "markdown", false, "print as a Markdown table (the one in docs/metrics.md)")
	return cmd
}

func newCommandsCmd() *cobra.Command {
	var markdown bool
	cmd := &cobra.Command{
		Use:   "commands [NAME]",
		Short: "Describe the command language used by scripts, the command bar and lessons",
		Args:  cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			out := cmd.OutOrStdout()
			if markdown {
				if len(args) > 0 {
					return usageError("--markdown prints the whole table; give no NAME")
				}
				_, err := fmt.Fprint(out, lab.CommandTable())
				return err
			}
			for _, s := range lab.Specs() {
				if len(args) == 1 && s.Name != args[0] {
					continue
				}
				fmt.Fprintf(out, "%s\n    %s\n    e.g. %s\n", s.Usage(), s.Summary, s.Example)
				if len(args) == 1 {
					return nil
				}
			}
			if len(args) == 1 {
				return usageError("unknown command %q (run `scalelab commands` for the list)", args[0])
			}
			return nil
		},
	}
	cmd.Flags().BoolVar(&markdown, "markdown", false, "print as a Markdown table (the one in docs/commands.md)")
	return cmd
}

func newPresetsCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "presets",
		Short: "List the topology presets",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			tw := tabwriter.NewWriter(cmd.OutOrStdout(), 2, 4, 2, ' ', 0)
			for _, name := range lab.PresetNames() {
				p, err := lab.LoadPreset(name)
				if err != nil {
					return err
				}
				fmt.Fprintf(tw, "%s\t%s\n", name, p.Description)
			}
			return tw.Flush()
		},
	}
}

func newScriptsCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "scripts [NAME]",
		Short: "List the example scripts that ship with scalelab, or print one",
		Long: `Scripts lists the example scripts built into scalelab, each with what it
shows (its first comment line). "scalelab run --script NAME" runs one;
"scalelab scripts NAME" prints it, to read or to copy and change.`,
		Example: `  scalelab scripts
  scalelab run --script demo
  scalelab scripts demo > my.lab && scalelab run --script my.lab`,
		Args: cobra.MaximumNArgs(1),
		ValidArgsFunction: func(_ *cobra.Command, args []string, _ string) ([]string, cobra.ShellCompDirective) {
			if len(args) > 0 {
				return nil, cobra.ShellCompDirectiveNoFileComp
			}
			return lab.ScriptNames(), cobra.ShellCompDirectiveNoFileComp
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args) == 1 {
				s, err := lab.LoadScript(args[0])
				if err != nil {
					return usageError("%v", err)
				}
				_, err = cmd.OutOrStdout().Write(s.Source)
				return err
			}
			tw := tabwriter.NewWriter(cmd.OutOrStdout(), 2, 4, 2, ' ', 0)
			for _, name := range lab.ScriptNames() {
				s, err := lab.LoadScript(name)
				if err != nil {
					return err
				}
				fmt.Fprintf(tw, "%s\t%s\n", name, s.Description)
			}
			return tw.Flush()
		},
	}
}
