package main

import (
	"bytes"
	"errors"
	"io/fs"
	"os"
	"strings"

	"github.com/spf13/cobra"

	"github.com/scalelab/scalelab/lab"
	"github.com/scalelab/scalelab/lab/talk"
	"github.com/scalelab/scalelab/lab/tui"
)

// presenterFlags choose the presenter layout: --presenter and --panels.
type presenterFlags struct {
	on     bool
	panels string
}

func (f *presenterFlags) add(cmd *cobra.Command) {
	cmd.Flags().BoolVar(&f.on, "presenter", false, "open in the presenter layout for a projector: a large header, the map and one or two panels, no footer (P toggles it)")
	cmd.Flags().StringVar(&f.panels, "panels", strings.Join(tui.DefaultPresenterPanels, ","), "the presenter layout's `PANELS`, one or two of: "+strings.Join(tui.PanelIDs(), ", "))
}

// options puts the flags in o, or returns a usage error.
func (f *presenterFlags) options(o *tui.Options) error {
	ids, err := tui.ParsePresenterPanels(f.panels)
	if err != nil {
		return usageError("--panels: %v", err)
	}
	o.Presenter, o.Panels = f.on, ids
	return nil
}

func newPresentCmd() *cobra.Command {
	var lf labFlags
	var logs logFlags
	var pf presenterFlags
	var ff frontFlags
	cmd := &cobra.Command{
		Use:   "present FILE|NAME",
		Short: "Present a talk: step through a script in the dashboard, one block at a time",
		Long: `Present opens the dashboard on a lab and steps through a talk: a script of lab
commands cut into steps at blank lines (or lines of ---), with # comments as
the speaker's notes. The pane under the dashboard shows the next step's
commands and notes, and the header its number (step 3/7).

  n   run the next step (its wait lines play in lab time)
  p   go back a step: a new lab is rebuilt to where that step began
  R   run the last step again (back, then n)
  F   freeze / thaw lab time: every panel holds still to be pointed at
  P   the presenter layout, for a projector (also --presenter)
  :   any command; ? every key; q quits

FILE is a talk file; NAME a talk that ships with scalelab (` + "`scalelab present --list`" + `
lists them); a file at that path wins. Each lab (the first, and each
rebuilt one) is logged (see --log).

With --http ADDR the room can send real requests into the lab being
presented (curl -i ADDR/item/42, hey); the door follows the lab when a
step back rebuilds it. --metrics and --otlp work as in sandbox.`,
		Example: `  scalelab present caching
  scalelab present my-talk.lab --preset shop --presenter --panels cache,events`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if list, _ := cmd.Flags().GetBool("list"); list {
				for _, name := range talk.Names() {
					t, _ := talk.LoadShipped(name)
					cmd.Printf("%-16s %s (%d steps)\n", name, t.Title, len(t.Steps))
				}
				return nil
			}
			if len(args) == 0 {
				return usageError("present needs a talk: FILE or NAME (shipped talks: %s)", strings.Join(talk.Names(), ", "))
			}
			cfg, err := lf.config()
			if err != nil {
				return err
			}
			if err := ff.check(); err != nil {
				return err
			}
			if err := logs.check(); err != nil {
				return err
			}
			opt := tui.Options{In: cmd.InOrStdin(), NoColor: tui.NoColorRequested()}
			if err := pf.options(&opt); err != nil {
				return err
			}
			t, err := openTalk(args[0])
			if err != nil {
				return err
			}
			if err := needTerminal(); err != nil {
				return err
			}
			sl := &sessionLogs{flags: &logs, mode: "tui", tui: true, errOut: cmd.ErrOrStderr()}
			defer sl.close() // after the program has stopped every lab
			opt.Out = sl.output(cmd.OutOrStdout())
			doors, err := ff.open(nil)
			if err != nil {
				return err
			}
			defer doors.close(cmd.ErrOrStderr()) // after every lab has stopped
			var first *lab.Lab
			newLab := func() (*lab.Lab, error) {
				l, err := lab.New(cfg)
				if err != nil {
					return nil, err
				}
				sl.start(l, nil)
				if err := doors.attach(l); err != nil {
					l.Stop()
					return nil, err
				}
				if first == nil {
					first = l
				}
				return l, nil
			}
			opt.Started = func() { ff.announce(first) } // in the events panel
			return tui.RunTalk(t, newLab, opt)
		},
	}
	lf.add(cmd)
	ff.add(cmd)
	logs.add(cmd)
	logs.addRecord(cmd, "the dashboard draws")
	pf.add(cmd)
	cmd.Flags().Bool("list", false, "list the shipped talks")
	_ = cmd.RegisterFlagCompletionFunc("panels", func(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
		return tui.PanelIDs(), cobra.ShellCompDirectiveNoFileComp
	})
	cmd.ValidArgsFunction = func(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
		return talk.Names(), cobra.ShellCompDirectiveDefault // and files
	}
	return cmd
}

// openTalk reads what present names: a file at that path wins; otherwise
// a shipped talk by name; otherwise a usage error listing them. A talk
// with bad lines is an error naming each (exit code 2).
func openTalk(arg string) (*talk.Talk, error) {
	f, err := os.Open(arg)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		t, serr := talk.LoadShipped(arg)
		if serr != nil {
			// A shipped example script is a talk too (one block, or several).
			if s, err := lab.LoadScript(arg); err == nil {
				t, err := talk.Parse(s.File, bytes.NewReader(s.Source))
				if err != nil {
					return nil, usageError("%v", err)
				}
				return t, nil
			}
			return nil, usageError("%q: no such file, and %v", arg, serr)
		}
		return t, nil
	case err != nil:
		return nil, usageError("%v", err)
	}
	defer f.Close()
	if st, err := f.Stat(); err == nil && st.IsDir() {
		return nil, usageError("%q is a directory, not a talk", arg)
	}
	t, err := talk.Parse(arg, f)
	if err != nil {
		return nil, usageError("talk has errors, nothing was run:\n%v", err)
	}
	return t, nil
}
