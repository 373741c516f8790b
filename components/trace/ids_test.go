package trace

import (
	"errors"
	"strings"
	"testing"
)

const specExample = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01" // from the W3C spec

func TestTraceparentRoundTrip(t *testing.T) {
	tid, sid, sampled, err := ParseTraceparent(specExample)
	if err != nil {
		t.Fatal(err)
	}
	if tid.String() != "4bf92f3577b34da6a3ce929d0e0e4736" || sid.String() != "00f067aa0ba902b7" || !sampled {
		t.Fatalf("parsed %v %v %v", tid, sid, sampled)
	}
	if got := Traceparent(tid, sid, sampled); got != specExample {
		t.Fatalf("Traceparent = %q, want %q", got, specExample)
	}
	unsampled := Traceparent(tid, sid, false)
	if unsampled != specExample[:53]+"00" {
		t.Fatalf("unsampled = %q", unsampled)
	}
	if _, _, s, err := ParseTraceparent(unsampled); err != nil || s {
		t.Fatalf("unsampled parse: sampled=%v err=%v", s, err)
	}
	// Other flag bits are accepted; only bit 0 means sampled.
	if _, _, s, err := ParseTraceparent(specExample[:53] + "ff"); err != nil || !s {
		t.Fatalf("flags ff: sampled=%v err=%v", s, err)
	}
	if _, _, s, err := ParseTraceparent(specExample[:53] + "02"); err != nil || s {
		t.Fatalf("flags 02: sampled=%v err=%v", s, err)
	}
}

func TestParseTraceparentInvalid(t *testing.T) {
	tests := []struct {
		name, in, wantMsg string
	}{
		{"empty", "", "version at 0"},
		{"one char", "0", "version at 0"},
		{"version ff", "ff" + specExample[2:], "version ff is forbidden"},
		{"future version", "01" + specExample[2:], "version 01 is not supported"},
		{"future version longer", "cc" + specExample[2:] + "-what-the-future-will-be-like", "version cc is not supported"},
		{"uppercase version", "0A" + specExample[2:], "version at 0"},
		{"too short", specExample[:54], "length 54"},
		{"too long", specExample + "-", "length 56"},
		{"trailing data", specExample + "-00", "length 58"},
		{"first separator", "00_" + specExample[3:], "at 2: want '-'"},
		{"second separator", specExample[:35] + "_" + specExample[36:], "at 35: want '-'"},
		{"third separator", specExample[:52] + "_" + specExample[53:], "at 52: want '-'"},
		{"uppercase trace-id", "00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01", "trace-id at 3: want 32 lowercase hex"},
		{"non-hex trace-id", "00-4bf92f3577b34da6a3ce929d0e0e473g-00f067aa0ba902b7-01", "trace-id at 3: want 32 lowercase hex"},
		{"zero trace-id", "00-00000000000000000000000000000000-00f067aa0ba902b7-01", "trace-id at 3: all zeros"},
		{"uppercase parent-id", "00-4bf92f3577b34da6a3ce929d0e0e4736-00F067AA0BA902B7-01", "parent-id at 36: want 16 lowercase hex"},
		{"zero parent-id", "00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01", "parent-id at 36: all zeros"},
		{"uppercase flags", specExample[:53] + "0A", "trace-flags at 53"},
		{"non-hex flags", specExample[:53] + "0x", "trace-flags at 53"},
		{"spaces", " " + specExample[1:], "version at 0"},
		{"shifted fields", "00-4bf92f3577b34da6a3ce929d0e0e47-3600f067aa0ba902b7-01", "at 35: want '-'"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tid, sid, sampled, err := ParseTraceparent(tt.in)
			if err == nil {
				t.Fatalf("ParseTraceparent(%q) = nil error", tt.in)
			}
			if !errors.Is(err, ErrTraceparent) || !strings.Contains(err.Error(), tt.wantMsg) {
				t.Fatalf("err = %q, want it to wrap ErrTraceparent and contain %q", err, tt.wantMsg)
			}
			if tid.IsValid() || sid.IsValid() || sampled {
				t.Fatalf("on error got non-zero results %v %v %v", tid, sid, sampled)
			}
		})
	}
}

func TestParseTraceparentNoAlloc(t *testing.T) {
	if n := testing.AllocsPerRun(100, func() { ParseTraceparent(specExample) }); n != 0 {
		t.Fatalf("allocs = %v, want 0", n)
	}
}

func TestIDs(t *testing.T) {
	var tid TraceID
	var sid SpanID
	if tid.IsValid() || sid.IsValid() {
		t.Fatal("zero ids must be invalid")
	}
	if tid.String() != strings.Repeat("0", 32) || sid.String() != strings.Repeat("0", 16) {
		t.Fatalf("zero strings %q %q", tid, sid)
	}
	tid[15], sid[0] = 0xab, 0xcd
	if !tid.IsValid() || !sid.IsValid() || tid.String() != strings.Repeat("0", 30)+"ab" || sid.String() != "cd"+strings.Repeat("0", 14) {
		t.Fatalf("got %q %q", tid, sid)
	}
}

func FuzzParseTraceparent(f *testing.F) {
	f.Add(specExample)
	f.Add(specExample[:53] + "00")
	f.Add("ff" + specExample[2:])
	f.Add("")
	f.Add("00-00000000000000000000000000000000-0000000000000000-00")
	f.Fuzz(func(t *testing.T, s string) {
		tid, sid, sampled, err := ParseTraceparent(s)
		if err != nil {
			return
		}
		if !tid.IsValid() || !sid.IsValid() {
			t.Fatalf("accepted invalid ids from %q", s)
		}
		out := Traceparent(tid, sid, sampled)
		if out[:53] != s[:53] {
			t.Fatalf("round trip %q -> %q", s, out)
		}
		tid2, sid2, sampled2, err := ParseTraceparent(out)
		if err != nil || tid2 != tid || sid2 != sid || sampled2 != sampled {
			t.Fatalf("re-parse of %q: %v %v %v %v", out, tid2, sid2, sampled2, err)
		}
	})
}
