package main

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"github.com/scalelab/scalelab/components/crash"
	"github.com/scalelab/scalelab/lab"
)

type labFlags struct {
	preset  string
	speed   float64
	seed    uint64
	maxRate float64
}

func (f *labFlags) add(cmd *cobra.Command) {
	cmd.Flags().StringVar(&f.preset, "preset", "shop", "topology `NAME` (scalelab presets lists them)")
	cmd.Flags().Float64Var(&f.speed, "speed", 1, "lab clock speed, 0.1 to 20 (times real time)")
	cmd.Flags().Uint64Var(&f.seed, "seed", 1, "random seed: the same seed and script give the same load")
	cmd.Flags().Float64Var(&f.maxRate, "max-rate", lab.DefaultMaxRate, "highest load rate a command may ask for, requests/s")
}

func (f *labFlags) config() (lab.Config, error) {
	if err := flagIn("speed", f.speed, 0.1, 20); err != nil {
		return lab.Config{}, err
	}
	if err := flagIn("max-rate", f.maxRate, 1, lab.MaxRateCap); err != nil {
		return lab.Config{}, err
	}
	p, err := lab.LoadPreset(f.preset)
	if err != nil {
		return lab.Config{}, usageError("--preset: %v", err)
	}
	return lab.Config{Preset: p, Seed: f.seed, Speed: f.speed, MaxRate: f.maxRate}, nil
}

// stopOnSignal stops l at SIGINT or SIGTERM, so a headless run still
// prints its final summary and its log gets its last line; a panic on one
// of the lab's goroutines stops it the same way. Call the function it
// returns when the run is over: it stops watching and returns the error to
// exit with: 130 for SIGINT and 143 for SIGTERM, as shells report them, or
// 2 with the panic and its stack.
func stopOnSignal(l *lab.Lab) func() error {
	ch := make(chan os.Signal, 1)
	signal.Notify(ch, os.Interrupt, syscall.SIGTERM)
	panicked := make(chan error, 1)
	restore := crash.Handle(func(v any, stack []byte) {
		select {
		case panicked <- fmt.Errorf("the lab crashed: a goroutine panicked: %v\n\n%s", v, stack):
		default: // the first panic is the one to report
		}
	})
	var got error
	done := make(chan struct{})
	stopped := make(chan struct{})
	go func() {
		defer close(stopped)
		select {
		case s := <-ch:
			code := 130
			if s == syscall.SIGTERM {
				code = 143
			}
			got = &exitError{code, fmt.Errorf("stopped by %v; the summary above is up to then", s)}
		case err := <-panicked:
			got = &exitError{2, err}
		case <-done:
			return
		}
		// Stopped here, not in the handler: the panicking goroutine may
		// have left a lock that Stop needs held.
		l.Stop()
	}()
	return func() error {
		signal.Stop(ch)
		close(done)
		<-stopped
		restore()
		return got
	}
}

func newRunCmd() *cobra.Command {
	var lf labFlags
	var logs logFlags
	var script, events string
	var asJSON bool
	var ff frontFlags
	cmd := &cobra.Command{
		Use:   "run --script FILE|NAME",
		Short: "Run a script of lab commands headless, printing metrics each lab second",
		Long: `Run builds a lab from a preset, runs the script's commands in order (wait and
expect block until they are done), and prints a one-line summary every lab
second, or with --json one object per lab second and a final summary.

--script takes a file, or the name of a script that ships with scalelab
("demo" or "demo.lab"; "scalelab scripts" lists them). A file at that path
wins over a shipped script of the same name.

The whole script is checked first: any bad line is reported as
file:line:col: message and nothing runs. The exit code is 1 if any command
or expect failed, 2 for bad flags or a bad script.

The session is logged (see --log); "scalelab replay LOG" runs it again.

With --http ADDR, real clients (curl, hey, wrk) send requests into the lab
while the script runs, through the same pipeline as its load, and
Prometheus can scrape ADDR/metrics (or --metrics ADDR alone); --otlp URL
sends the sampled traces live to an OpenTelemetry endpoint.`,
		Example: `  scalelab run --script demo
  scalelab run --script demo --http 127.0.0.1:8080   # then: curl -i localhost:8080/item/42
  scalelab run --script demo --speed 10 --json --log demo.jsonl --events requests
  scalelab scripts demo > my.lab && scalelab run --script my.lab`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if script == "" {
				return usageError("run needs --script FILE or --script NAME (shipped scripts: %s)", strings.Join(lab.ScriptNames(), ", "))
			}
			if events != "" && events != "requests" {
				return usageError("--events: only \"requests\" is accepted")
			}
			if err := logs.check(); err != nil {
				return err
			}
			if events != "" && logs.off {
				return usageError("--events requests needs a log, and --no-log turns it off")
			}
			cfg, err := lf.config()
			if err != nil {
				return err
			}
			if err := ff.check(); err != nil {
				return err
			}
			file, src, err := openScript(script)
			if err != nil {
				return err
			}
			lines, err := lab.ParseScript(file, src)
			src.Close()
			if err != nil {
				return &exitError{2, fmt.Errorf("script has errors, nothing was run:\n%w", err)}
			}
			l, err := lab.New(cfg)
			if err != nil {
				return err
			}
			sl := &sessionLogs{flags: &logs, mode: "run", requests: events == "requests", errOut: cmd.ErrOrStderr()}
			sl.start(l, nil)
			closeFront, err := ff.start(l, cmd.ErrOrStderr())
			if err != nil {
				l.Stop()
				sl.close()
				return err
			}
			ff.announce(l) // in the session log
			interrupted := stopOnSignal(l)
			res := l.RunScript(lines, lab.SourceScript, lab.RunOptions{Out: cmd.OutOrStdout(), JSON: asJSON})
			l.Stop()
			closeFront(cmd.ErrOrStderr())
			sl.close()
			if err := interrupted(); err != nil {
				return err
			}
			if len(res.Failures) > 0 {
				return &exitError{1, fmt.Errorf("%d of the script's commands or expects failed", len(res.Failures))}
			}
			return nil
		},
	}
	lf.add(cmd)
	ff.add(cmd)
	cmd.Flags().StringVar(&script, "script", "", "file of lab commands, one per line (# comments), or a shipped script's `NAME` (scalelab scripts lists them)")
	_ = cmd.RegisterFlagCompletionFunc("script", func(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
		return lab.ScriptNames(), cobra.ShellCompDirectiveDefault // and files
	})
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON: one object per lab second, then a final summary")
	logs.add(cmd)
	cmd.Flags().StringVar(&events, "events", "", "\"requests\" adds one line per request to the session log")
	return cmd
}

// openScript finds what --script names: a file at that path wins;
// otherwise a script shipped with scalelab, by name ("demo" or
// "demo.lab"); otherwise a usage error naming the argument and listing
// the shipped scripts. It returns the name to report positions with.
func openScript(arg string) (file string, src io.ReadCloser, err error) {
	shipped := func() (string, io.ReadCloser, bool) {
		s, err := lab.LoadScript(arg)
		if err != nil {
			return "", nil, false
		}
		return s.File, io.NopCloser(bytes.NewReader(s.Source)), true
	}
	f, err := os.Open(arg)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		if file, src, ok := shipped(); ok {
			return file, src, nil
		}
		return "", nil, usageError("--script %q: no such file, and no shipped script by that name; shipped scripts: %s (\"scalelab scripts\" describes them)",
			arg, strings.Join(lab.ScriptNames(), ", "))
	case err != nil:
		return "", nil, usageError("--script: %v", err)
	}
	st, err := f.Stat()
	if err == nil && st.IsDir() {
		f.Close()
		// A directory is no script: a shipped script of that name is
		// meant (run from components/, "cache" is both).
		if file, src, ok := shipped(); ok {
			return file, src, nil
		}
		return "", nil, usageError("--script %q is a directory, not a file of lab commands", arg)
	}
	if err != nil {
		f.Close()
		return "", nil, usageError("--script: %v", err)
	}
	return arg, f, nil
}

func newBenchCmd() *cobra.Command {
	var seconds float64
	var clients int
	var seed uint64
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "bench",
		Short: "Measure the lab's own overhead: requests/s through the shop topology with zero service time",
		Long: `Bench builds the shop topology with every service time set to zero and
drives it with closed-loop clients as fast as they go, then reports the
requests per second achieved and the wall and CPU time per request. Load mix:
90% reads over zipf(1.1) keys; 20% of writes are checkouts through the
circuit breaker to payments; writes go through the queue.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := flagIn("seconds", seconds, 0.1, 600); err != nil {
				return err
			}
			if clients < 1 || clients > 100000 {
				return usageError("--clients %d is out of range 1..100000", clients)
			}
			r, err := lab.Bench(time.Duration(seconds*float64(time.Second)), clients, seed)
			if err != nil {
				return err
			}
			out := cmd.OutOrStdout()
			if asJSON {
				return printJSON(out, r)
			}
			fmt.Fprintf(out, "shop, zero service time, %d closed-loop clients, GOMAXPROCS=%d, %.1fs\n", r.Clients, r.Procs, r.Seconds)
			fmt.Fprintf(out, "  %.0f requests/s  (%d requests, %d errors)\n", r.PerSecond, r.Requests, r.Errors)
			fmt.Fprintf(out, "  %.0f ns wall, %.0f ns CPU per request\n", r.WallNsPerReq, r.CPUNsPerReq)
			fmt.Fprintf(out, "  cache hit ratio %.2f, p99 %.0f µs\n", r.CacheHitRatio, r.LatencyP99Us)
			return nil
		},
	}
	cmd.Flags().Float64Var(&seconds, "seconds", 3, "how long to drive load, in seconds")
	cmd.Flags().IntVar(&clients, "clients", 64, "closed-loop clients")
	cmd.Flags().Uint64Var(&seed, "seed", 1, "random seed")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the result as JSON")
	return cmd
}
