package session

import (
	"errors"
	"strings"
	"testing"
)

const header = `{"kind":"header","schema":1,"version":"v1","seed":3,"preset":"web","speed":1,"start":"2025-03-01T10:00:00Z","mode":"run"}`

func TestRead(t *testing.T) {
	src := strings.Join([]string{
		header,
		`{"t":0,"kind":"command","source":"script","line":"load 100/s"}`,
		`{"kind":"metrics","t":1,"metrics":{"latency.p99":12.5}}`,
		`{"kind":"lesson","t":1.5,"lesson":"lb","step":2,"what":"quiz","choice":1,"correct":true}`,
		``, // a blank line is let be
		`{"kind":"trace","t":1.6,"trace_id":"0af7651916cd43dd8448eb211c80319c","spans":[{"span_id":"b7ad6b7169203331","name":"GET /item","start_ns":1,"end_ns":2}]}`,
		`{"kind":"frame","w":0.1,"data":"x"}`,
		`{"t":2,"kind":"state","component":"payments","from":"closed","to":"open","detail":"breaker","new_field":1}`,
	}, "\n") + "\n"
	lg, err := Read(strings.NewReader(src))
	if err != nil {
		t.Fatal(err)
	}
	if lg.Header.Seed != 3 || lg.Header.Preset != "web" || len(lg.Events) != 2 || len(lg.Metrics) != 1 || len(lg.Lessons) != 1 ||
		len(lg.Traces) != 1 || len(lg.Frames) != 1 || len(lg.Warnings) != 0 {
		t.Fatalf("read %+v", lg)
	}
	if l := lg.Lessons[0]; l.Step != 2 || l.Correct == nil || !*l.Correct || lg.Metrics[0].Metrics["latency.p99"] != 12.5 {
		t.Errorf("lesson %+v, metrics %+v", l, lg.Metrics[0])
	}
}

func TestReadErrors(t *testing.T) {
	cmd := `{"t":0,"kind":"command","source":"script","line":"load 100/s"}`
	tests := []struct {
		name, src string
		want      string // in the error; "" for no error
		warn      string // in the one warning
		notLog    bool
	}{
		{"empty", "", "the input is empty", "", true},
		{"not JSON", "hello world\n", "line 1 is not JSON", "", true},
		{"no header", cmd + "\n", `line 1 is not a header (kind "command")`, "", true},
		{"newer schema", strings.Replace(header, `"schema":1`, `"schema":2`, 1) + "\n", "line 1: schema 2 is newer than this scalelab reads (1)", "", false},
		{"no preset", strings.Replace(header, `"preset":"web"`, `"preset":""`, 1) + "\n", "line 1: header: no preset", "", false},
		{"bad line in the middle", header + "\n" + cmd + "\n" + `{"kind":"metrics","t":1,"met` + "\n" + cmd + "\n", "line 3: not a JSON object", "", false},
		{"wrong type", header + "\n" + `{"kind":"metrics","t":"one"}` + "\n", "line 2: metrics: cannot unmarshal", "", false},
		{"unknown kind", header + "\n" + `{"kind":"bogus"}` + "\n", `line 2: unknown kind "bogus"`, "", false},
		{"no kind", header + "\n" + `{"t":1}` + "\n", `line 2: no "kind"`, "", false},
		{"second header", header + "\n" + header + "\n", "line 2: a second header", "", false},
		{"truncated last line", header + "\n" + cmd + "\n" + `{"kind":"metrics","t":1,"metr`, "", "line 3: the last line is cut short", false},
		{"last line complete without newline", header + "\n" + cmd, "", "", false},
		{"bad last line with its newline", header + "\n" + `{"kind":"metr` + "\n", "line 2: not a JSON object", "", false},
		{"time past a week", header + "\n" + `{"t":1e9,"kind":"command","source":"typed","line":"load 1/s"}` + "\n", "line 2: t 1e+09 is out of range 0..604800", "", false},
		{"time overflowing", header + "\n" + `{"kind":"metrics","t":1e300,"metrics":{}}` + "\n", "line 2: t 1e+300 is out of range", "", false},
		{"negative time", header + "\n" + `{"kind":"lesson","t":-1,"lesson":"x","step":1,"what":"started"}` + "\n", "line 2: t -1 is out of range", "", false},
		{"header speed", strings.Replace(header, `"speed":1`, `"speed":50`, 1) + "\n", "line 1: header: speed 50 is out of range 0.1..20", "", false},
		{"header max rate", strings.Replace(header, `"speed":1`, `"speed":1,"max_rate":1e300`, 1) + "\n", "line 1: header: max_rate 1e+300 is out of range", "", false},
		{"huge line", header + "\n" + `{"kind":"command","line":"` + strings.Repeat("x", MaxLineBytes) + `"}` + "\n", "line 2: the line is longer than 8 MiB", "", false},
		{"huge first line", strings.Repeat("x", MaxLineBytes+1), "line 1 is longer than 8 MiB", "", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			lg, err := Read(strings.NewReader(tt.src))
			if tt.want == "" {
				if err != nil {
					t.Fatalf("error %v", err)
				}
				if tt.warn == "" && len(lg.Warnings) != 0 || tt.warn != "" && (len(lg.Warnings) != 1 || !strings.Contains(lg.Warnings[0], tt.warn)) {
					t.Errorf("warnings %q, want %q", lg.Warnings, tt.warn)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("error %v, want %q", err, tt.want)
			}
			if errors.Is(err, ErrNotLog) != tt.notLog {
				t.Errorf("errors.Is(ErrNotLog) = %v", !tt.notLog)
			}
			var le *LineError
			if !tt.notLog && !errors.As(err, &le) {
				t.Errorf("%v is not a *LineError", err)
			}
		})
	}
}
