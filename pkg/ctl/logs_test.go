package ctl

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"go.uber.org/goleak"
)

// TestLogsRequest checks what ctl logs asks the apiserver for, against a
// stand-in that serves one pod and its log.
func TestLogsRequest(t *testing.T) {
	defer goleak.VerifyNone(t)
	var gotQuery string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/api/v1/namespaces/team/pods/web":
			w.Header().Set("Content-Type", "application/json")
			_, _ = w.Write([]byte(`{"kind":"Pod","apiVersion":"v1","metadata":{"name":"web","namespace":"team"},
				"spec":{"containers":[{"name":"main"},{"name":"side"}]}}`))
		case "/apis/apps/v1/namespaces/team/deployments/web":
			_, _ = w.Write([]byte(`{"kind":"Deployment","metadata":{"name":"web"},"spec":{"selector":{"matchLabels":{"app":"web"}}}}`))
		case "/api/v1/namespaces/team/pods":
			if r.URL.Query().Get("labelSelector") != "app=web" {
				http.Error(w, "bad selector "+r.URL.RawQuery, http.StatusBadRequest)
				return
			}
			_, _ = w.Write([]byte(`{"kind":"PodList","items":[{"metadata":{"name":"web"}}]}`))
		case "/api/v1/namespaces/team/pods/web/log":
			gotQuery = r.URL.RawQuery
			_, _ = w.Write([]byte("line 1\nline 2\n"))
		default:
			http.NotFound(w, r)
		}
	}))
	defer srv.Close()
	for _, tc := range []struct {
		args      []string
		wantQuery string
		wantErr   string
	}{
		{[]string{"logs", "web"}, "container=main", `Defaulted container "main" out of: main, side`},
		{[]string{"logs", "pod/web", "-c", "side", "--tail=5", "-p"}, "container=side&previous=true&tailLines=5", ""},
		{[]string{"logs", "web", "-c", "main", "-f", "--timestamps"}, "container=main&follow=true&timestamps=true", ""},
		{[]string{"logs", "deploy/web", "-c", "main"}, "container=main", ""},
	} {
		var out, errOut bytes.Buffer
		args := append([]string{"--server", srv.URL, "--kubeconfig", "testdata/empty-kubeconfig.yaml", "-n", "team"}, tc.args...)
		code := Run(context.Background(), args, IOStreams{In: strings.NewReader(""), Out: &out, ErrOut: &errOut})
		if code != 0 || out.String() != "line 1\nline 2\n" {
			t.Errorf("%v: exit %d, out %q, err %q", tc.args, code, out.String(), errOut.String())
		}
		if gotQuery != tc.wantQuery {
			t.Errorf("%v: query %q, want %q", tc.args, gotQuery, tc.wantQuery)
		}
		if !strings.Contains(errOut.String(), tc.wantErr) {
			t.Errorf("%v: stderr %q, want %q", tc.args, errOut.String(), tc.wantErr)
		}
	}
	var errOut bytes.Buffer
	code := Run(context.Background(), []string{"--server", srv.URL, "--kubeconfig", "testdata/empty-kubeconfig.yaml",
		"logs", "cm/web"}, IOStreams{In: strings.NewReader(""), Out: &bytes.Buffer{}, ErrOut: &errOut})
	if code != 1 || !strings.Contains(errOut.String(), "NotFound") {
		t.Errorf("logs of a config map: exit %d, %q", code, errOut.String())
	}
}

func TestConnectionRefused(t *testing.T) {
	defer goleak.VerifyNone(t)
	srv := httptest.NewServer(http.NotFoundHandler())
	url := srv.URL
	srv.Close() // nothing listens there any more
	var errOut bytes.Buffer
	code := Run(context.Background(), []string{"--server", url, "--kubeconfig", "testdata/empty-kubeconfig.yaml",
		"--request-timeout=5s", "get", "pods"}, IOStreams{In: strings.NewReader(""), Out: &bytes.Buffer{}, ErrOut: &errOut})
	want := "The connection to the server " + strings.TrimPrefix(url, "http://") + " was refused - did you specify the right host or port?\n"
	if code != 1 || errOut.String() != want {
		t.Errorf("exit %d, stderr %q; want 1 and %q", code, errOut.String(), want)
	}
}
