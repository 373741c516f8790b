package main

import (
	"context"
	"fmt"
	"net"
	"os"
	"os/signal"
	"path/filepath"
	"strconv"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"github.com/scalelab/scalelab/lab"
	"github.com/scalelab/scalelab/lab/serve"
	"github.com/scalelab/scalelab/lab/session"
)

func newServeCmd() *cobra.Command {
	var cfg serve.Config
	var addr, dir string
	cmd := &cobra.Command{
		Use:   "serve --ssh [ADDR]",
		Short: "Serve a workshop over SSH: every attendee gets a lab of their own",
		Long: `Serve runs an SSH server (charmbracelet/wish). An attendee types
"ssh -p 2222 HOST" and gets the lesson picker in their own terminal, on an
isolated lab: its own clock, seed and load cap, progress kept by their key
(or user name, without one), and a session log per lesson in --logs.

Safe by default: it listens on 127.0.0.1:2222 unless --ssh names another
address (":2222" for every interface); the host key is generated once and
kept in the state directory; only the keys in --authorized-keys get in,
unless --open lets anyone in (a classroom on a closed network). Sessions
over --max-sessions are refused with a message; a session with no key
pressed for --idle is closed; a crash in one lab ends only its session;
SIGTERM or SIGINT closes every session (progress and logs written) and
stops.

The instructor connects with a key from --instructor-keys and sees every
attendee's session (user, lesson, step, lab health); a command typed there
(":kill web-2") runs in every attendee's lab and shows in their events as
"instructor: kill web-2". "scalelab class DIR" reports on the logs.`,
		Example: `  scalelab serve --ssh --authorized-keys class.keys --instructor-keys ~/.ssh/id_ed25519.pub
  scalelab serve --ssh :2222 --open --max-sessions 25 --idle 30m --logs ./workshop-logs`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			// --ssh takes its address after a space too: "--ssh :2222"
			// (cobra sees the address as an argument, --ssh alone meaning
			// the default).
			if len(args) == 1 {
				if !cmd.Flags().Changed("ssh") || addr != "127.0.0.1:2222" {
					return usageError("unexpected argument %q (the address goes after --ssh)", args[0])
				}
				addr = args[0]
			}
			if addr == "" {
				return usageError("serve needs --ssh (an address to listen on, 127.0.0.1:2222 if none is given)")
			}
			a, err := listenAddr(addr)
			if err != nil {
				return err
			}
			cfg.Addr = a
			if err := flagIn("speed", cfg.Speed, 0.1, 20); err != nil {
				return err
			}
			if err := flagIn("max-rate", cfg.MaxRate, 1, lab.MaxRateCap); err != nil {
				return err
			}
			if cfg.MaxSessions < 1 || cfg.MaxSessions > 1000 {
				return usageError("--max-sessions %d is out of range 1..1000", cfg.MaxSessions)
			}
			if cfg.Idle < 0 {
				return usageError("--idle %v: want a positive duration like 30m, or 0 for never", cfg.Idle)
			}
			state, err := session.Dir()
			if err != nil {
				return err
			}
			state = filepath.Join(filepath.Dir(state), "serve")
			cfg.StateDir = state
			if cfg.HostKey == "" {
				cfg.HostKey = filepath.Join(state, "ssh_host_ed25519")
			}
			if cfg.LogDir == "" {
				cfg.LogDir = filepath.Join(state, "logs")
			}
			if cfg.Lessons, err = loadLessons(dir); err != nil {
				return err
			}
			cfg.Log = cmd.ErrOrStderr()
			srv, err := serve.New(cfg)
			if err != nil {
				return usageError("%v", err)
			}
			ln, err := net.Listen("tcp", cfg.Addr)
			if err != nil {
				return &exitError{1, err}
			}
			host, port, _ := net.SplitHostPort(ln.Addr().String())
			fmt.Fprintf(cmd.OutOrStdout(), "scalelab serve: listening on %s; attendees type:\n\n    ssh -p %s %s\n\nlogs in %s; host key %s; Ctrl-C stops\n", ln.Addr(), port, sshHost(host), cfg.LogDir, cfg.HostKey)
			ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
			defer stop()
			errc := make(chan error, 1)
			go func() { errc <- srv.Serve(ln) }()
			select {
			case err := <-errc:
				return err
			case <-ctx.Done():
			}
			sctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			if err := srv.Shutdown(sctx); err != nil {
				return &exitError{1, fmt.Errorf("shutting down: %w", err)}
			}
			<-errc
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVar(&addr, "ssh", "", "serve over SSH on `ADDR` (host:port; 127.0.0.1:2222 when given alone)")
	f.Lookup("ssh").NoOptDefVal = "127.0.0.1:2222"
	f.IntVar(&cfg.MaxSessions, "max-sessions", serve.DefaultMaxSessions, "attendee sessions at once; more are refused with a message")
	f.DurationVar(&cfg.Idle, "idle", 30*time.Minute, "close a session after this long without a key pressed (0: never)")
	f.StringVar(&cfg.LogDir, "logs", "", "write each attendee lab's session log to `DIR` (default: the state directory's serve/logs)")
	f.StringVar(&cfg.AuthorizedKeys, "authorized-keys", "", "attendees' public keys, one a line (authorized_keys format)")
	f.StringVar(&cfg.InstructorKeys, "instructor-keys", "", "public keys that get the instructor view")
	f.BoolVar(&cfg.Open, "open", false, "let anyone in, with any key or none (a classroom on a closed network)")
	f.StringVar(&cfg.HostKey, "host-key", "", "the server's host key `FILE` (generated if missing; default: in the state directory)")
	f.StringVar(&dir, "lessons", "", "also serve lessons from DIR")
	f.Uint64Var(&cfg.Seed, "seed", 1, "every attendee lab's random seed (the same load for everyone)")
	f.Float64Var(&cfg.Speed, "speed", 1, "every attendee lab's clock speed, 0.1 to 20")
	f.Float64Var(&cfg.MaxRate, "max-rate", serve.DefaultMaxRate, "the highest load an attendee may ask for, requests/s per lab")
	return cmd
}

// listenAddr reads --ssh: host:port, or a bare port (on loopback).
func listenAddr(s string) (string, error) {
	if p, err := strconv.Atoi(s); err == nil {
		s = net.JoinHostPort("127.0.0.1", strconv.Itoa(p))
	}
	host, port, err := net.SplitHostPort(s)
	if err != nil {
		return "", usageError("--ssh %q: want host:port, like 127.0.0.1:2222 or :2222", s)
	}
	if p, err := strconv.Atoi(port); err != nil || p < 0 || p > 65535 {
		return "", usageError("--ssh %q: port %q is not a port number", s, port)
	}
	return net.JoinHostPort(host, port), nil
}

// sshHost is the host to tell attendees to connect to.
func sshHost(host string) string {
	if ip := net.ParseIP(host); ip != nil && ip.IsUnspecified() {
		if h, err := os.Hostname(); err == nil {
			return h
		}
	}
	if ip := net.ParseIP(host); ip != nil && ip.IsLoopback() {
		return "localhost"
	}
	return host
}
