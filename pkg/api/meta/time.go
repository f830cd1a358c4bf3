package meta

import (
	"bytes"
	"encoding/json"
	"time"
)

// Time is a timestamp serialised as RFC 3339 with second precision, and as
// null when zero, as metav1.Time.
type Time struct {
	time.Time
}

// Now returns the current time truncated to seconds, as stored on the wire.
func Now() Time { return Time{time.Now().UTC().Truncate(time.Second)} }

// NewTime wraps t.
func NewTime(t time.Time) Time { return Time{t} }

// MarshalJSON writes RFC 3339 in UTC, or null.
func (t Time) MarshalJSON() ([]byte, error) { return marshalTime(t.Time, time.RFC3339) }

// UnmarshalJSON reads RFC 3339 (with or without fractional seconds) or null.
func (t *Time) UnmarshalJSON(b []byte) error { return unmarshalTime(b, time.Second, &t.Time) }

// MicroTime is a timestamp with microsecond precision (Lease renewTime), as metav1.MicroTime.
type MicroTime struct {
	time.Time
}

// RFC3339Micro is the wire layout of MicroTime.
const RFC3339Micro = "2006-01-02T15:04:05.000000Z07:00"

// NowMicro returns the current time with microsecond precision.
func NowMicro() MicroTime { return MicroTime{time.Now().UTC().Truncate(time.Microsecond)} }

// MarshalJSON writes RFC 3339 with microseconds in UTC, or null.
func (t MicroTime) MarshalJSON() ([]byte, error) { return marshalTime(t.Time, RFC3339Micro) }

// UnmarshalJSON reads RFC 3339 with any fractional precision, or null.
func (t *MicroTime) UnmarshalJSON(b []byte) error {
	return unmarshalTime(b, time.Microsecond, &t.Time)
}

// marshalTime writes t in UTC with layout as a JSON string, or null when t
// is zero.
func marshalTime(t time.Time, layout string) ([]byte, error) {
	if t.IsZero() {
		return []byte("null"), nil
	}
	// A formatted time holds no character JSON escapes.
	b := make([]byte, 0, len(layout)+8)
	b = append(b, '"')
	b = t.UTC().AppendFormat(b, layout)
	return append(b, '"'), nil
}

// unmarshalTime reads null, "" (both the zero time) or an RFC 3339 string
// with any fractional precision into *out, truncated to precision, in
// local time.
func unmarshalTime(b []byte, precision time.Duration, out *time.Time) error {
	if string(b) == "null" {
		*out = time.Time{}
		return nil
	}
	if n := len(b); n >= 2 && b[0] == '"' && b[n-1] == '"' {
		if t, ok := parseUTC(b[1 : n-1]); ok {
			*out = t.Truncate(precision).Local()
			return nil
		}
	}
	var s string
	if n := len(b); n >= 2 && b[0] == '"' && b[n-1] == '"' && bytes.IndexByte(b[1:n-1], '\\') < 0 {
		s = string(b[1 : n-1]) // no escapes to decode
	} else if err := json.Unmarshal(b, &s); err != nil {
		return err
	}
	if s == "" {
		*out = time.Time{}
		return nil
	}
	pt, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return err
	}
	*out = pt.Truncate(precision).Local()
	return nil
}

// parseUTC parses the form every tinykube component writes,
// "2006-01-02T15:04:05Z" with an optional fraction of 1 to 9 digits,
// without allocating; ok is false for anything else (other offsets, out of
// range fields), which time.Parse then handles. Where ok, the result is
// time.Parse(time.RFC3339Nano, s)'s (FuzzParseUTCAgreesWithTimeParse).
func parseUTC(b []byte) (t time.Time, ok bool) {
	if len(b) < 20 || b[4] != '-' || b[7] != '-' || b[10] != 'T' || b[13] != ':' || b[16] != ':' || b[len(b)-1] != 'Z' {
		return time.Time{}, false
	}
	year, ok1 := digits(b[0:4])
	month, ok2 := digits(b[5:7])
	day, ok3 := digits(b[8:10])
	hour, ok4 := digits(b[11:13])
	minute, ok5 := digits(b[14:16])
	sec, ok6 := digits(b[17:19])
	if !(ok1 && ok2 && ok3 && ok4 && ok5 && ok6) ||
		month < 1 || month > 12 || day < 1 || day > daysIn(time.Month(month), year) ||
		hour > 23 || minute > 59 || sec > 59 {
		return time.Time{}, false
	}
	nsec := 0
	if frac := b[19 : len(b)-1]; len(frac) > 0 {
		if frac[0] != '.' || len(frac) < 2 || len(frac) > 10 {
			return time.Time{}, false
		}
		n, ok := digits(frac[1:])
		if !ok {
			return time.Time{}, false
		}
		for i := len(frac) - 1; i < 9; i++ {
			n *= 10
		}
		nsec = n
	}
	return time.Date(year, time.Month(month), day, hour, minute, sec, nsec, time.UTC), true
}

// digits parses b, all ASCII digits, as a decimal number.
func digits(b []byte) (int, bool) {
	n := 0
	for _, c := range b {
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int(c-'0')
	}
	return n, true
}

func daysIn(m time.Month, year int) int {
	switch m {
	case time.February:
		if year%4 == 0 && (year%100 != 0 || year%400 == 0) {
			return 29
		}
		return 28
	case time.April, time.June, time.September, time.November:
		return 30
	}
	return 31
}
