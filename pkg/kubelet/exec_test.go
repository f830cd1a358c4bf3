package kubelet

import (
	"encoding/json"
	"errors"
	"net/url"
	"testing"
)

func TestEncodeFrame(t *testing.T) {
	if got := EncodeFrame(StreamStdout, []byte("hi")); string(got) != "\x01hi" {
		t.Errorf("stdout frame = %q", got)
	}
	if got := EncodeFrame(StreamError, nil); len(got) != 1 || got[0] != 3 {
		t.Errorf("empty error frame = %q", got)
	}
	if StreamStdin != 0 || StreamStderr != 2 || StreamResize != 4 || StreamClose != 255 {
		t.Error("stream ids differ from Kubernetes'")
	}
}

func TestExecStatusJSON(t *testing.T) {
	for _, tc := range []struct {
		name string
		code int
		err  error
		want string
	}{
		{"success", 0, nil, `{"metadata":{},"status":"Success"}`},
		{"exit 3", 3, nil, `{"metadata":{},"status":"Failure","message":"command terminated with non-zero exit code: ` +
			`error executing command [sh -c exit 3], exit code 3","reason":"NonZeroExitCode","details":{"causes":[{"reason":"ExitCode","message":"3"}]}}`},
		{"not started", -1, errors.New(`exec "nope": executable file not found in $PATH`),
			`{"metadata":{},"status":"Failure","message":"Internal error occurred: error executing command in container: exec \"nope\": executable file not found in $PATH",` +
				`"reason":"InternalError","details":{"causes":[{"message":"error executing command in container: exec \"nope\": executable file not found in $PATH"}]},"code":500}`},
	} {
		b, err := json.Marshal(ExecStatus([]string{"sh", "-c", "exit 3"}, tc.code, tc.err))
		if err != nil {
			t.Fatal(err)
		}
		if string(b) != tc.want {
			t.Errorf("%s:\n got %s\nwant %s", tc.name, b, tc.want)
		}
	}
}

func TestParseExecOptions(t *testing.T) {
	q, _ := url.ParseQuery("command=sh&command=-c&command=echo+hi&stdin=true&stdout=true&stderr=true&tty=false")
	o, err := ParseExecOptions(q)
	if err != nil || len(o.Command) != 3 || o.Command[2] != "echo hi" || !o.Stdin || !o.Stdout || !o.Stderr || o.TTY {
		t.Errorf("ParseExecOptions = %+v, %v", o, err)
	}
	for query, want := range map[string]string{
		"stdout=true":             "you must specify at least 1 command",
		"command=ls":              "you must specify at least one of stdin, stdout, stderr",
		"command=ls&stdout=maybe": `stdout="maybe" is not a boolean`,
	} {
		q, _ := url.ParseQuery(query)
		if _, err := ParseExecOptions(q); err == nil || err.Error() != want {
			t.Errorf("%s: error %v, want %q", query, err, want)
		}
	}
}
