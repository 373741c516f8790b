package main

import (
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/scalelab/scalelab/lab"
)

// --script takes a file or a shipped script's name: a file at that path
// wins, then a shipped name (with or without .lab), else an error that
// names the argument and lists the shipped scripts.
func TestOpenScript(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	mine := "# mine\nload 10/s\n"
	for path, src := range map[string]string{"demo": mine, "sub/mine.lab": mine} {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	for _, d := range []string{"cache", "empty"} {
		if err := os.Mkdir(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	shipped := func(name string) string {
		s, err := lab.LoadScript(name)
		if err != nil {
			t.Fatal(err)
		}
		return string(s.Source)
	}
	list := strings.Join(lab.ScriptNames(), ", ")
	for _, tc := range []struct {
		arg, file, src string // what it opens
		err            string // or the error it gives
	}{
		{arg: "demo", file: "demo", src: mine},                    // the file in the working directory wins
		{arg: "demo.lab", file: "demo.lab", src: shipped("demo")}, // no such file: the shipped one
		{arg: "queue", file: "queue.lab", src: shipped("queue")},  // by name
		{arg: "cache", file: "cache.lab", src: shipped("cache")},  // a directory is no script: the shipped one
		{arg: "sub/mine.lab", file: "sub/mine.lab", src: mine},    // a relative path
		{arg: filepath.Join(dir, "demo"), file: filepath.Join(dir, "demo"), src: mine},
		{arg: "nope", err: `--script "nope": no such file, and no shipped script by that name; shipped scripts: ` + list},
		{arg: "nope.lab", err: `--script "nope.lab": no such file`},
		{arg: "sub/demo.lab", err: `--script "sub/demo.lab": no such file`},
		{arg: "../demo", err: `--script "../demo": no such file`},
		{arg: "de\x1b[2Jmo", err: `--script "de\x1b[2Jmo": no such file`},
		{arg: "demo\n", err: `--script "demo\n": no such file`},
		{arg: "empty", err: `--script "empty" is a directory, not a file of lab commands`},
	} {
		file, src, err := openScript(tc.arg)
		if tc.err != "" {
			if err == nil {
				src.Close()
				t.Errorf("openScript(%q) opened %s; want an error", tc.arg, file)
				continue
			}
			if ee, ok := err.(*exitError); !ok || ee.code != 2 || !strings.Contains(err.Error(), tc.err) || strings.ContainsAny(err.Error(), "\x1b\n") {
				t.Errorf("openScript(%q): %q; want a usage error (exit 2) saying %q, with control characters quoted", tc.arg, err, tc.err)
			}
			continue
		}
		if err != nil {
			t.Errorf("openScript(%q): %v", tc.arg, err)
			continue
		}
		b, _ := io.ReadAll(src)
		src.Close()
		if file != tc.file || string(b) != tc.src {
			t.Errorf("openScript(%q) opened %s:\n%s\nwant %s:\n%s", tc.arg, file, b, tc.file, tc.src)
		}
	}
}

// The README's example runs as written: a shipped script by name, on a
// fresh clone with no demo.lab in the working directory.
func TestRunShippedScriptByName(t *testing.T) {
	t.Chdir(t.TempDir())
	out, errOut, code := scalelab(t, "run", "--script", "demo.lab", "--speed", "5", "--no-log")
	if code != 0 || !strings.Contains(out, " passed, 0 failed") {
		t.Fatalf("exit %d\nstdout:\n%s\nstderr:\n%s", code, out, errOut)
	}
}

func TestRunScriptErrors(t *testing.T) {
	t.Chdir(t.TempDir())
	list := strings.Join(lab.ScriptNames(), ", ")
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"run", "--no-log"}, "run needs --script FILE or --script NAME (shipped scripts: " + list + ")"},
		{[]string{"run", "--no-log", "--script", "nope"}, `--script "nope": no such file, and no shipped script by that name; shipped scripts: ` + list},
		{[]string{"run", "--no-log", "--script", "."}, `--script "." is a directory`},
	} {
		out, errOut, code := scalelab(t, tc.args...)
		if code != 2 || out != "" || !strings.Contains(errOut, tc.want) {
			t.Errorf("scalelab %q: exit %d, stdout %q, stderr %q; want exit 2 and %q", tc.args, code, out, errOut, tc.want)
		}
	}
}

func TestScriptsCommand(t *testing.T) {
	out, _, code := scalelab(t, "scripts")
	if code != 0 {
		t.Fatalf("scripts: exit %d", code)
	}
	for _, name := range lab.ScriptNames() {
		s, _ := lab.LoadScript(name)
		if !strings.Contains(out, name+" ") || !strings.Contains(out, s.Description) {
			t.Errorf("scripts does not list %s with %q:\n%s", name, s.Description, out)
		}
	}
	demo, _ := lab.LoadScript("demo")
	if out, _, code := scalelab(t, "scripts", "demo"); code != 0 || out != string(demo.Source) {
		t.Errorf("scripts demo: exit %d, printed:\n%s", code, out)
	}
	if out, errOut, code := scalelab(t, "scripts", "../demo"); code != 2 || out != "" || !strings.Contains(errOut, `"../demo" is not a script name`) {
		t.Errorf("scripts ../demo: exit %d, stdout %q, stderr %q", code, out, errOut)
	}
	if _, errOut, code := scalelab(t, "scripts", "nope"); code != 2 || !strings.Contains(errOut, `no shipped script "nope"`) {
		t.Errorf("scripts nope: exit %d, stderr %q", code, errOut)
	}
}
