// Package intstr holds IntOrString, a field that is either an int32 or a
// string on the wire (ports by number or name, "25%" surge), and the
// percentage arithmetic Kubernetes does on it.
package intstr

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Type says which of the two values an IntOrString holds.
type Type int64

// The two kinds.
const (
	Int    Type = iota // IntVal is set
	String             // StrVal is set
)

// IntOrString is an int32 or a string; JSON is a bare number or a string.
type IntOrString struct {
	Type   Type
	IntVal int32
	StrVal string
}

// FromInt32 returns an IntOrString holding i.
func FromInt32(i int32) IntOrString { return IntOrString{Type: Int, IntVal: i} }

// FromInt returns an IntOrString holding i (truncated to int32).
func FromInt(i int) IntOrString { return FromInt32(int32(i)) }

// FromString returns an IntOrString holding s.
func FromString(s string) IntOrString { return IntOrString{Type: String, StrVal: s} }

// Parse returns an Int if s is a decimal integer, a String otherwise.
func Parse(s string) IntOrString {
	i, err := strconv.ParseInt(s, 10, 32)
	if err != nil {
		return FromString(s)
	}
	return FromInt32(int32(i))
}

// String renders the value.
func (v *IntOrString) String() string {
	if v == nil {
		return "<nil>"
	}
	if v.Type == String {
		return v.StrVal
	}
	return strconv.Itoa(v.IntValue())
}

// IntValue returns the int, or the string parsed as an int (0 on failure).
func (v *IntOrString) IntValue() int {
	if v.Type == String {
		i, _ := strconv.Atoi(v.StrVal)
		return i
	}
	return int(v.IntVal)
}

// MarshalJSON writes a number or a string.
func (v IntOrString) MarshalJSON() ([]byte, error) {
	switch v.Type {
	case Int:
		return strconv.AppendInt(make([]byte, 0, 12), int64(v.IntVal), 10), nil
	case String:
		if plainASCII(v.StrVal) {
			b := make([]byte, 0, len(v.StrVal)+2)
			b = append(b, '"')
			b = append(b, v.StrVal...)
			return append(b, '"'), nil
		}
		return json.Marshal(v.StrVal)
	default:
		return nil, fmt.Errorf("impossible IntOrString.Type %d", v.Type)
	}
}

// plainASCII reports whether s is printable ASCII that encoding/json writes
// as it is: no quote, backslash or HTML-escaped <, >, &.
func plainASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c >= 0x7f || c == '"' || c == '\\' || c == '<' || c == '>' || c == '&' {
			return false
		}
	}
	return true
}

// UnmarshalJSON reads a number or a string.
func (v *IntOrString) UnmarshalJSON(b []byte) error {
	if n := len(b); n >= 2 && b[0] == '"' && b[n-1] == '"' && verbatim(b[1:n-1]) {
		*v = IntOrString{Type: String, StrVal: string(b[1 : n-1])}
		return nil
	}
	if len(b) > 0 && b[0] == '"' {
		v.Type = String
		v.IntVal = 0
		return json.Unmarshal(b, &v.StrVal)
	}
	if string(b) == "null" {
		*v = IntOrString{}
		return nil
	}
	if plainInt(b) {
		if i, err := strconv.ParseInt(string(b), 10, 32); err == nil {
			*v = IntOrString{Type: Int, IntVal: int32(i)}
			return nil
		}
	}
	v.Type = Int
	v.StrVal = ""
	return json.Unmarshal(b, &v.IntVal)
}

// verbatim reports whether b is the content of a JSON string that decodes
// to itself: valid UTF-8 without quotes, backslashes or control characters.
func verbatim(b []byte) bool {
	for _, c := range b {
		if c < 0x20 || c == '"' || c == '\\' {
			return false
		}
	}
	return utf8.Valid(b)
}

// plainInt reports whether b is a JSON integer: an optional minus sign and
// digits without a leading zero.
func plainInt(b []byte) bool {
	if len(b) > 0 && b[0] == '-' {
		b = b[1:]
	}
	if len(b) == 0 || (b[0] == '0' && len(b) > 1) {
		return false
	}
	for _, c := range b {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

// GetScaledValueFromIntOrPercent resolves an int, or a "N%" string as a share
// of total, rounding up or down as asked (maxSurge rounds up, maxUnavailable
// down). A nil value is an error.
func GetScaledValueFromIntOrPercent(v *IntOrString, total int, roundUp bool) (int, error) {
	if v == nil {
		return 0, errors.New("nil value for IntOrString")
	}
	value, isPercent, err := getIntOrPercentValue(v)
	if err != nil {
		return 0, fmt.Errorf("invalid value for IntOrString: %w", err)
	}
	if !isPercent {
		return value, nil
	}
	scaled := float64(value) * float64(total) / 100
	if roundUp {
		return int(math.Ceil(scaled)), nil
	}
	return int(math.Floor(scaled)), nil
}

func getIntOrPercentValue(v *IntOrString) (int, bool, error) {
	if v.Type == Int {
		return v.IntValue(), false, nil
	}
	s, ok := strings.CutSuffix(v.StrVal, "%")
	if !ok {
		return 0, false, fmt.Errorf("invalid type: string is not a percentage: %q", v.StrVal)
	}
	i, err := strconv.Atoi(s)
	if err != nil {
		return 0, false, fmt.Errorf("invalid value %q: %w", v.StrVal, err)
	}
	return i, true, nil
}
