package session

// Where logs go by default, and what their header says about the build.

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime/debug"
	"time"

	"github.com/scalelab/scalelab/lab"
)

// Dir is where session logs go by default: $XDG_STATE_HOME/scalelab/sessions,
// or ~/.local/state/scalelab/sessions when XDG_STATE_HOME is unset or not an
// absolute path (the XDG base directory spec says to ignore it then).
func Dir() (string, error) {
	if dir := os.Getenv("XDG_STATE_HOME"); filepath.IsAbs(dir) {
		return filepath.Join(dir, "scalelab", "sessions"), nil
	}
	home, err := os.UserHomeDir()
	if err != nil {
		return "", fmt.Errorf("session log directory: %w", err)
	}
	return filepath.Join(home, ".local", "state", "scalelab", "sessions"), nil
}

// FileName is a log's default name: its start time and preset,
// "20250301T100000-shop.jsonl".
func FileName(start time.Time, preset string) string {
	return start.Format("20060102T150405") + "-" + preset + ".jsonl"
}

// HeaderFor is the header of a log of l's session in mode ("tui", "run" or
// "replay"), started now. Lesson, terminal size and Replay are the
// caller's to fill in.
func HeaderFor(l *lab.Lab, mode string) Header {
	return Header{
		Kind: KindHeader, Schema: Schema, Version: BuildVersion(),
		Seed: l.Seed(), Preset: l.Preset().Name, Speed: l.Clock().Speed(), MaxRate: l.MaxRate(),
		Start: time.Now().Format(time.RFC3339Nano), Mode: mode,
	}
}

// BuildVersion is the scalelab module's version as built ("(devel)" for a
// build from a checkout).
func BuildVersion() string {
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" {
		return bi.Main.Version
	}
	return "(devel)"
}

// CreateDefault creates a new log in Dir named after h's start and preset
// (with -2, -3 … before .jsonl if that name is taken) and writes h to it.
func CreateDefault(h Header, opt Options) (*Writer, error) {
	dir, err := Dir()
	if err != nil {
		return nil, err
	}
	start, err := time.Parse(time.RFC3339Nano, h.Start)
	if err != nil {
		start = time.Now()
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("session log: %w", err)
	}
	name := FileName(start, h.Preset)
	for n := 1; ; n++ {
		path := filepath.Join(dir, name)
		if n > 1 {
			path = filepath.Join(dir, fmt.Sprintf("%s-%d.jsonl", name[:len(name)-len(".jsonl")], n))
		}
		f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
		if errors.Is(err, fs.ErrExist) && n < 100 {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("session log: %w", err)
		}
		return newFileWriter(f, h, opt)
	}
}

// Create creates (or truncates) the log at path, making its directory if
// need be, and writes h to it.
func Create(path string, h Header, opt Options) (*Writer, error) {
	if dir := filepath.Dir(path); dir != "" {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return nil, fmt.Errorf("session log: %w", err)
		}
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o644)
	if err != nil {
		return nil, fmt.Errorf("session log: %w", err)
	}
	return newFileWriter(f, h, opt)
}

func newFileWriter(f *os.File, h Header, opt Options) (*Writer, error) {
	w := newWriter(f, h, opt)
	w.file, w.path = f, f.Name()
	if err := w.Err(); err != nil { // the header could not be written: say so once, here
		f.Close()
		return nil, fmt.Errorf("session log %s: %w", f.Name(), err)
	}
	return w, nil
}
