package rootcacertpublisher

import (
	"maps"
	"testing"
	"time"

	"github.com/tinykube/tinykube/pkg/api/core"
	"github.com/tinykube/tinykube/pkg/api/meta"
)

const ca = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n"

func TestDecide(t *testing.T) {
	active := &core.Namespace{ObjectMeta: meta.ObjectMeta{Name: "team"}, Status: core.NamespaceStatus{Phase: core.NamespaceActive}}
	terminating := &core.Namespace{ObjectMeta: meta.ObjectMeta{Name: "team"}, Status: core.NamespaceStatus{Phase: core.NamespaceTerminating}}
	good := Desired("team", nil, ca)
	withLabels := meta.DeepCopy(good)
	withLabels.Labels = map[string]string{"keep": "me"}
	otherCA := Desired("team", nil, "other")
	extraKey := meta.DeepCopy(good)
	extraKey.Data["more"] = "x"
	binary := meta.DeepCopy(good)
	binary.BinaryData = map[string][]byte{"b": {1}}
	noDescription := meta.DeepCopy(good)
	noDescription.Annotations = nil
	deleting := meta.DeepCopy(otherCA)
	deleting.DeletionTimestamp = meta.Ptr(meta.NewTime(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)))
	for _, tc := range []struct {
		name string
		ns   *core.Namespace
		cm   *core.ConfigMap
		want Action
	}{
		{"missing in an active namespace", active, nil, ActionCreate},
		{"as wanted", active, good, ActionNone},
		{"other labels are kept as they are", active, withLabels, ActionNone},
		{"another CA", active, otherCA, ActionUpdate},
		{"an extra key", active, extraKey, ActionUpdate},
		{"binary data", active, binary, ActionUpdate},
		{"description removed", active, noDescription, ActionUpdate},
		{"being deleted", active, deleting, ActionNone},
		{"terminating namespace", terminating, nil, ActionNone},
		{"no namespace", nil, nil, ActionNone},
	} {
		if got := Decide(tc.ns, tc.cm, ca); got != tc.want {
			t.Errorf("%s: %v, want %v", tc.name, got, tc.want)
		}
	}
}

func TestDesired(t *testing.T) {
	cm := &core.ConfigMap{ObjectMeta: meta.ObjectMeta{Name: core.RootCACertConfigMapName, Namespace: "team", ResourceVersion: "7",
		Labels: map[string]string{"a": "b"}, Annotations: map[string]string{"x": "y"}},
		Data: map[string]string{"ca.crt": "old", "junk": "1"}, BinaryData: map[string][]byte{"b": {1}}}
	before := meta.DeepCopy(cm)
	got := Desired("team", cm, ca)
	if got.ResourceVersion != "7" || got.Labels["a"] != "b" || got.Annotations["x"] != "y" ||
		got.Annotations[DescriptionAnnotation] != Description || !maps.Equal(got.Data, map[string]string{"ca.crt": ca}) || got.BinaryData != nil {
		t.Errorf("desired %+v", got)
	}
	if cm.Annotations[DescriptionAnnotation] != "" || !maps.Equal(cm.Data, before.Data) {
		t.Errorf("the cached configmap was changed: %+v", cm)
	}
	if n := Desired("team", nil, ca); n.Name != core.RootCACertConfigMapName || n.Namespace != "team" || Decide(
		&core.Namespace{Status: core.NamespaceStatus{Phase: core.NamespaceActive}}, n, ca) != ActionNone {
		t.Errorf("new configmap %+v", n)
	}
}
