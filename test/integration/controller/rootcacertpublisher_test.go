package controller

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/tinykube/tinykube/pkg/api/core"
	"github.com/tinykube/tinykube/pkg/api/meta"
	"github.com/tinykube/tinykube/pkg/controller/certificates/rootcacertpublisher"
	"github.com/tinykube/tinykube/pkg/controller/manager"
)

// TestRootCACertPublisher: every namespace, the system ones and one created
// later, gets kube-root-ca.crt with the controller-manager's CA; a deleted
// one is made again and a changed one put back.
func TestRootCACertPublisher(t *testing.T) {
	const ca = "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n"
	e := newEnv(t)
	e.startManager(func(o *manager.Options) { o.RootCA = []byte(ca) }, rootcacertpublisher.Name)
	bg := context.Background()
	published := func(ns string) *core.ConfigMap {
		t.Helper()
		var cm *core.ConfigMap
		eventually(t, 20*time.Second, "kube-root-ca.crt in "+ns, func() error {
			got, err := e.cs.CoreV1().ConfigMaps(ns).Get(bg, core.RootCACertConfigMapName, meta.GetOptions{})
			if err != nil {
				return err
			}
			if len(got.Data) != 1 || got.Data["ca.crt"] != ca || got.Annotations[rootcacertpublisher.DescriptionAnnotation] == "" {
				return fmt.Errorf("data %v annotations %v", got.Data, got.Annotations)
			}
			cm = got
			return nil
		})
		return cm
	}
	for _, ns := range []string{"default", "kube-system", "kube-public", testNS} {
		published(ns)
	}
	e.createNamespace("team")
	first := published("team")
	if err := e.cs.CoreV1().ConfigMaps("team").Delete(bg, core.RootCACertConfigMapName, meta.DeleteOptions{}); err != nil {
		t.Fatal(err)
	}
	eventually(t, 20*time.Second, "a new kube-root-ca.crt", func() error {
		got, err := e.cs.CoreV1().ConfigMaps("team").Get(bg, core.RootCACertConfigMapName, meta.GetOptions{})
		if err != nil {
			return err
		}
		if got.UID == first.UID {
			return fmt.Errorf("still the deleted one")
		}
		return nil
	})
	cm := published("team")
	cm.Data = map[string]string{"ca.crt": "forged", "extra": "x"}
	if _, err := e.cs.CoreV1().ConfigMaps("team").Update(bg, cm, meta.UpdateOptions{}); err != nil {
		t.Fatal(err)
	}
	published("team")
}

// TestRootCACertPublisherNoCA: without a CA the controller publishes
// nothing (and the others run).
func TestRootCACertPublisherNoCA(t *testing.T) {
	e := newEnv(t)
	e.startManager(nil, rootcacertpublisher.Name, "serviceaccount")
	e.waitServiceAccount(testNS, "default")
	if l, err := e.cs.CoreV1().ConfigMaps("").List(context.Background(), meta.ListOptions{}); err != nil || len(l.Items) != 0 {
		t.Fatalf("configmaps: %v %v, want none", l, err)
	}
}
