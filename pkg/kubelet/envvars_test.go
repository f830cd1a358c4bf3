package kubelet

import (
	"context"
	"net/url"
	"strings"
	"testing"

	"github.com/tinykube/tinykube/pkg/api/core"
)

func TestMasterServiceEnv(t *testing.T) {
	for _, tc := range []struct {
		url, want string
	}{
		{"https://10.0.0.1:6443", "KUBERNETES_SERVICE_HOST=10.0.0.1 KUBERNETES_SERVICE_PORT=6443 KUBERNETES_SERVICE_PORT_HTTPS=6443 " +
			"KUBERNETES_PORT=tcp://10.0.0.1:6443 KUBERNETES_PORT_6443_TCP=tcp://10.0.0.1:6443 KUBERNETES_PORT_6443_TCP_PROTO=tcp " +
			"KUBERNETES_PORT_6443_TCP_PORT=6443 KUBERNETES_PORT_6443_TCP_ADDR=10.0.0.1"},
		{"https://apiserver", "KUBERNETES_SERVICE_HOST=apiserver KUBERNETES_SERVICE_PORT=443 KUBERNETES_SERVICE_PORT_HTTPS=443 " +
			"KUBERNETES_PORT=tcp://apiserver:443 KUBERNETES_PORT_443_TCP=tcp://apiserver:443 KUBERNETES_PORT_443_TCP_PROTO=tcp " +
			"KUBERNETES_PORT_443_TCP_PORT=443 KUBERNETES_PORT_443_TCP_ADDR=apiserver"},
		{"http://[::1]:8080", "KUBERNETES_SERVICE_HOST=::1 KUBERNETES_SERVICE_PORT=8080 KUBERNETES_SERVICE_PORT_HTTP=8080 " +
			"KUBERNETES_PORT=tcp://[::1]:8080 KUBERNETES_PORT_8080_TCP=tcp://[::1]:8080 KUBERNETES_PORT_8080_TCP_PROTO=tcp " +
			"KUBERNETES_PORT_8080_TCP_PORT=8080 KUBERNETES_PORT_8080_TCP_ADDR=::1"},
	} {
		u, err := url.Parse(tc.url)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, e := range masterServiceEnv(u) {
			got = append(got, e.Name+"="+e.Value)
		}
		if strings.Join(got, " ") != tc.want {
			t.Errorf("%s:\n%s\nwant\n%s", tc.url, strings.Join(got, " "), tc.want)
		}
	}
	if masterServiceEnv(nil) != nil {
		t.Error("nil URL gave variables")
	}
}

// TestContainerEnvServiceVars: the service variables come after the
// container's own, which win, and $(NAME) sees them.
func TestContainerEnvServiceVars(t *testing.T) {
	svc := []core.EnvVar{{Name: "KUBERNETES_SERVICE_HOST", Value: "10.0.0.1"}, {Name: "KUBERNETES_SERVICE_PORT", Value: "6443"}}
	c := &core.Container{Env: []core.EnvVar{{Name: "URL", Value: "https://$(KUBERNETES_SERVICE_HOST):$(KUBERNETES_SERVICE_PORT)"},
		{Name: "KUBERNETES_SERVICE_PORT", Value: "1"}}}
	vars, err := containerEnv(context.Background(), nil, &core.Pod{}, c, svc, "", "", nil)
	if err != nil {
		t.Fatal(err)
	}
	want := "URL=https://10.0.0.1:6443 KUBERNETES_SERVICE_PORT=1 KUBERNETES_SERVICE_HOST=10.0.0.1"
	if got := strings.Join(vars.list(), " "); got != want {
		t.Errorf("env %q, want %q", got, want)
	}
}
