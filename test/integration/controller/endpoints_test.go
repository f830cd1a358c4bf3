package controller

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/tinykube/tinykube/pkg/api/core"
	apierrors "github.com/tinykube/tinykube/pkg/api/errors"
	"github.com/tinykube/tinykube/pkg/api/intstr"
	"github.com/tinykube/tinykube/pkg/api/meta"
)

func TestEndpointsFollowPodReadiness(t *testing.T) {
	e := newEnv(t)
	e.startManager(nil, "endpoints")
	bg := context.Background()
	lbl := map[string]string{"app": "web"}
	svc := &core.Service{ObjectMeta: meta.ObjectMeta{Name: "web", Namespace: testNS},
		Spec: core.ServiceSpec{Selector: lbl, Ports: []core.ServicePort{{Name: "http", Port: 80, TargetPort: intstr.FromString("http")}}}}
	if _, err := e.cs.CoreV1().Services(testNS).Create(bg, svc, meta.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"w1", "w2"} {
		p := &core.Pod{ObjectMeta: meta.ObjectMeta{Name: name, Namespace: testNS, Labels: lbl}, Spec: podTemplate(lbl).Spec}
		p.Spec.Containers[0].Ports = []core.ContainerPort{{Name: "http", ContainerPort: 8080, Protocol: core.ProtocolTCP}}
		if _, err := e.cs.CoreV1().Pods(testNS).Create(bg, p, meta.CreateOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	// w1 ready, w2 running but not ready.
	for name, ready := range map[string]bool{"w1": true, "w2": false} {
		p, err := e.cs.CoreV1().Pods(testNS).Get(bg, name, meta.GetOptions{})
		if err != nil {
			t.Fatal(err)
		}
		ip := map[string]string{"w1": "10.2.0.1", "w2": "10.2.0.2"}[name]
		if ready {
			err = e.markReady(p, ip)
		} else {
			p.Status.Phase, p.Status.PodIP = core.PodRunning, ip
			_, err = e.cs.CoreV1().Pods(testNS).UpdateStatus(bg, p, meta.UpdateOptions{})
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	check := func(ready, notReady string) {
		t.Helper()
		eventually(t, 20*time.Second, "endpoints "+ready+" / "+notReady, func() error {
			ep, err := e.cs.CoreV1().Endpoints(testNS).Get(bg, "web", meta.GetOptions{})
			if err != nil {
				return err
			}
			var r, nr string
			for _, s := range ep.Subsets {
				if len(s.Ports) != 1 || s.Ports[0].Port != 8080 || s.Ports[0].Name != "http" {
					return fmt.Errorf("ports %+v", s.Ports)
				}
				for _, a := range s.Addresses {
					r += a.IP + " "
				}
				for _, a := range s.NotReadyAddresses {
					nr += a.IP + " "
				}
			}
			if r != ready || nr != notReady {
				return fmt.Errorf("ready %q not ready %q", r, nr)
			}
			return nil
		})
	}
	check("10.2.0.1 ", "10.2.0.2 ")
	if err := e.cs.CoreV1().Pods(testNS).Delete(bg, "w1", meta.DeleteOptions{}); err != nil {
		t.Fatal(err)
	}
	check("", "10.2.0.2 ")
	// Endpoints deleted by hand come back.
	if err := e.cs.CoreV1().Endpoints(testNS).Delete(bg, "web", meta.DeleteOptions{}); err != nil {
		t.Fatal(err)
	}
	check("", "10.2.0.2 ")
	if err := e.cs.CoreV1().Services(testNS).Delete(bg, "web", meta.DeleteOptions{}); err != nil {
		t.Fatal(err)
	}
	eventually(t, 20*time.Second, "endpoints deleted with the service", func() error {
		if _, err := e.cs.CoreV1().Endpoints(testNS).Get(bg, "web", meta.GetOptions{}); !apierrors.IsNotFound(err) {
			return fmt.Errorf("still there (%v)", err)
		}
		return nil
	})
}
