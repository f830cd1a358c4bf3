package controller

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/tinykube/tinykube/pkg/api/core"
	apierrors "github.com/tinykube/tinykube/pkg/api/errors"
	"github.com/tinykube/tinykube/pkg/api/meta"
)

// waitServiceAccount waits until ns holds a ServiceAccount named name and
// returns it.
func (e *env) waitServiceAccount(ns, name string) *core.ServiceAccount {
	e.t.Helper()
	var sa *core.ServiceAccount
	eventually(e.t, 20*time.Second, "service account "+ns+"/"+name, func() error {
		got, err := e.cs.CoreV1().ServiceAccounts(ns).Get(context.Background(), name, meta.GetOptions{})
		if err != nil {
			return err
		}
		sa = got
		return nil
	})
	return sa
}

// TestServiceAccountControllerDefaultAccount: every namespace, the system
// ones and one created later, gets a ServiceAccount "default"; deleting it
// brings a new one back.
func TestServiceAccountControllerDefaultAccount(t *testing.T) {
	e := newEnv(t)
	e.startManager(nil, "serviceaccount")
	bg := context.Background()
	for _, ns := range []string{"default", "kube-system", testNS} {
		e.waitServiceAccount(ns, "default")
	}
	e.createNamespace("team")
	first := e.waitServiceAccount("team", "default")
	if err := e.cs.CoreV1().ServiceAccounts("team").Delete(bg, "default", meta.DeleteOptions{}); err != nil {
		t.Fatalf("delete default: %v", err)
	}
	eventually(t, 20*time.Second, "a new default service account", func() error {
		got, err := e.cs.CoreV1().ServiceAccounts("team").Get(bg, "default", meta.GetOptions{})
		if err != nil {
			return err
		}
		if got.UID == first.UID {
			return fmt.Errorf("still the deleted one (uid %s)", got.UID)
		}
		return nil
	})
	// Other accounts are left alone: deleting one does not bring it back.
	if _, err := e.cs.CoreV1().ServiceAccounts("team").Create(bg, &core.ServiceAccount{
		ObjectMeta: meta.ObjectMeta{Name: "builder", Namespace: "team"}}, meta.CreateOptions{}); err != nil {
		t.Fatalf("create builder: %v", err)
	}
	if err := e.cs.CoreV1().ServiceAccounts("team").Delete(bg, "builder", meta.DeleteOptions{}); err != nil {
		t.Fatalf("delete builder: %v", err)
	}
	e.createNamespace("marker") // the controller is working: it answers a later namespace
	e.waitServiceAccount("marker", "default")
	if _, err := e.cs.CoreV1().ServiceAccounts("team").Get(bg, "builder", meta.GetOptions{}); !apierrors.IsNotFound(err) {
		t.Errorf("builder: %v, want NotFound", err)
	}
}

// TestServiceAccountControllerSkipsTerminatingNamespace: a namespace being
// deleted gets no default account, and the namespace controller deletes the
// one it had along with the namespace.
func TestServiceAccountControllerSkipsTerminatingNamespace(t *testing.T) {
	e := newEnv(t)
	bg := context.Background()
	// No namespace controller yet: a deleted namespace stays Terminating.
	e.createNamespace("leaving")
	if err := e.cs.CoreV1().Namespaces().Delete(bg, "leaving", meta.DeleteOptions{}); err != nil {
		t.Fatal(err)
	}
	got, err := e.cs.CoreV1().Namespaces().Get(bg, "leaving", meta.GetOptions{})
	if err != nil || got.Status.Phase != core.NamespaceTerminating {
		t.Fatalf("deleted namespace: %v %v, want Terminating", got, err)
	}
	e.startManager(nil, "serviceaccount")
	e.createNamespace("marker") // synced once marker has its account
	e.waitServiceAccount("marker", "default")
	e.waitServiceAccount(testNS, "default")
	if l, err := e.cs.CoreV1().ServiceAccounts("leaving").List(bg, meta.ListOptions{}); err != nil || len(l.Items) != 0 {
		t.Fatalf("service accounts in the terminating namespace: %v %v", l, err)
	}

	// With the namespace controller running too, a namespace that had its
	// default account is emptied and goes away.
	e.startManager(nil, "namespace")
	eventually(t, 30*time.Second, "terminating namespace gone", func() error {
		if _, err := e.cs.CoreV1().Namespaces().Get(bg, "leaving", meta.GetOptions{}); !apierrors.IsNotFound(err) {
			return fmt.Errorf("namespace still there (%v)", err)
		}
		return nil
	})
	if err := e.cs.CoreV1().Namespaces().Delete(bg, "marker", meta.DeleteOptions{}); err != nil {
		t.Fatal(err)
	}
	eventually(t, 30*time.Second, "namespace with a default account gone", func() error {
		if _, err := e.cs.CoreV1().Namespaces().Get(bg, "marker", meta.GetOptions{}); !apierrors.IsNotFound(err) {
			return fmt.Errorf("namespace still there (%v)", err)
		}
		return nil
	})
	if l, err := e.cs.CoreV1().ServiceAccounts("marker").List(bg, meta.ListOptions{}); err != nil || len(l.Items) != 0 {
		t.Errorf("service accounts left in the deleted namespace: %v %v", l, err)
	}
}
