package meta

import (
	"encoding/json"
	"testing"
	"time"
)

func TestTimeJSON(t *testing.T) {
	at := time.Date(2024, 5, 6, 7, 8, 9, 123456789, time.UTC)
	cases := []struct {
		name string
		v    any
		want string
	}{
		{"Time", NewTime(at), `"2024-05-06T07:08:09Z"`},
		{"zero Time", Time{}, `null`},
		{"MicroTime", MicroTime{at}, `"2024-05-06T07:08:09.123456Z"`},
		{"zero MicroTime", MicroTime{}, `null`},
	}
	for _, tc := range cases {
		b, err := json.Marshal(tc.v)
		if err != nil || string(b) != tc.want {
			t.Errorf("%s: marshal = %s, %v; want %s", tc.name, b, err, tc.want)
		}
	}
}

func TestTimeUnmarshalJSON(t *testing.T) {
	cases := []struct {
		in         string
		sec, micro time.Time
		wantErr    bool
	}{
		{in: `"2024-05-06T07:08:09.123456789Z"`,
			sec:   time.Date(2024, 5, 6, 7, 8, 9, 0, time.UTC),
			micro: time.Date(2024, 5, 6, 7, 8, 9, 123456000, time.UTC)},
		{in: `"2024-05-06T09:08:09+02:00"`,
			sec: time.Date(2024, 5, 6, 7, 8, 9, 0, time.UTC), micro: time.Date(2024, 5, 6, 7, 8, 9, 0, time.UTC)},
		{in: `null`},
		{in: `""`},
		{in: `"yesterday"`, wantErr: true},
		{in: `42`, wantErr: true},
	}
	for _, tc := range cases {
		tm := NewTime(time.Now())
		mt := NowMicro()
		errT, errM := json.Unmarshal([]byte(tc.in), &tm), json.Unmarshal([]byte(tc.in), &mt)
		if (errT != nil) != tc.wantErr || (errM != nil) != tc.wantErr {
			t.Errorf("%s: errors %v, %v; want error %v", tc.in, errT, errM, tc.wantErr)
			continue
		}
		if tc.wantErr {
			continue
		}
		if !tm.Equal(tc.sec) || tm.IsZero() != tc.sec.IsZero() {
			t.Errorf("%s: Time = %v, want %v", tc.in, tm.Time, tc.sec)
		}
		if !mt.Equal(tc.micro) || mt.IsZero() != tc.micro.IsZero() {
			t.Errorf("%s: MicroTime = %v, want %v", tc.in, mt.Time, tc.micro)
		}
	}
}

// FuzzParseUTCAgreesWithTimeParse: wherever the allocation-free parser
// answers, time.Parse accepts the string and gives the identical Time.
func FuzzParseUTCAgreesWithTimeParse(f *testing.F) {
	for _, s := range []string{"2024-05-06T07:08:09Z", "2024-05-06T07:08:09.123456Z", "2024-05-06T07:08:09.123456789Z",
		"2024-02-29T00:00:00Z", "2023-02-29T00:00:00Z", "2024-05-06T24:00:00Z", "2024-05-06T07:08:60Z", "0000-01-01T00:00:00Z",
		"2024-05-06T07:08:09.Z", "2024-05-06T07:08:09.1234567891Z", "2024-05-06T09:08:09+02:00", "2024-13-01T00:00:00Z"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, ok := parseUTC([]byte(s))
		if !ok {
			return
		}
		want, err := time.Parse(time.RFC3339Nano, s)
		if err != nil {
			t.Fatalf("%q: parseUTC %v, time.Parse error %v", s, got, err)
		}
		if got != want {
			t.Fatalf("%q: parseUTC %#v, time.Parse %#v", s, got, want)
		}
		for _, p := range []time.Duration{time.Second, time.Microsecond} {
			var viaFast, viaParse time.Time
			if err := unmarshalTime([]byte(`"`+s+`"`), p, &viaFast); err != nil {
				t.Fatal(err)
			}
			viaParse = want.Truncate(p).Local()
			if viaFast != viaParse {
				t.Fatalf("%q: unmarshalTime %#v, want %#v", s, viaFast, viaParse)
			}
		}
	})
}

func BenchmarkTimeJSON(b *testing.B) {
	at := NewTime(time.Date(2024, 5, 6, 7, 8, 9, 0, time.UTC))
	data, _ := json.Marshal(at)
	b.Run("marshal", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := at.MarshalJSON(); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("unmarshal", func(b *testing.B) {
		b.ReportAllocs()
		var t Time
		for b.Loop() {
			if err := t.UnmarshalJSON(data); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// TestTimeMarshalInStructs: encoding/json writes Time and MicroTime (via
// MarshalJSON, or MarshalJSONTo under GOEXPERIMENT=jsonv2) as MarshalJSON
// does, null for zero, as fields, pointers and slice elements.
func TestTimeMarshalInStructs(t *testing.T) {
	type wrap struct {
		T  Time      `json:"t"`
		Z  Time      `json:"z"`
		P  *Time     `json:"p"`
		M  MicroTime `json:"m"`
		ZM MicroTime `json:"zm"`
		L  []Time    `json:"l"`
	}
	at := time.Date(2024, 5, 6, 9, 8, 9, 123456789, time.FixedZone("x", 2*3600))
	tm := NewTime(at)
	got, err := json.Marshal(wrap{T: tm, P: &tm, M: MicroTime{at}, L: []Time{{}, tm}})
	if err != nil {
		t.Fatal(err)
	}
	want := `{"t":"2024-05-06T07:08:09Z","z":null,"p":"2024-05-06T07:08:09Z","m":"2024-05-06T07:08:09.123456Z","zm":null,"l":[null,"2024-05-06T07:08:09Z"]}`
	if string(got) != want {
		t.Errorf("got %s\nwant %s", got, want)
	}
}
