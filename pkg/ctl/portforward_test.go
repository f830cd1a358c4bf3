package ctl

import (
	"reflect"
	"testing"

	"github.com/tinykube/tinykube/pkg/api/core"
	"github.com/tinykube/tinykube/pkg/api/intstr"
	"github.com/tinykube/tinykube/pkg/api/meta"
)

func TestForwardPortTranslation(t *testing.T) {
	pod := &core.Pod{ObjectMeta: meta.ObjectMeta{Name: "web-1"}, Spec: core.PodSpec{Containers: []core.Container{
		{Name: "a", Ports: []core.ContainerPort{{Name: "http", ContainerPort: 8080}}},
		{Name: "b", Ports: []core.ContainerPort{{Name: "metrics", ContainerPort: 9090}}},
	}}}
	svc := &core.Service{ObjectMeta: meta.ObjectMeta{Name: "web"}, Spec: core.ServiceSpec{Ports: []core.ServicePort{
		{Port: 80, TargetPort: intstr.FromString("http")},
		{Port: 81, TargetPort: intstr.FromInt32(8081)},
		{Port: 82},
		{Port: 83, TargetPort: intstr.FromString("nope")},
	}}}
	tests := []struct {
		name    string
		svc     bool
		specs   []string
		want    []string
		wantErr string
	}{
		{name: "pod numbers", specs: []string{"8080", "1:2", ":3"}, want: []string{"8080", "1:2", ":3"}},
		{name: "pod named ports", specs: []string{"http", "5000:metrics", ":http"}, want: []string{"8080:8080", "5000:9090", ":8080"}},
		{name: "pod unknown name", specs: []string{"grpc"}, wantErr: "Pod 'web-1' does not have a named port 'grpc'"},
		{name: "service named target", svc: true, specs: []string{"80", "5000:80", ":80"}, want: []string{"80:8080", "5000:8080", ":8080"}},
		{name: "service number target", svc: true, specs: []string{"81"}, want: []string{"81:8081"}},
		{name: "service no target: the port", svc: true, specs: []string{"82", "9:82"}, want: []string{"82", "9:82"}},
		{name: "service unknown port", svc: true, specs: []string{"90"}, wantErr: "Service web does not have a service port 90"},
		{name: "service target not in pod", svc: true, specs: []string{"83"}, wantErr: "cannot find containerPort named nope in pod web-1"},
	}
	for _, tc := range tests {
		var got []string
		var err error
		if tc.svc {
			got, err = servicePortsToTargetPorts(tc.specs, svc, pod)
		} else {
			got, err = namedPortsToNumbers(tc.specs, pod)
		}
		if tc.wantErr != "" {
			if err == nil || err.Error() != tc.wantErr {
				t.Errorf("%s: error %v, want %q", tc.name, err, tc.wantErr)
			}
			continue
		}
		if err != nil || !reflect.DeepEqual(got, tc.want) {
			t.Errorf("%s: %q, %v; want %q", tc.name, got, err, tc.want)
		}
	}
}
