package kubelet

import (
	"testing"

	"github.com/tinykube/tinykube/pkg/api/core"
)

func TestWithoutAPIAccessMount(t *testing.T) {
	api := core.VolumeMount{Name: core.APIAccessVolumePrefix + "x7k2p", MountPath: core.DefaultAPITokenMountPath, ReadOnly: true}
	data := core.VolumeMount{Name: "data", MountPath: "/data"}
	// A volume of the user's that only shares the prefix, or mounts the
	// same volume elsewhere, is the user's mount and is kept.
	lookalike := core.VolumeMount{Name: core.APIAccessVolumePrefix + "mine", MountPath: "/creds"}
	cases := []struct {
		name string
		in   []core.VolumeMount
		want []string
	}{
		{"only the API access mount", []core.VolumeMount{api}, nil},
		{"with a user mount", []core.VolumeMount{data, api}, []string{"/data"}},
		{"a look-alike elsewhere is kept", []core.VolumeMount{lookalike, api}, []string{"/creds"}},
		{"none", nil, nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got := withoutAPIAccessMount(tc.in)
			var paths []string
			for _, vm := range got {
				paths = append(paths, vm.MountPath)
			}
			if len(paths) != len(tc.want) {
				t.Fatalf("got %v, want %v", paths, tc.want)
			}
			for i := range paths {
				if paths[i] != tc.want[i] {
					t.Fatalf("got %v, want %v", paths, tc.want)
				}
			}
		})
	}
}
