package endpointslice

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/tinykube/tinykube/pkg/api/core"
	"github.com/tinykube/tinykube/pkg/api/discovery"
	"github.com/tinykube/tinykube/pkg/api/intstr"
	"github.com/tinykube/tinykube/pkg/api/meta"
)

var httpPort = core.ServicePort{Name: "http", Port: 80, Protocol: core.ProtocolTCP, TargetPort: intstr.FromString("http")}

func namedPort(n int32) core.ContainerPort {
	return core.ContainerPort{Name: "http", ContainerPort: n, Protocol: core.ProtocolTCP}
}

// TestSlicesFollowPods: a service's slices list its pods with their
// conditions as pods become ready, unready, terminating and go; pods
// whose named port resolves to another number get a slice of their own;
// metadata is Kubernetes' (generateName, labels, owner); a slice deleted
// by hand comes back.
func TestSlicesFollowPods(t *testing.T) {
	e := newEnv(t, "endpointslice")
	bg := context.Background()
	svc := e.createService("web", httpPort)
	// No pods yet: one placeholder slice with no ports and no endpoints.
	e.waitSlices("web", " | ")

	e.createPod("web", "w1", "10.1.0.1", true, namedPort(8080))
	e.createPod("web", "w2", "10.1.0.2", false, namedPort(8080))
	got := e.waitSlices("web", "http/TCP/8080 | w1=10.1.0.1:true/true/false w2=10.1.0.2:false/false/false")
	s := got[0]
	if !strings.HasPrefix(s.Name, "web-") || len(s.Name) != len("web-")+5 || s.GenerateName != "web-" || s.AddressType != discovery.AddressTypeIPv4 {
		t.Errorf("slice %s generateName %q addressType %q", s.Name, s.GenerateName, s.AddressType)
	}
	if s.Labels[discovery.LabelServiceName] != "web" || s.Labels[discovery.LabelManagedBy] != "endpointslice-controller.k8s.io" ||
		s.Labels["tier"] != "front" {
		t.Errorf("labels %v", s.Labels)
	}
	if ref := s.ControllerRef(); ref == nil || ref.Kind != "Service" || ref.APIVersion != "v1" || ref.UID != svc.UID ||
		ref.BlockOwnerDeletion == nil || !*ref.BlockOwnerDeletion {
		t.Errorf("owner references %+v", s.OwnerReferences)
	}
	for _, ep := range s.Endpoints {
		if ep.NodeName == nil || *ep.NodeName != "n1" || ep.TargetRef.Kind != "Pod" || ep.TargetRef.Namespace != testNS || ep.TargetRef.UID == "" {
			t.Errorf("endpoint %+v", ep)
		}
	}

	e.setReady("w2", true)
	e.waitSlices("web", "http/TCP/8080 | w1=10.1.0.1:true/true/false w2=10.1.0.2:true/true/false")
	e.setReady("w1", false)
	e.waitSlices("web", "http/TCP/8080 | w1=10.1.0.1:false/false/false w2=10.1.0.2:true/true/false")

	// The named port resolves to 9090 on w3: a slice of its own.
	e.createPod("web", "w3", "10.1.0.3", true, namedPort(9090))
	e.waitSlices("web", "http/TCP/8080 | w1=10.1.0.1:false/false/false w2=10.1.0.2:true/true/false\n"+
		"http/TCP/9090 | w3=10.1.0.3:true/true/false")

	// A pod being deleted (on a node, with a grace period) stays, serving
	// but not ready; once gone, it leaves its slice.
	if err := e.cs.CoreV1().Pods(testNS).Delete(bg, "w2", meta.DeleteOptions{GracePeriodSeconds: meta.Ptr(int64(30))}); err != nil {
		t.Fatal(err)
	}
	e.waitSlices("web", "http/TCP/8080 | w1=10.1.0.1:false/false/false w2=10.1.0.2:false/true/true\n"+
		"http/TCP/9090 | w3=10.1.0.3:true/true/false")
	if err := e.cs.CoreV1().Pods(testNS).Delete(bg, "w2", meta.DeleteOptions{GracePeriodSeconds: meta.Ptr(int64(0))}); err != nil {
		t.Fatal(err)
	}
	if err := e.cs.CoreV1().Pods(testNS).Delete(bg, "w3", meta.DeleteOptions{GracePeriodSeconds: meta.Ptr(int64(0))}); err != nil {
		t.Fatal(err)
	}
	got = e.waitSlices("web", "http/TCP/8080 | w1=10.1.0.1:false/false/false")

	// A managed slice deleted by hand is made again.
	if err := e.cs.DiscoveryV1().EndpointSlices(testNS).Delete(bg, got[0].Name, meta.DeleteOptions{}); err != nil {
		t.Fatal(err)
	}
	eventually(t, 20*time.Second, "the slice made again", func() error {
		ss, err := e.slicesOf("web")
		if err != nil {
			return err
		}
		if len(ss) != 1 || ss[0].Name == got[0].Name || summary(ss) != "http/TCP/8080 | w1=10.1.0.1:false/false/false" {
			return fmt.Errorf("slices %v:\n%s", len(ss), summary(ss))
		}
		return nil
	})

	// Labels of the service follow on its slices.
	cur, err := e.cs.CoreV1().Services(testNS).Get(bg, "web", meta.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	cur.Labels["tier"] = "back"
	if _, err := e.cs.CoreV1().Services(testNS).Update(bg, cur, meta.UpdateOptions{}); err != nil {
		t.Fatal(err)
	}
	eventually(t, 20*time.Second, "tier=back on the slice", func() error {
		ss, err := e.slicesOf("web")
		if err != nil || len(ss) != 1 || ss[0].Labels["tier"] != "back" {
			return fmt.Errorf("slices %+v (%v)", ss, err)
		}
		return nil
	})
}

// TestServiceWithoutSelector: the controller makes no slice for a service
// without a selector and leaves the user's slices alone.
func TestServiceWithoutSelector(t *testing.T) {
	e := newEnv(t, "endpointslice")
	bg := context.Background()
	svc := &core.Service{ObjectMeta: meta.ObjectMeta{Name: "ext", Namespace: testNS},
		Spec: core.ServiceSpec{Ports: []core.ServicePort{{Name: "db", Port: 5432, Protocol: core.ProtocolTCP}}}}
	if _, err := e.cs.CoreV1().Services(testNS).Create(bg, svc, meta.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	mine := &discovery.EndpointSlice{ObjectMeta: meta.ObjectMeta{Name: "ext-1", Namespace: testNS,
		Labels: map[string]string{discovery.LabelServiceName: "ext"}},
		AddressType: discovery.AddressTypeIPv4,
		Endpoints:   []discovery.Endpoint{{Addresses: []string{"192.168.1.10"}}},
		Ports:       []discovery.EndpointPort{{Name: meta.Ptr("db"), Port: meta.Ptr(int32(5432)), Protocol: meta.Ptr(core.ProtocolTCP)}}}
	if _, err := e.cs.DiscoveryV1().EndpointSlices(testNS).Create(bg, mine, meta.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	// A service with a selector, synced after ext, proves the controller
	// has worked through its queue.
	e.createService("probe", httpPort)
	e.waitSlices("probe", " | ")
	ss, err := e.slicesOf("ext")
	if err != nil {
		t.Fatal(err)
	}
	if len(ss) != 1 || ss[0].Name != "ext-1" || summary(ss) != "db/TCP/5432 | -=192.168.1.10:false/false/false" {
		t.Fatalf("slices of ext: %d\n%s", len(ss), summary(ss))
	}
}

// TestSlicesSplitAndGarbageCollection: 250 pods fill three slices of at
// most 100 endpoints; with the garbage collector running, deleting the
// service deletes them.
func TestSlicesSplitAndGarbageCollection(t *testing.T) {
	e := newEnv(t, "endpointslice", "garbagecollector")
	bg := context.Background()
	e.createService("big", core.ServicePort{Name: "http", Port: 80, Protocol: core.ProtocolTCP, TargetPort: intstr.FromInt32(8080)})
	const n = 250
	for i := range n {
		e.createPod("big", fmt.Sprintf("big-%03d", i), fmt.Sprintf("10.2.%d.%d", i/200, i%200+1), true)
	}
	eventually(t, 60*time.Second, "250 endpoints in slices of 100, 100 and 50", func() error {
		ss, err := e.slicesOf("big")
		if err != nil {
			return err
		}
		var sizes []int
		total, seen := 0, map[string]bool{}
		for _, s := range ss {
			sizes = append(sizes, len(s.Endpoints))
			for _, ep := range s.Endpoints {
				if seen[ep.TargetRef.Name] {
					return fmt.Errorf("%s in two slices", ep.TargetRef.Name)
				}
				seen[ep.TargetRef.Name] = true
				total++
			}
			if len(s.Endpoints) > 100 {
				return fmt.Errorf("slice %s has %d endpoints", s.Name, len(s.Endpoints))
			}
		}
		if total != n || len(ss) != 3 {
			return fmt.Errorf("%d endpoints in %d slices %v", total, len(ss), sizes)
		}
		return nil
	})

	if err := e.cs.CoreV1().Services(testNS).Delete(bg, "big", meta.DeleteOptions{}); err != nil {
		t.Fatal(err)
	}
	eventually(t, 60*time.Second, "the garbage collector deleting the slices", func() error {
		ss, err := e.slicesOf("big")
		if err != nil {
			return err
		}
		if len(ss) != 0 {
			return fmt.Errorf("%d slices left", len(ss))
		}
		return nil
	})
}

// TestKubernetesServiceSlice: the apiserver keeps the EndpointSlice
// default/kubernetes beside the kubernetes Endpoints, as Kubernetes does.
func TestKubernetesServiceSlice(t *testing.T) {
	e := newEnv(t, "endpointslice")
	bg := context.Background()
	eventually(t, 20*time.Second, "the kubernetes EndpointSlice", func() error {
		ep, err := e.cs.CoreV1().Endpoints("default").Get(bg, "kubernetes", meta.GetOptions{})
		if err != nil {
			return err
		}
		s, err := e.cs.DiscoveryV1().EndpointSlices("default").Get(bg, "kubernetes", meta.GetOptions{})
		if err != nil {
			return err
		}
		if len(ep.Subsets) != 1 || len(ep.Subsets[0].Addresses) != 1 {
			return fmt.Errorf("endpoints %+v", ep.Subsets)
		}
		want := fmt.Sprintf("%s/TCP/%d | -=%s:true/false/false", ep.Subsets[0].Ports[0].Name, ep.Subsets[0].Ports[0].Port,
			ep.Subsets[0].Addresses[0].IP)
		if got := summary([]discovery.EndpointSlice{*s}); got != want || s.Labels[discovery.LabelServiceName] != "kubernetes" {
			return fmt.Errorf("slice %s (labels %v), want %s", got, s.Labels, want)
		}
		return nil
	})
}
