package lab

import (
	"bytes"
	"strings"
	"testing"
)

// Every shipped script parses, says what it shows, and runs to the end
// with every expect holding. They run side by side at 5x, so this takes
// about four seconds: 5x is what verify uses, because faster the queue's
// consumers fall behind (by timer granularity × speed), more so on a busy
// machine under -race.
func TestShippedScriptsRun(t *testing.T) {
	names := ScriptNames()
	if len(names) < 3 {
		t.Fatalf("shipped scripts %v; want at least 3", names)
	}
	for _, name := range names {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			s, err := LoadScript(name)
			if err != nil {
				t.Fatal(err)
			}
			if s.Description == "" || !bytes.HasPrefix(s.Source, []byte("# ")) {
				t.Errorf("%s does not start with a # line saying what it shows", s.File)
			}
			lines, err := ParseScript(s.File, bytes.NewReader(s.Source))
			if err != nil {
				t.Fatal(err)
			}
			expects := 0
			for _, sl := range lines {
				if _, ok := sl.Cmd.Expect(); ok {
					expects++
				}
			}
			l, err := New(Config{Seed: 1, Speed: 5, MaxRate: DefaultMaxRate})
			if err != nil {
				t.Fatal(err)
			}
			defer l.Stop()
			var out bytes.Buffer
			res := l.RunScript(lines, SourceScript, RunOptions{Out: &out})
			if len(res.Failures) > 0 || res.Passed != expects || expects == 0 {
				t.Errorf("%s: %d of %d expects passed, failures %q\n%s", s.File, res.Passed, expects, res.Failures, out.String())
			}
			if lab := l.Since().Seconds(); lab > 30 {
				t.Errorf("%s ran %.0f lab seconds; a shipped example is at most 30", s.File, lab)
			}
		})
	}
}

func TestLoadScript(t *testing.T) {
	for _, name := range []string{"demo", "demo.lab"} {
		s, err := LoadScript(name)
		if err != nil || s.Name != "demo" || s.File != "demo.lab" || len(s.Source) == 0 {
			t.Errorf("LoadScript(%q) = %+v, %v; want the shipped demo.lab", name, s, err)
		}
	}
	list := strings.Join(ScriptNames(), ", ")
	for _, tc := range []struct{ name, want string }{
		{"nope", `no shipped script "nope"`},
		{"Demo", `no shipped script "Demo"`},
		{"", `"" is not a script name`},
		{".lab", `".lab" is not a script name`},
		{"../scripts/demo", `"../scripts/demo" is not a script name`},
		{"scripts/demo.lab", `"scripts/demo.lab" is not a script name`},
		{"./demo", `"./demo" is not a script name`},
		{"/etc/passwd", `"/etc/passwd" is not a script name`},
		{`..\demo`, `"..\\demo" is not a script name`},
		{"demo\n", `"demo\n" is not a script name`},
		{"de\x1b[2Jmo", `"de\x1b[2Jmo" is not a script name`},
		{"demo\x00", `"demo\x00" is not a script name`},
		{strings.Repeat("a", 65), "is not a script name"},
	} {
		_, err := LoadScript(tc.name)
		if err == nil {
			t.Errorf("LoadScript(%q) loaded something; want an error", tc.name)
			continue
		}
		if msg := err.Error(); !strings.Contains(msg, tc.want) || !strings.Contains(msg, list) || strings.ContainsAny(msg, "\x00\x1b\n") {
			t.Errorf("LoadScript(%q): %q; want it to say %q, list %s, and quote control characters", tc.name, msg, tc.want, list)
		}
	}
}

func TestFirstComment(t *testing.T) {
	for _, tc := range []struct{ src, want string }{
		{"# What it shows.\nload 10/s\n", "What it shows."},
		{"\n  #   indented  \n# second\n", "indented"},
		{"load 10/s\n# after a command\n", "after a command"},
		{"load 10/s\n", ""},
		{"#\n", ""},
	} {
		if got := firstComment([]byte(tc.src)); got != tc.want {
			t.Errorf("firstComment(%q) = %q, want %q", tc.src, got, tc.want)
		}
	}
}
