package controller

import (
	"github.com/tinykube/tinykube/pkg/api/core"
	"github.com/tinykube/tinykube/pkg/api/labels"
	"github.com/tinykube/tinykube/pkg/client/cache"
)

// ServicesSelectingPod returns the keys of the services in p's namespace
// whose selector matches p's labels (services without a selector select
// nothing). The endpoints and endpointslice controllers queue them when a
// pod changes.
func ServicesSelectingPod(svcLister cache.Lister[*core.Service], p *core.Pod) []string {
	svcs, _ := svcLister.ByNamespace(p.Namespace).List(nil)
	var keys []string
	for _, s := range svcs {
		if len(s.Spec.Selector) > 0 && labels.SelectorFromSet(s.Spec.Selector).Matches(labels.Set(p.Labels)) {
			keys = append(keys, s.GetObjectMeta().Key())
		}
	}
	return keys
}
