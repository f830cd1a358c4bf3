package resource

import (
	"encoding/json"
	"math"
	"math/big"
	"reflect"
	"strconv"
	"testing"
)

func TestParseQuantityCanonical(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"0", "0"},
		{"-0", "0"},
		{"100m", "100m"},
		{"1.5Gi", "1536Mi"},
		{"2", "2"},
		{"1e3", "1e3"},
		{"1E3", "1e3"},
		{"12e6", "12e6"},
		{"1e-3", "1e-3"},
		{"500Mi", "500Mi"},
		{"0.5", "500m"},
		{".5", "500m"},
		{"5.", "5"},
		{"1.5", "1500m"},
		{"1000m", "1"},
		{"1000", "1k"},
		{"1024", "1024"},
		{"1Ki", "1Ki"},
		{"1024Mi", "1Gi"},
		{"1024Ki", "1Mi"},
		{"0.1Ki", "102400m"},
		{"0.5Ki", "512"},
		{"1n", "1n"},
		{"1.5n", "2n"},
		{"0.0000000001", "1n"},
		{"-0.0000000001", "-1n"},
		{"1u", "1u"},
		{"1k", "1k"},
		{"1M", "1M"},
		{"1G", "1G"},
		{"1T", "1T"},
		{"1P", "1P"},
		{"1E", "1E"},
		{"1000E", "1000E"},
		{"-100m", "-100m"},
		{"+100m", "100m"},
		{"-1Ki", "-1Ki"},
		{"001", "1"},
		{"8Ei", "9223372036854775807"},
		{"1Ei", "1Ei"},
		{"4Gi", "4Gi"},
		{"250m", "250m"},
		{"0.25", "250m"},
		{"1.1", "1100m"},
	} {
		q, err := ParseQuantity(tc.in)
		if err != nil {
			t.Errorf("ParseQuantity(%q): %v", tc.in, err)
			continue
		}
		if got := q.String(); got != tc.want {
			t.Errorf("ParseQuantity(%q).String() = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestParseQuantityErrors(t *testing.T) {
	for _, in := range []string{"", "a", "1K", "1Kib", "1.2.3", " 1", "1 ", "1e", "1ee3", "1m3", "--1", "1e1000000", "1Mi5", "x1"} {
		if q, err := ParseQuantity(in); err == nil {
			t.Errorf("ParseQuantity(%q) = %v, want error", in, q)
		}
	}
}

func TestValues(t *testing.T) {
	for _, tc := range []struct {
		in          string
		value, mill int64
	}{
		{"100m", 1, 100},
		{"1.5", 2, 1500},
		{"-1.5", -2, -1500},
		{"1Gi", 1 << 30, 1 << 30 * 1000},
		{"1n", 1, 1},
		{"0", 0, 0},
		{"2", 2, 2000},
	} {
		q := MustParse(tc.in)
		if got := q.Value(); got != tc.value {
			t.Errorf("%s.Value() = %d, want %d", tc.in, got, tc.value)
		}
		if got := q.MilliValue(); got != tc.mill {
			t.Errorf("%s.MilliValue() = %d, want %d", tc.in, got, tc.mill)
		}
	}
	if got := MustParse("100E").Value(); got != 1<<63-1 {
		t.Errorf("huge Value() should saturate, got %d", got)
	}
}

func TestArithmetic(t *testing.T) {
	q := MustParse("100m")
	q.Add(MustParse("900m"))
	if q.String() != "1" || q.Cmp(MustParse("1")) != 0 {
		t.Errorf("100m+900m = %s", q.String())
	}
	q.Sub(MustParse("1.5"))
	if q.String() != "-500m" {
		t.Errorf("1-1.5 = %s", q.String())
	}
	var z Quantity
	if !z.IsZero() || z.String() != "0" {
		t.Errorf("zero value = %q", z.String())
	}
	z.Add(MustParse("1Gi"))
	if z.String() != "1Gi" {
		t.Errorf("0+1Gi = %s (format should follow the addend)", z.String())
	}
	a := MustParse("1Gi")
	b := a
	b.Add(MustParse("1Gi"))
	if a.String() != "1Gi" || b.String() != "2Gi" {
		t.Errorf("Add must not alias: a=%s b=%s", a.String(), b.String())
	}
	if MustParse("1").Cmp(MustParse("1000m")) != 0 || MustParse("1Ki").Cmp(MustParse("1k")) <= 0 {
		t.Errorf("Cmp wrong")
	}
}

func TestJSON(t *testing.T) {
	var l ResourceList
	if err := json.Unmarshal([]byte(`{"cpu":"500m","memory":"1.5Gi","pods":110,"ephemeral-storage":1.5}`), &l); err != nil {
		t.Fatal(err)
	}
	out, err := json.Marshal(l)
	if err != nil {
		t.Fatal(err)
	}
	want := `{"cpu":"500m","ephemeral-storage":"1500m","memory":"1536Mi","pods":"110"}`
	if string(out) != want {
		t.Errorf("got %s want %s", out, want)
	}
	var q Quantity
	if err := json.Unmarshal([]byte(`"abc"`), &q); err == nil {
		t.Errorf("bad quantity should fail")
	}
	if err := json.Unmarshal([]byte(`null`), &q); err != nil || !q.IsZero() {
		t.Errorf("null should be zero: %v", err)
	}
}

func TestResourceListHelpers(t *testing.T) {
	l := ResourceList{CPU: MustParse("1")}
	l.Add(ResourceList{CPU: MustParse("500m"), Memory: MustParse("1Gi")})
	if c := l.Cpu(); c.String() != "1500m" {
		t.Errorf("cpu = %s", c.String())
	}
	l.SetMax(ResourceList{CPU: MustParse("2"), Memory: MustParse("1Mi")})
	if c, m := l.Cpu(), l.Memory(); c.String() != "2" || m.String() != "1Gi" {
		t.Errorf("SetMax: cpu=%s mem=%s", c.String(), m.String())
	}
}

func FuzzParseQuantity(f *testing.F) {
	for _, s := range []string{"100m", "1.5Gi", "2", "1e3", "500Mi", "0.5", "-1n", ".5", "8Ei", "1e-20", "1000E", "0.1Ki"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		q, err := ParseQuantity(s)
		if err != nil {
			return
		}
		str := q.String()
		r, err := ParseQuantity(str)
		if err != nil {
			t.Fatalf("%q -> %q does not re-parse: %v", s, str, err)
		}
		if r.Cmp(q) != 0 {
			t.Fatalf("%q -> %q -> %q: not equal", s, str, r.String())
		}
		if r.String() != str {
			t.Fatalf("%q -> %q -> %q: not canonical", s, str, r.String())
		}
	})
}

func TestScaledValueFastAndSlowAgree(t *testing.T) {
	for _, s := range []string{"1", "-1", "1.5", "-1.5", "100m", "1n", "-1n", "9Gi", "1e3", "123456789123456789n", "7E", "-7E"} {
		q := MustParse(s)
		for _, scale := range []int{-9, -6, -3, 0, 3, 9} {
			fast := q.ScaledValue(scale)
			// slow path: the same division in big arithmetic
			div := new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(scale+9)), nil)
			quo, rem := new(big.Int).QuoRem(q.n(), div, new(big.Int))
			if rem.Sign() != 0 {
				quo.Add(quo, big.NewInt(int64(q.n().Sign())))
			}
			if quo.IsInt64() && quo.Int64() != fast {
				t.Errorf("%s scale %d: fast %d slow %d", s, scale, fast, quo.Int64())
			}
		}
	}
}

func BenchmarkMilliValue(b *testing.B) {
	q := MustParse("1500m")
	for i := 0; i < b.N; i++ {
		_ = q.MilliValue()
	}
}

// FuzzParseSmallAgreesWithBig: wherever the int64 fast path answers, it
// gives the value and format the math/big path gives.
func FuzzParseSmallAgreesWithBig(f *testing.F) {
	for _, s := range []string{"100m", "1.5Gi", "2", "1e3", "500Mi", "0.5", "-1n", ".5", "8Ei", "1e-20", "1000E",
		"0.1Ki", "123456789012345678", "9223372036854775807n", "7Ei", "0.000000001", "0.0000000001", "-0", "1e9", "5e-10"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if s == "" {
			return
		}
		positive, num, denom, suf, err := parseQuantityString(s)
		if err != nil {
			return
		}
		base, exponent, format, ok := interpretSuffix(suf)
		if !ok {
			return
		}
		small, ok := parseSmall(positive, num, denom, base, exponent, format)
		if !ok {
			return
		}
		big, err := parseBig(positive, num, denom, base, exponent, format)
		if err != nil {
			t.Fatalf("%q: fast path %s, big path error %v", s, small.String(), err)
		}
		if small.Cmp(big) != 0 || small.Format != big.Format {
			t.Fatalf("%q: fast path %s (%s), big path %s (%s)", s, small.String(), small.Format, big.String(), big.Format)
		}
	})
}

func BenchmarkParseQuantity(b *testing.B) {
	for _, s := range []string{"100m", "128Mi", "2"} {
		b.Run(s, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := ParseQuantity(s); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// FuzzAppendSmallAgreesWithBig: the int64 formatting path prints what the
// math/big path prints, for every value and format.
func FuzzAppendSmallAgreesWithBig(f *testing.F) {
	for _, n := range []int64{1, -1, 100_000_000, 1_000_000_000, 1536 << 20 * 1e9, 1023e9, 1024e9, -1024e9, 1<<63 - 1, -(1<<63 - 1), 1e18, 5e17, 7, 1500_000_000} {
		for _, f2 := range []string{string(DecimalSI), string(BinarySI), string(DecimalExponent), "bogus"} {
			f.Add(n, f2)
		}
	}
	f.Fuzz(func(t *testing.T, n int64, format string) {
		if n == 0 || n == math.MinInt64 {
			return
		}
		q := Quantity{nanos: big.NewInt(n), Format: Format(format)}
		small := string(appendSmall(nil, n, Format(format)))
		if slow := q.bigString(); small != slow {
			t.Fatalf("%d nanos %q: int64 path %q, big path %q", n, format, small, slow)
		}
		if s := q.String(); s != small {
			t.Fatalf("%d nanos %q: String %q, want %q", n, format, s, small)
		}
		b, err := q.MarshalJSON()
		if err != nil || string(b) != strconv.Quote(small) {
			t.Fatalf("%d nanos %q: MarshalJSON %s, %v", n, format, b, err)
		}
	})
}

func BenchmarkQuantityString(b *testing.B) {
	for _, s := range []string{"100m", "128Mi", "2", "1.5Gi", "1e3"} {
		q := MustParse(s)
		b.Run(s, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := q.MarshalJSON(); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// FuzzInt64PathsAgreeWithBig: the int64 fast paths of parsing, Add, Sub and
// DeepCopy build a *big.Int that reflect.DeepEqual cannot tell from the one
// math/big builds, so equality of objects holding quantities is unchanged.
func FuzzInt64PathsAgreeWithBig(f *testing.F) {
	for _, v := range [][2]int64{{1, 2}, {0, 5}, {5, 0}, {-3, 3}, {math.MaxInt64, 1}, {math.MinInt64, -1}, {math.MinInt64 + 1, 1}, {-1, math.MaxInt64}, {100_000_000, -100_000_000}} {
		f.Add(v[0], v[1])
	}
	f.Fuzz(func(t *testing.T, a, b int64) {
		if got, want := newInt(a), big.NewInt(a); !reflect.DeepEqual(got, want) {
			t.Fatalf("newInt(%d) = %#v, big.NewInt %#v", a, got, want)
		}
		qa, qb := Quantity{nanos: big.NewInt(a)}, Quantity{nanos: big.NewInt(b)}
		if a == 0 {
			qa.nanos = nil
		}
		sum, diff := qa, qa
		sum.Add(qb)
		diff.Sub(qb)
		if want := new(big.Int).Add(qa.n(), qb.n()); !reflect.DeepEqual(sum.nanos, want) {
			t.Fatalf("%d + %d = %#v, math/big %#v", a, b, sum.nanos, want)
		}
		if want := new(big.Int).Sub(qa.n(), qb.n()); !reflect.DeepEqual(diff.nanos, want) {
			t.Fatalf("%d - %d = %#v, math/big %#v", a, b, diff.nanos, want)
		}
		for _, x := range []*big.Int{sum.nanos, diff.nanos, qb.nanos} {
			q := Quantity{nanos: x}
			if got, want := q.DeepCopy().nanos, new(big.Int).Set(x); !reflect.DeepEqual(got, want) || (x.Sign() != 0 && got == x) {
				t.Fatalf("DeepCopy(%v) = %#v, math/big %#v", x, got, want)
			}
		}
	})
}

// TestMarshalInStructs: encoding/json writes a Quantity (via MarshalJSON,
// or MarshalJSONTo under GOEXPERIMENT=jsonv2) as its quoted canonical form,
// as a field, a map value, a pointer and a slice element.
func TestMarshalInStructs(t *testing.T) {
	type wrap struct {
		Q Quantity     `json:"q"`
		Z Quantity     `json:"z"`
		P *Quantity    `json:"p"`
		L []Quantity   `json:"l"`
		M ResourceList `json:"m"`
	}
	q := MustParse("1.5Gi")
	got, err := json.Marshal(wrap{Q: q, P: &q, L: []Quantity{MustParse("100m"), MustParse("1e3")}, M: ResourceList{CPU: MustParse("2")}})
	if err != nil {
		t.Fatal(err)
	}
	want := `{"q":"1536Mi","z":"0","p":"1536Mi","l":["100m","1e3"],"m":{"cpu":"2"}}`
	if string(got) != want {
		t.Errorf("got %s\nwant %s", got, want)
	}
}

// TestInterpretSuffixTables compares interpretSuffix with the map lookups it
// replaced, for every suffix of up to 3 characters the scanner can pass.
func TestInterpretSuffixTables(t *testing.T) {
	decimal := map[string]int{"n": -9, "u": -6, "m": -3, "": 0, "k": 3, "M": 6, "G": 9, "T": 12, "P": 15, "E": 18}
	binary := map[string]int{"Ki": 10, "Mi": 20, "Gi": 30, "Ti": 40, "Pi": 50, "Ei": 60}
	ref := func(s string) (int, int, Format, bool) {
		if e, ok := decimal[s]; ok {
			return 10, e, DecimalSI, true
		}
		if e, ok := binary[s]; ok {
			return 2, e, BinarySI, true
		}
		if len(s) > 1 && (s[0] == 'e' || s[0] == 'E') {
			e, err := strconv.ParseInt(s[1:], 10, 32)
			if err != nil {
				return 0, 0, "", false
			}
			return 10, int(e), DecimalExponent, true
		}
		return 0, 0, "", false
	}
	const alphabet = "eEinumkKMGTP-+05x"
	var all []string
	all = append(all, "")
	for _, a := range alphabet {
		all = append(all, string(a))
		for _, b := range alphabet {
			all = append(all, string(a)+string(b))
			for _, c := range alphabet {
				all = append(all, string(a)+string(b)+string(c))
			}
		}
	}
	for _, s := range all {
		b1, e1, f1, ok1 := interpretSuffix(s)
		b2, e2, f2, ok2 := ref(s)
		if b1 != b2 || e1 != e2 || f1 != f2 || ok1 != ok2 {
			t.Errorf("%q: got %d %d %s %v, want %d %d %s %v", s, b1, e1, f1, ok1, b2, e2, f2, ok2)
		}
	}
}
