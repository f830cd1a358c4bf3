package intstr

import (
	"encoding/json"
	"testing"
)

func TestJSONRoundTrip(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want IntOrString
	}{
		{`8080`, FromInt32(8080)},
		{`"http"`, FromString("http")},
		{`"25%"`, FromString("25%")},
		{`0`, FromInt32(0)},
	} {
		var got IntOrString
		if err := json.Unmarshal([]byte(tc.in), &got); err != nil {
			t.Fatalf("%s: %v", tc.in, err)
		}
		if got != tc.want {
			t.Errorf("%s: got %+v want %+v", tc.in, got, tc.want)
		}
		out, err := json.Marshal(got)
		if err != nil || string(out) != tc.in {
			t.Errorf("marshal %+v = %s, %v; want %s", got, out, err, tc.in)
		}
	}
	var bad IntOrString
	if err := json.Unmarshal([]byte(`1.5`), &bad); err == nil {
		t.Errorf("1.5 should not decode")
	}
}

func TestGetScaledValueFromIntOrPercent(t *testing.T) {
	for _, tc := range []struct {
		v       IntOrString
		total   int
		roundUp bool
		want    int
		wantErr bool
	}{
		{FromInt32(3), 10, false, 3, false},
		{FromString("25%"), 10, true, 3, false},
		{FromString("25%"), 10, false, 2, false},
		{FromString("25%"), 4, true, 1, false},
		{FromString("0%"), 10, true, 0, false},
		{FromString("100%"), 7, false, 7, false},
		{FromString("33%"), 3, true, 1, false},
		{FromString("33%"), 3, false, 0, false},
		{FromString("25"), 10, true, 0, true},
		{FromString("x%"), 10, true, 0, true},
	} {
		got, err := GetScaledValueFromIntOrPercent(&tc.v, tc.total, tc.roundUp)
		if (err != nil) != tc.wantErr || got != tc.want {
			t.Errorf("%v of %d up=%v: got %d, %v; want %d err=%v", tc.v.String(), tc.total, tc.roundUp, got, err, tc.want, tc.wantErr)
		}
	}
	if _, err := GetScaledValueFromIntOrPercent(nil, 1, true); err == nil {
		t.Errorf("nil should fail")
	}
}

func TestParse(t *testing.T) {
	if got := Parse("80"); got != FromInt32(80) {
		t.Errorf("Parse(80) = %+v", got)
	}
	if got := Parse("http"); got != FromString("http") {
		t.Errorf("Parse(http) = %+v", got)
	}
}

// oldUnmarshal is UnmarshalJSON before its fast paths, the reference.
func oldUnmarshal(v *IntOrString, b []byte) error {
	if len(b) > 0 && b[0] == '"' {
		v.Type = String
		v.IntVal = 0
		return json.Unmarshal(b, &v.StrVal)
	}
	if string(b) == "null" {
		*v = IntOrString{}
		return nil
	}
	v.Type = Int
	v.StrVal = ""
	return json.Unmarshal(b, &v.IntVal)
}

// FuzzJSONFastPathsAgree: MarshalJSON and UnmarshalJSON give what the
// encoding/json calls they shortcut give, for every input.
func FuzzJSONFastPathsAgree(f *testing.F) {
	for _, s := range []string{`8080`, `"http"`, `"25%"`, `0`, `-0`, `01`, `-01`, `+5`, `1e3`, `1.0`, `2147483648`, `-2147483648`,
		`"a\"b"`, `"<&>"`, "\"\xff\"", `"é"`, `null`, `""`, `"`, `-`, ` 5`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		var got, want IntOrString
		errGot, errWant := got.UnmarshalJSON(b), oldUnmarshal(&want, b)
		if (errGot == nil) != (errWant == nil) || got != want {
			t.Fatalf("%q: got %#v, %v; want %#v, %v", b, got, errGot, want, errWant)
		}
		for _, v := range []IntOrString{FromString(string(b)), want} {
			out, err := v.MarshalJSON()
			var ref []byte
			if v.Type == Int {
				ref, _ = json.Marshal(v.IntVal)
			} else {
				ref, _ = json.Marshal(v.StrVal)
			}
			if err != nil || string(out) != string(ref) {
				t.Fatalf("%#v: MarshalJSON %s, %v; want %s", v, out, err, ref)
			}
		}
	})
}

func BenchmarkJSON(b *testing.B) {
	for _, v := range []IntOrString{FromInt32(8080), FromString("http")} {
		data, _ := json.Marshal(v)
		b.Run(string(data), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := v.MarshalJSON(); err != nil {
					b.Fatal(err)
				}
				var w IntOrString
				if err := w.UnmarshalJSON(data); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// TestMarshalLikeEncodingJSON: encoding/json writes an IntOrString (via
// MarshalJSON, or MarshalJSONTo under GOEXPERIMENT=jsonv2) exactly as it
// writes the int32 or string, HTML and U+2028 escaping included.
func TestMarshalLikeEncodingJSON(t *testing.T) {
	type wrap struct {
		V IntOrString   `json:"v"`
		P *IntOrString  `json:"p,omitempty"`
		L []IntOrString `json:"l"`
	}
	for _, s := range []string{"http", "25%", "", "<a&b>", "\u2028é\x01\"\\", "\xff"} {
		v := FromString(s)
		got, err := json.Marshal(wrap{V: v, P: &v, L: []IntOrString{v, FromInt32(-7)}})
		if err != nil {
			t.Fatal(err)
		}
		str, _ := json.Marshal(s)
		want := `{"v":` + string(str) + `,"p":` + string(str) + `,"l":[` + string(str) + `,-7]}`
		if string(got) != want {
			t.Errorf("%q: got %s want %s", s, got, want)
		}
	}
	if _, err := json.Marshal(IntOrString{Type: 5}); err == nil {
		t.Errorf("an impossible Type must fail to marshal")
	}
}
