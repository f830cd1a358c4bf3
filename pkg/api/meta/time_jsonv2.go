//go:build goexperiment.jsonv2

package meta

import (
	"encoding/json/jsontext"
	"time"
)

// MarshalJSONTo is MarshalJSON for encoding/json/v2, which encoding/json
// calls in its place under GOEXPERIMENT=jsonv2: it appends to the
// encoder's buffer instead of allocating a result.
func (t Time) MarshalJSONTo(enc *jsontext.Encoder) error {
	return marshalTimeTo(enc, t.Time, time.RFC3339)
}

// MarshalJSONTo is MarshalJSON for encoding/json/v2.
func (t MicroTime) MarshalJSONTo(enc *jsontext.Encoder) error {
	return marshalTimeTo(enc, t.Time, RFC3339Micro)
}

func marshalTimeTo(enc *jsontext.Encoder, t time.Time, layout string) error {
	if t.IsZero() {
		return enc.WriteToken(jsontext.Null)
	}
	b := enc.AvailableBuffer()
	b = append(b, '"')
	b = t.UTC().AppendFormat(b, layout) // holds no character JSON escapes
	b = append(b, '"')
	return enc.WriteValue(b)
}
