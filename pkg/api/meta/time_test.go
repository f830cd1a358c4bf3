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
