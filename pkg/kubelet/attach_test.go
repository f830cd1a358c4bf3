package kubelet

import (
	"encoding/json"
	"errors"
	"net/url"
	"testing"
)

func TestParseAttachOptions(t *testing.T) {
	for _, tc := range []struct {
		query   string
		want    ExecOptions
		wantErr string
	}{
		{query: "stdin=true&stdout=true&stderr=true", want: ExecOptions{Stdin: true, Stdout: true, Stderr: true}},
		{query: "stdout=1&tty=true", want: ExecOptions{Stdout: true, TTY: true}},
		// A command is not an attach parameter: it is ignored.
		{query: "command=ls&stderr=true", want: ExecOptions{Stderr: true}},
		{query: "tty=true", wantErr: "you must specify at least one of stdin, stdout, stderr"},
		{query: "", wantErr: "you must specify at least one of stdin, stdout, stderr"},
		{query: "stdin=yes", wantErr: `stdin="yes" is not a boolean`},
	} {
		q, _ := url.ParseQuery(tc.query)
		o, err := ParseAttachOptions(q)
		switch {
		case tc.wantErr != "":
			if err == nil || err.Error() != tc.wantErr {
				t.Errorf("%q: error %v, want %q", tc.query, err, tc.wantErr)
			}
		case err != nil:
			t.Errorf("%q: %v", tc.query, err)
		case o.Stdin != tc.want.Stdin || o.Stdout != tc.want.Stdout || o.Stderr != tc.want.Stderr || o.TTY != tc.want.TTY || o.Command != nil:
			t.Errorf("%q: %+v, want %+v", tc.query, o, tc.want)
		}
	}
}

func TestAttachStatusJSON(t *testing.T) {
	for _, tc := range []struct {
		name string
		err  error
		want string
	}{
		{"ended", nil, `{"metadata":{},"status":"Success"}`},
		{"failed", errors.New("the container is not running"),
			`{"metadata":{},"status":"Failure","message":"Internal error occurred: error attaching to container: the container is not running",` +
				`"reason":"InternalError","details":{"causes":[{"message":"error attaching to container: the container is not running"}]},"code":500}`},
	} {
		b, err := json.Marshal(AttachStatus(tc.err))
		if err != nil {
			t.Fatal(err)
		}
		if string(b) != tc.want {
			t.Errorf("%s:\n got %s\nwant %s", tc.name, b, tc.want)
		}
	}
}
