package meta

import "testing"

func TestSameJSON(t *testing.T) {
	for _, tc := range []struct {
		a, b string
		want bool
	}{
		{`{"a":1,"b":[1,2]}`, `{ "b": [1, 2], "a": 1 }`, true},
		{`{"a":1}`, `{"a":2}`, false},
		{`{"a":1}`, `{"a":1,"b":null}`, false},
		{`null`, `null`, true},
		{`not json`, `not json`, true},
		{`not json`, `{}`, false},
	} {
		if got := SameJSON([]byte(tc.a), []byte(tc.b)); got != tc.want {
			t.Errorf("SameJSON(%s, %s) = %v, want %v", tc.a, tc.b, got, tc.want)
		}
	}
}

func TestPtrEqual(t *testing.T) {
	a, b, c := "x", "x", "y"
	if !PtrEqual[string](nil, nil) || !PtrEqual(&a, &b) || PtrEqual(&a, &c) || PtrEqual(&a, nil) || PtrEqual(nil, &a) {
		t.Error("PtrEqual: nil and nil, equal values are equal; different values and nil against a value are not")
	}
}
