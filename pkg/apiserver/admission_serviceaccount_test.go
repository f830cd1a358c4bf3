package apiserver

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/tinykube/tinykube/pkg/api/core"
	"github.com/tinykube/tinykube/pkg/api/meta"
)

func TestAdmitServiceAccount(t *testing.T) {
	for _, tc := range []struct {
		name                 string
		annotations          map[string]string
		saName, deprecated   string
		wantName, wantDeprec string
	}{
		{"none named runs as default", nil, "", "", "default", "default"},
		{"named kept", nil, "builder", "", "builder", "builder"},
		{"deprecated field only", nil, "", "legacy", "legacy", "legacy"},
		{"both set kept", nil, "builder", "builder", "builder", "builder"},
		{"mirror pod left alone", map[string]string{mirrorPodAnnotation: "abc"}, "", "", "", ""},
	} {
		p := &core.Pod{ObjectMeta: meta.ObjectMeta{Name: "p", Namespace: "ns", Annotations: tc.annotations},
			Spec: core.PodSpec{ServiceAccountName: tc.saName, DeprecatedServiceAccount: tc.deprecated}}
		admitServiceAccount(p)
		if p.Spec.ServiceAccountName != tc.wantName || p.Spec.DeprecatedServiceAccount != tc.wantDeprec {
			t.Errorf("%s: serviceAccountName %q serviceAccount %q, want %q %q", tc.name,
				p.Spec.ServiceAccountName, p.Spec.DeprecatedServiceAccount, tc.wantName, tc.wantDeprec)
		}
	}
}

func TestShouldAutomount(t *testing.T) {
	yes, no := meta.Ptr(true), meta.Ptr(false)
	for _, tc := range []struct {
		name       string
		sa         *core.ServiceAccount
		pod        *bool
		wantMounts bool
	}{
		{"no account, pod silent", nil, nil, true},
		{"account silent, pod silent", &core.ServiceAccount{}, nil, true},
		{"account opts out", &core.ServiceAccount{AutomountServiceAccountToken: no}, nil, false},
		{"account opts in", &core.ServiceAccount{AutomountServiceAccountToken: yes}, nil, true},
		{"pod opts out", &core.ServiceAccount{AutomountServiceAccountToken: yes}, no, false},
		{"pod opts in over the account", &core.ServiceAccount{AutomountServiceAccountToken: no}, yes, true},
	} {
		pod := &core.Pod{Spec: core.PodSpec{AutomountServiceAccountToken: tc.pod}}
		if got := shouldAutomount(tc.sa, pod); got != tc.wantMounts {
			t.Errorf("%s: %v, want %v", tc.name, got, tc.wantMounts)
		}
	}
}

func TestMountServiceAccountToken(t *testing.T) {
	const path = core.DefaultAPITokenMountPath
	own := core.VolumeMount{Name: "mine", MountPath: path}
	other := core.VolumeMount{Name: "data", MountPath: "/data"}
	for _, tc := range []struct {
		name           string
		volumes        []string
		init, main     [][]core.VolumeMount
		wantVolume     string // the api access volume's name, "" none added
		wantInit, want []string
	}{
		{name: "every container gets it", init: [][]core.VolumeMount{nil}, main: [][]core.VolumeMount{{other}, nil},
			wantVolume: "kube-api-access-abcde", wantInit: []string{"kube-api-access-abcde"},
			want: []string{"data,kube-api-access-abcde", "kube-api-access-abcde"}},
		{name: "a container mounting the path keeps its own", main: [][]core.VolumeMount{{own}, nil},
			wantVolume: "kube-api-access-abcde", want: []string{"mine", "kube-api-access-abcde"}},
		{name: "all mount the path: no volume", init: [][]core.VolumeMount{{own}}, main: [][]core.VolumeMount{{own}},
			wantInit: []string{"mine"}, want: []string{"mine"}},
		{name: "an existing api access volume is reused", volumes: []string{"kube-api-access-zzzzz"}, main: [][]core.VolumeMount{nil},
			want: []string{"kube-api-access-zzzzz"}},
	} {
		pod := &core.Pod{}
		for _, v := range tc.volumes {
			pod.Spec.Volumes = append(pod.Spec.Volumes, core.Volume{Name: v})
		}
		for i, m := range tc.init {
			pod.Spec.InitContainers = append(pod.Spec.InitContainers, core.Container{Name: fmt.Sprint("i", i), VolumeMounts: m})
		}
		for i, m := range tc.main {
			pod.Spec.Containers = append(pod.Spec.Containers, core.Container{Name: fmt.Sprint("c", i), VolumeMounts: m})
		}
		mountServiceAccountToken(pod, "kube-api-access-abcde")
		names := func(cs []core.Container) []string {
			var out []string
			for _, c := range cs {
				var ns []string
				for _, m := range c.VolumeMounts {
					if m.MountPath == path && (!m.ReadOnly && m.Name != "mine") {
						t.Errorf("%s: %s's mount %s is not read-only", tc.name, c.Name, m.Name)
					}
					ns = append(ns, m.Name)
				}
				out = append(out, strings.Join(ns, ","))
			}
			return out
		}
		if got := names(pod.Spec.InitContainers); !slices.Equal(got, tc.wantInit) {
			t.Errorf("%s: init container mounts %q, want %q", tc.name, got, tc.wantInit)
		}
		if got := names(pod.Spec.Containers); !slices.Equal(got, tc.want) {
			t.Errorf("%s: container mounts %q, want %q", tc.name, got, tc.want)
		}
		added := pod.Spec.Volumes[len(tc.volumes):]
		switch {
		case tc.wantVolume == "" && len(added) > 0:
			t.Errorf("%s: added volumes %v", tc.name, added)
		case tc.wantVolume != "" && (len(added) != 1 || added[0].Name != tc.wantVolume || added[0].Projected == nil):
			t.Errorf("%s: added volumes %v, want projected %s", tc.name, added, tc.wantVolume)
		}
	}
}

// TestAPIAccessVolumeSource pins the volume to Kubernetes' JSON.
func TestAPIAccessVolumeSource(t *testing.T) {
	got, err := json.Marshal(apiAccessVolumeSource())
	if err != nil {
		t.Fatal(err)
	}
	want := `{"sources":[{"serviceAccountToken":{"expirationSeconds":3607,"path":"token"}},` +
		`{"configMap":{"name":"kube-root-ca.crt","items":[{"key":"ca.crt","path":"ca.crt"}]}},` +
		`{"downwardAPI":{"items":[{"path":"namespace","fieldRef":{"apiVersion":"v1","fieldPath":"metadata.namespace"}}]}}],"defaultMode":420}`
	if string(got) != want {
		t.Errorf("volume source\n%s\nwant\n%s", got, want)
	}
}
