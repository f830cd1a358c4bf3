//go:build goexperiment.jsonv2

package intstr

import (
	"encoding/json/jsontext"
	"fmt"
)

// MarshalJSONTo is MarshalJSON for encoding/json/v2, which encoding/json
// calls in its place under GOEXPERIMENT=jsonv2: it writes the token to the
// encoder, which escapes strings as its options say, without allocating.
func (v IntOrString) MarshalJSONTo(enc *jsontext.Encoder) error {
	switch v.Type {
	case Int:
		return enc.WriteToken(jsontext.Int(int64(v.IntVal)))
	case String:
		return enc.WriteToken(jsontext.String(v.StrVal))
	default:
		return fmt.Errorf("impossible IntOrString.Type %d", v.Type)
	}
}
