package ctl

import (
	"testing"

	"github.com/tinykube/tinykube/pkg/api/core"
	"github.com/tinykube/tinykube/pkg/api/meta"
)

func TestAttachTTY(t *testing.T) {
	for _, tc := range []struct {
		requested, containerTTY bool
		want                    bool
		warning                 string
	}{
		{false, false, false, ""},
		{true, false, false, "error: Unable to use a TTY - container c did not allocate one"},
		{true, true, true, ""},
		{false, true, true, ""}, // forced, as kubectl does
	} {
		tty, warning := attachTTY(tc.requested, &core.Container{Name: "c", TTY: tc.containerTTY})
		if tty != tc.want || warning != tc.warning {
			t.Errorf("requested %v, container tty %v: %v %q, want %v %q", tc.requested, tc.containerTTY, tty, warning, tc.want, tc.warning)
		}
	}
}

func TestAttachContainer(t *testing.T) {
	pod := &core.Pod{ObjectMeta: meta.ObjectMeta{Name: "p"}, Spec: core.PodSpec{
		InitContainers: []core.Container{{Name: "init"}},
		Containers:     []core.Container{{Name: "main"}, {Name: "side"}}}}
	for _, tc := range []struct {
		pod        *core.Pod
		name, want string
		note, err  string
	}{
		{pod, "", "main", `Defaulted container "main" out of: main, side`, ""},
		{pod, "side", "side", "", ""},
		{pod, "init", "init", "", ""},
		{pod, "nope", "", "", "cannot attach to the container: container nope not found in pod p"},
		{&core.Pod{ObjectMeta: meta.ObjectMeta{Name: "one"}, Spec: core.PodSpec{Containers: []core.Container{{Name: "only"}}}}, "", "only", "", ""},
	} {
		c, note, err := attachContainer(tc.pod, tc.name)
		switch {
		case tc.err != "":
			if err == nil || err.Error() != tc.err {
				t.Errorf("%q: error %v, want %q", tc.name, err, tc.err)
			}
		case err != nil || c.Name != tc.want || note != tc.note:
			t.Errorf("%q: %v %q %v, want %s %q", tc.name, c, note, err, tc.want, tc.note)
		}
	}
}
