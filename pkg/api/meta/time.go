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
	var s string
	if n := len(b); n >= 2 && b[0] == '"' && b[n-1] == '"' && bytes.IndexByte(b[1:n-1], '\\') < 0 {
		s = string(b[1 : n-1]) // the usual case: no escapes to decode
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
