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
