package main

import (
	"os"

	"github.com/mattn/go-isatty"
	"github.com/spf13/cobra"

	"github.com/scalelab/scalelab/lab"
	"github.com/scalelab/scalelab/lab/tui"
)

func newSandboxCmd() *cobra.Command {
	var lf labFlags
	cmd := &cobra.Command{
		Use:   "sandbox",
		Short: "Open the live dashboard on a lab for free play",
		Long: `Sandbox builds a lab from a preset and opens the dashboard: a map of the
topology and panels for routing, latency, cache, shards, queue, breaker,
traces and events. Press : for a command, ? for every key, q to quit.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return runSandbox(cmd, &lf) },
	}
	lf.add(cmd)
	return cmd
}

func runSandbox(cmd *cobra.Command, lf *labFlags) error {
	if !isatty.IsTerminal(os.Stdout.Fd()) && !isatty.IsCygwinTerminal(os.Stdout.Fd()) {
		return usageError("the dashboard needs a terminal, and standard output is not one; for a headless run use `scalelab run --script FILE`")
	}
	cfg, err := lf.config()
	if err != nil {
		return err
	}
	l, err := lab.New(cfg)
	if err != nil {
		return err
	}
	defer l.Stop()
	return tui.Run(l, tui.Options{In: cmd.InOrStdin(), Out: cmd.OutOrStdout(), NoColor: tui.NoColorRequested()})
}
