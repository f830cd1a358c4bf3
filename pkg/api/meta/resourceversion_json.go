package meta

import (
	"bytes"
	"strconv"
)

var (
	metadataKey        = []byte("metadata")
	resourceVersionKey = []byte("resourceVersion")
)

// WithResourceVersion returns data, the JSON encoding of an API object as
// the apiserver's etcd3 store keeps it (json.Marshal of a struct embedding TypeMeta and
// ObjectMeta, its resourceVersion empty), with "resourceVersion":"<rev>"
// inserted into the top-level "metadata" object where json.Marshal puts the
// field: after the leading name, generateName, namespace, selfLink and uid
// members. For such data the result is json.Marshal of the object with
// resourceVersion rev, byte for byte, at the cost of one copy instead of an
// encoding.
//
// ok is false for anything else: no top-level "metadata" object, a
// metadata object that already has a resourceVersion (in any letter case,
// as decoding matches field names), an escape in a key it reads, or data
// that ends early. Only the object up to the end of its metadata is read;
// the rest is copied as it is.
func WithResourceVersion(data []byte, rev int64) (out []byte, ok bool) {
	if rev <= 0 {
		return nil, false
	}
	at, comma, ok := resourceVersionOffset(data)
	if !ok {
		return nil, false
	}
	out = make([]byte, 0, len(data)+len(`,"resourceVersion":""`)+20)
	out = append(out, data[:at]...)
	if comma == commaBefore {
		out = append(out, ',')
	}
	out = append(out, `"resourceVersion":"`...)
	out = strconv.AppendInt(out, rev, 10)
	out = append(out, '"')
	if comma == commaAfter {
		out = append(out, ',')
	}
	return append(out, data[at:]...), true
}

// Where the inserted member needs a comma.
const (
	commaNone   = iota // the metadata object is empty
	commaBefore        // inserted after a member
	commaAfter         // inserted first, before other members
)

// resourceVersionOffset finds where the resourceVersion member goes.
func resourceVersionOffset(data []byte) (at, comma int, ok bool) {
	i := 0
	if i >= len(data) || data[i] != '{' {
		return 0, 0, false
	}
	i++
	// The top-level members up to "metadata".
	for {
		key, next, ok := scanKey(data, i)
		if !ok {
			return 0, 0, false
		}
		i = next
		if string(key) == "metadata" {
			break
		}
		if bytes.EqualFold(key, metadataKey) {
			return 0, 0, false // decoding would take it for metadata
		}
		if i, ok = skipValue(data, i); !ok || i >= len(data) || data[i] != ',' {
			return 0, 0, false // not a value, or the object ends without metadata
		}
		i++
	}
	if i >= len(data) || data[i] != '{' {
		return 0, 0, false
	}
	i++
	if i < len(data) && data[i] == '}' {
		return i, commaNone, true
	}
	at, comma = i, commaAfter
	leading := true
	for {
		key, next, ok := scanKey(data, i)
		if !ok || bytes.EqualFold(key, resourceVersionKey) {
			return 0, 0, false
		}
		if i, ok = skipValue(data, next); !ok || i >= len(data) {
			return 0, 0, false
		}
		if leading {
			switch string(key) {
			case "name", "generateName", "namespace", "selfLink", "uid":
				at, comma = i, commaBefore
			default:
				leading = false
			}
		}
		switch data[i] {
		case ',':
			i++
		case '}':
			return at, comma, true
		default:
			return 0, 0, false
		}
	}
}

// scanKey reads `"key":` at i (no whitespace, no escapes) and returns the
// key and the offset of the value.
func scanKey(data []byte, i int) (key []byte, next int, ok bool) {
	if i >= len(data) || data[i] != '"' {
		return nil, 0, false
	}
	for j := i + 1; j < len(data); j++ {
		switch data[j] {
		case '\\':
			return nil, 0, false
		case '"':
			if j+1 >= len(data) || data[j+1] != ':' {
				return nil, 0, false
			}
			return data[i+1 : j], j + 2, true
		}
	}
	return nil, 0, false
}

// skipValue returns the offset after the JSON value at i (not validated
// beyond its extent: strings with their escapes, nested objects and arrays,
// or a literal running to the next ',', '}' or ']').
func skipValue(data []byte, i int) (int, bool) {
	if i >= len(data) {
		return 0, false
	}
	switch data[i] {
	case '"':
		return skipString(data, i)
	case '{', '[':
		depth := 0
		for i < len(data) {
			switch data[i] {
			case '"':
				var ok bool
				if i, ok = skipString(data, i); !ok {
					return 0, false
				}
				continue
			case '{', '[':
				depth++
			case '}', ']':
				depth--
				if depth == 0 {
					return i + 1, true
				}
			}
			i++
		}
		return 0, false
	case ',', '}', ']', ':':
		return 0, false
	}
	j := i
	for j < len(data) && data[j] != ',' && data[j] != '}' && data[j] != ']' {
		switch data[j] {
		case ' ', '\t', '\n', '\r', '"', '{', '[', ':':
			return 0, false
		}
		j++
	}
	return j, true
}

// skipString returns the offset after the string starting at i.
func skipString(data []byte, i int) (int, bool) {
	for j := i + 1; j < len(data); j++ {
		switch data[j] {
		case '\\':
			j++
		case '"':
			return j + 1, true
		}
	}
	return 0, false
}

// ResourceVersionOf reads metadata.resourceVersion from the JSON of an API
// object as the apiserver writes it (compact: no whitespace between
// tokens), skipping what comes before it without decoding. ok is false
// when it cannot tell: another layout, no such key, a key read with an
// escape, a value that is not a plain string (printable ASCII: no
// escape, no byte a decoder would replace), or JSON cut short; callers
// then decode. It is lenient about the values it skips (only their strings
// and brackets matter).
func ResourceVersionOf(data []byte) (rv string, ok bool) {
	i := 0
	if i >= len(data) || data[i] != '{' {
		return "", false
	}
	i++
	inMetadata := false
	for {
		key, next, ok := scanKey(data, i)
		if !ok {
			return "", false
		}
		i = next
		switch {
		case !inMetadata && string(key) == "metadata":
			if i >= len(data) || data[i] != '{' {
				return "", false
			}
			i++
			inMetadata = true
			continue
		case inMetadata && string(key) == "resourceVersion":
			return plainString(data, i)
		}
		if i, ok = skipValue(data, i); !ok || i >= len(data) || data[i] != ',' {
			return "", false // not a value, or the object ends
		}
		i++
	}
}

// plainString returns the string at i if it is plain printable ASCII.
func plainString(data []byte, i int) (string, bool) {
	if i >= len(data) || data[i] != '"' {
		return "", false
	}
	for j := i + 1; j < len(data); j++ {
		switch c := data[j]; {
		case c == '"':
			return string(data[i+1 : j]), true
		case c == '\\' || c < 0x20 || c >= 0x80:
			return "", false
		}
	}
	return "", false
}
