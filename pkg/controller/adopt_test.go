package controller

import (
	"slices"
	"testing"
	"time"

	"github.com/tinykube/tinykube/pkg/api/apps"
	"github.com/tinykube/tinykube/pkg/api/meta"
)

func TestSelectingOwners(t *testing.T) {
	deleted := meta.NewTime(time.Unix(100, 0))
	owner := func(name string, sel *meta.LabelSelector) *apps.ReplicaSet {
		return &apps.ReplicaSet{ObjectMeta: meta.ObjectMeta{Namespace: "ns", Name: name}, Spec: apps.ReplicaSetSpec{Selector: sel}}
	}
	matchLabels := func(kv ...string) *meta.LabelSelector {
		m := map[string]string{}
		for i := 0; i < len(kv); i += 2 {
			m[kv[i]] = kv[i+1]
		}
		return &meta.LabelSelector{MatchLabels: m}
	}
	deleting := owner("deleting", matchLabels("app", "x"))
	deleting.DeletionTimestamp = &deleted
	owners := []*apps.ReplicaSet{
		owner("app-x", matchLabels("app", "x")),
		owner("app-x-tier-y", matchLabels("app", "x", "tier", "y")),
		owner("app-in-x-z", &meta.LabelSelector{MatchExpressions: []meta.LabelSelectorRequirement{
			{Key: "app", Operator: meta.LabelSelectorOpIn, Values: []string{"x", "z"}}}}),
		owner("no-tier", &meta.LabelSelector{MatchLabels: map[string]string{"app": "x"}, MatchExpressions: []meta.LabelSelectorRequirement{
			{Key: "tier", Operator: meta.LabelSelectorOpDoesNotExist}}}),
		owner("nil-selector", nil),
		owner("empty-selector", &meta.LabelSelector{}),
		owner("invalid-selector", &meta.LabelSelector{MatchExpressions: []meta.LabelSelectorRequirement{
			{Key: "app", Operator: "Resembles", Values: []string{"x"}}}}),
		deleting,
	}
	cases := []struct {
		name   string
		labels map[string]string
		want   []string
	}{
		{"no labels", nil, nil},
		{"app=x", map[string]string{"app": "x"}, []string{"app-x", "app-in-x-z", "no-tier"}},
		{"app=x,tier=y", map[string]string{"app": "x", "tier": "y"}, []string{"app-x", "app-x-tier-y", "app-in-x-z"}},
		{"app=z", map[string]string{"app": "z"}, []string{"app-in-x-z"}},
		{"app=other", map[string]string{"app": "other"}, nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var got []string
			for _, o := range SelectingOwners(owners, rsSelector, tc.labels) {
				got = append(got, o.Name)
			}
			if !slices.Equal(got, tc.want) {
				t.Fatalf("got %v, want %v", got, tc.want)
			}
		})
	}
}

func TestAdopterKeys(t *testing.T) {
	lister := rsLister(t,
		&apps.ReplicaSet{ObjectMeta: meta.ObjectMeta{Namespace: "ns", Name: "a"},
			Spec: apps.ReplicaSetSpec{Selector: &meta.LabelSelector{MatchLabels: map[string]string{"app": "x"}}}},
		&apps.ReplicaSet{ObjectMeta: meta.ObjectMeta{Namespace: "other", Name: "b"},
			Spec: apps.ReplicaSetSpec{Selector: &meta.LabelSelector{MatchLabels: map[string]string{"app": "x"}}}},
	)
	p := controlledPod("ns", "p", nil)
	p.Labels = map[string]string{"app": "x"}
	if got := AdopterKeys(lister, rsSelector, p); !slices.Equal(got, []string{"ns/a"}) {
		t.Fatalf("AdopterKeys = %v, want [ns/a]", got)
	}
	p.Namespace = "empty"
	if got := AdopterKeys(lister, rsSelector, p); len(got) != 0 {
		t.Fatalf("AdopterKeys in a namespace without owners = %v, want none", got)
	}
}
