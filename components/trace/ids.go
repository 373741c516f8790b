package trace

// W3C Trace Context (https://www.w3.org/TR/trace-context/): the ids and the
// traceparent header that carries them from one service to the next.

import (
	"errors"
	"fmt"
)

// TraceID names one request's whole trace: 16 bytes, shown as 32 lowercase
// hex digits. The all-zero value is invalid (W3C Trace Context).
type TraceID [16]byte

// SpanID names one span within a trace: 8 bytes, shown as 16 lowercase hex
// digits. The all-zero value is invalid and, as a parent, means "the root".
type SpanID [8]byte

const hexDigits = "0123456789abcdef"

// String returns the id as 32 lowercase hex digits.
func (id TraceID) String() string { return string(appendHex(nil, id[:])) }

// IsValid reports whether the id is not all zeros.
func (id TraceID) IsValid() bool { return id != TraceID{} }

// String returns the id as 16 lowercase hex digits.
func (id SpanID) String() string { return string(appendHex(nil, id[:])) }

// IsValid reports whether the id is not all zeros.
func (id SpanID) IsValid() bool { return id != SpanID{} }

func appendHex(dst, src []byte) []byte {
	for _, b := range src {
		dst = append(dst, hexDigits[b>>4], hexDigits[b&0x0f])
	}
	return dst
}

// traceparentLen is the length of a version-00 traceparent header:
// "00-" + 32 hex + "-" + 16 hex + "-" + 2 hex.
const traceparentLen = 55

// Traceparent formats the W3C Trace Context header that carries a trace to the
// next service: "00-<trace-id>-<parent-id>-<flags>", where flags is "01" when
// the trace is sampled (recorded) and "00" when not. It allocates the string.
func Traceparent(tid TraceID, sid SpanID, sampled bool) string {
	var buf [traceparentLen]byte
	b := append(buf[:0], "00-"...)
	b = appendHex(b, tid[:])
	b = append(b, '-')
	b = appendHex(b, sid[:])
	if sampled {
		b = append(b, "-01"...)
	} else {
		b = append(b, "-00"...)
	}
	return string(b)
}

// ErrTraceparent is wrapped by every error from ParseTraceparent, so callers
// can test for it with errors.Is.
var ErrTraceparent = errors.New("invalid traceparent")

// ParseTraceparent parses a W3C Trace Context traceparent header strictly:
// version "00" only (a future version, and the forbidden "ff", are rejected),
// exactly 55 characters, lowercase hex only, '-' separators, and neither id
// all zeros. sampled is bit 0 of the flags; other flag bits are accepted and
// ignored. The error says what was wrong and where. No allocation on success.
func ParseTraceparent(s string) (tid TraceID, sid SpanID, sampled bool, err error) {
	fail := func(format string, args ...any) (TraceID, SpanID, bool, error) {
		return TraceID{}, SpanID{}, false, fmt.Errorf("%w: %s", ErrTraceparent, fmt.Sprintf(format, args...))
	}
	var ver [1]byte
	switch {
	case len(s) < 2 || !decodeHex(ver[:], s[:2]):
		return fail("version at 0: want 2 lowercase hex digits")
	case ver[0] == 0xff:
		return fail("version ff is forbidden")
	case ver[0] != 0:
		return fail("version %s is not supported: want 00", s[:2])
	case len(s) != traceparentLen:
		return fail("length %d: want %d (00-<32 hex>-<16 hex>-<2 hex>)", len(s), traceparentLen)
	}
	for _, i := range [...]int{2, 35, 52} {
		if s[i] != '-' {
			return fail("at %d: want '-'", i)
		}
	}
	var flags [1]byte
	switch {
	case !decodeHex(tid[:], s[3:35]):
		return fail("trace-id at 3: want 32 lowercase hex digits")
	case !tid.IsValid():
		return fail("trace-id at 3: all zeros is invalid")
	case !decodeHex(sid[:], s[36:52]):
		return fail("parent-id at 36: want 16 lowercase hex digits")
	case !sid.IsValid():
		return fail("parent-id at 36: all zeros is invalid")
	case !decodeHex(flags[:], s[53:55]):
		return fail("trace-flags at 53: want 2 lowercase hex digits")
	}
	return tid, sid, flags[0]&1 == 1, nil
}

// decodeHex fills dst from exactly 2*len(dst) lowercase hex digits.
func decodeHex(dst []byte, src string) bool {
	if len(src) != 2*len(dst) {
		return false
	}
	for i := range dst {
		hi, ok1 := fromHex(src[2*i])
		lo, ok2 := fromHex(src[2*i+1])
		if !ok1 || !ok2 {
			return false
		}
		dst[i] = hi<<4 | lo
	}
	return true
}

func fromHex(c byte) (byte, bool) {
	switch {
	case '0' <= c && c <= '9':
		return c - '0', true
	case 'a' <= c && c <= 'f':
		return c - 'a' + 10, true
	}
	return 0, false
}
