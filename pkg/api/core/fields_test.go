package core

import (
	"maps"
	"testing"

	"github.com/tinykube/tinykube/pkg/api/fields"
	"github.com/tinykube/tinykube/pkg/api/meta"
)

func TestPodFieldsMatchPodFieldsSet(t *testing.T) {
	pods := []*Pod{
		{},
		{ObjectMeta: meta.ObjectMeta{Name: "a", Namespace: "ns"},
			Spec: PodSpec{NodeName: "n1", RestartPolicy: RestartPolicyAlways, SchedulerName: "default-scheduler",
				ServiceAccountName: "sa", HostNetwork: true},
			Status: PodStatus{Phase: PodRunning, PodIP: "10.0.0.1", NominatedNodeName: "n2"}},
		{Status: PodStatus{PodIP: "10.0.0.1", PodIPs: []PodIP{{IP: "10.0.0.2"}}}},
	}
	for _, p := range pods {
		set := PodFieldsSet(p)
		want := fields.Set{
			"metadata.name": p.Name, "metadata.namespace": p.Namespace, "spec.nodeName": p.Spec.NodeName,
			"spec.restartPolicy": string(p.Spec.RestartPolicy), "spec.schedulerName": p.Spec.SchedulerName,
			"spec.serviceAccountName": p.Spec.ServiceAccountName, "spec.hostNetwork": boolString(p.Spec.HostNetwork),
			"status.phase": string(p.Status.Phase), "status.podIP": p.Status.PodIP,
			"status.nominatedNodeName": p.Status.NominatedNodeName,
		}
		if len(p.Status.PodIPs) > 0 {
			want["status.podIP"] = p.Status.PodIPs[0].IP
		}
		if !maps.Equal(set, want) {
			t.Errorf("PodFieldsSet = %v, want %v", set, want)
		}
		pf := (*PodFields)(p)
		for k, v := range set {
			if !pf.Has(k) || pf.Get(k) != v {
				t.Errorf("PodFields %s: Has %v Get %q, want %q", k, pf.Has(k), pf.Get(k), v)
			}
		}
		if pf.Has("spec.bogus") || pf.Get("spec.bogus") != "" {
			t.Errorf("PodFields has spec.bogus")
		}
	}
}

func TestPodFieldsMatchesWithoutAllocating(t *testing.T) {
	p := &Pod{Spec: PodSpec{NodeName: "n1"}}
	sel, err := fields.Parse("spec.nodeName!=,status.phase!=Failed")
	if err != nil {
		t.Fatal(err)
	}
	if n := testing.AllocsPerRun(100, func() {
		if !sel.Matches((*PodFields)(p)) {
			t.Fatal("no match")
		}
	}); n != 0 {
		t.Errorf("%v allocations per match, want 0", n)
	}
}
