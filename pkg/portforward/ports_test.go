package portforward

import (
	"net/http"
	"reflect"
	"testing"
)

func TestParsePorts(t *testing.T) {
	tests := []struct {
		specs   []string
		want    []ForwardedPort
		wantErr string
	}{
		{specs: []string{"5000"}, want: []ForwardedPort{{5000, 5000}}},
		{specs: []string{"8888:5000", ":80", "0:81"}, want: []ForwardedPort{{8888, 5000}, {0, 80}, {0, 81}}},
		{specs: []string{"a:80"}, wantErr: `error parsing local port 'a': strconv.ParseUint: parsing "a": invalid syntax`},
		{specs: []string{"80:"}, wantErr: `error parsing remote port '': strconv.ParseUint: parsing "": invalid syntax`},
		{specs: []string{"8080:0"}, wantErr: "remote port must be > 0"},
		{specs: []string{"0"}, wantErr: "remote port must be > 0"},
		{specs: []string{"1:2:3"}, wantErr: "invalid port format '1:2:3'"},
		{specs: []string{"70000"}, wantErr: `error parsing local port '70000': strconv.ParseUint: parsing "70000": value out of range`},
	}
	for _, tc := range tests {
		got, err := ParsePorts(tc.specs)
		if tc.wantErr != "" {
			if err == nil || err.Error() != tc.wantErr {
				t.Errorf("ParsePorts(%q) error = %v, want %q", tc.specs, err, tc.wantErr)
			}
			continue
		}
		if err != nil || !reflect.DeepEqual(got, tc.want) {
			t.Errorf("ParsePorts(%q) = %v, %v; want %v", tc.specs, got, err, tc.want)
		}
	}
}

func TestParseAddresses(t *testing.T) {
	tests := []struct {
		addrs   []string
		want    []ListenAddress
		wantErr string
	}{
		{addrs: []string{"localhost"}, want: []ListenAddress{{"127.0.0.1", "tcp4", "all"}, {"::1", "tcp6", "all"}}},
		{addrs: []string{"localhost", "127.0.0.1"}, want: []ListenAddress{{"127.0.0.1", "tcp4", "any"}, {"::1", "tcp6", "all"}}},
		{addrs: []string{"0.0.0.0", "::"}, want: []ListenAddress{{"0.0.0.0", "tcp4", "any"}, {"::", "tcp6", "any"}}},
		{addrs: []string{"example.com"}, wantErr: "example.com is not a valid IP"},
		{addrs: nil, wantErr: "you must specify at least 1 address"},
	}
	for _, tc := range tests {
		got, err := ParseAddresses(tc.addrs)
		if tc.wantErr != "" {
			if err == nil || err.Error() != tc.wantErr {
				t.Errorf("ParseAddresses(%q) error = %v, want %q", tc.addrs, err, tc.wantErr)
			}
			continue
		}
		if err != nil || !reflect.DeepEqual(got, tc.want) {
			t.Errorf("ParseAddresses(%q) = %v, %v; want %v", tc.addrs, got, err, tc.want)
		}
	}
}

func TestParseStreamHeaders(t *testing.T) {
	h := func(kv ...string) http.Header {
		out := http.Header{}
		for i := 0; i < len(kv); i += 2 {
			out.Set(kv[i], kv[i+1])
		}
		return out
	}
	tests := []struct {
		name    string
		h       http.Header
		id      uint32
		want    StreamHeaders
		wantErr string
	}{
		{"data", h("streamType", "data", "port", "80", "requestID", "7"), 3, StreamHeaders{"data", 80, "7"}, ""},
		{"error", h("streamType", "error", "port", "65535", "requestID", "0"), 1, StreamHeaders{"error", 65535, "0"}, ""},
		{"old client error stream", h("streamType", "error", "port", "80"), 5, StreamHeaders{"error", 80, "5"}, ""},
		{"old client data stream", h("streamType", "data", "port", "80"), 7, StreamHeaders{"data", 80, "5"}, ""},
		{"no port", h("streamType", "data"), 1, StreamHeaders{}, `"port" header is required`},
		{"bad port", h("streamType", "data", "port", "x"), 1, StreamHeaders{}, `unable to parse "x" as a port: strconv.ParseUint: parsing "x": invalid syntax`},
		{"port 0", h("streamType", "data", "port", "0"), 1, StreamHeaders{}, `port "0" must be > 0`},
		{"port too large", h("streamType", "data", "port", "65536"), 1, StreamHeaders{}, `unable to parse "65536" as a port: strconv.ParseUint: parsing "65536": value out of range`},
		{"no type", h("port", "80"), 1, StreamHeaders{}, `"streamType" header is required`},
		{"bad type", h("port", "80", "streamType", "stdin"), 1, StreamHeaders{}, `invalid stream type "stdin"`},
	}
	for _, tc := range tests {
		got, err := ParseStreamHeaders(tc.h, tc.id)
		if tc.wantErr != "" {
			if err == nil || err.Error() != tc.wantErr {
				t.Errorf("%s: error = %v, want %q", tc.name, err, tc.wantErr)
			}
			continue
		}
		if err != nil || got != tc.want {
			t.Errorf("%s: = %+v, %v; want %+v", tc.name, got, err, tc.want)
		}
	}
}
