//go:build goexperiment.jsonv2

package resource

import "encoding/json/jsontext"

// MarshalJSONTo is MarshalJSON for encoding/json/v2, which encoding/json
// calls in its place under GOEXPERIMENT=jsonv2: it appends to the
// encoder's buffer instead of allocating a result.
func (q Quantity) MarshalJSONTo(enc *jsontext.Encoder) error {
	b := enc.AvailableBuffer()
	b = append(b, '"')
	b = q.AppendString(b) // the canonical form holds no character JSON escapes
	b = append(b, '"')
	return enc.WriteValue(b)
}
