package apiserver

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/tinykube/tinykube/pkg/api/core"
	"github.com/tinykube/tinykube/pkg/api/meta"
	"github.com/tinykube/tinykube/pkg/api/policy"
	"github.com/tinykube/tinykube/pkg/client/clientset"
	"github.com/tinykube/tinykube/pkg/client/rest"
)

const pdbPath = "/apis/policy/v1/namespaces/default/poddisruptionbudgets"

func pdbBody(name string, spec map[string]any) map[string]any {
	return map[string]any{"apiVersion": "policy/v1", "kind": "PodDisruptionBudget",
		"metadata": map[string]any{"name": name}, "spec": spec}
}

// TestPodDisruptionBudgetAPI: CRUD of policy/v1 budgets over the paths
// kubectl uses, the status subresource and generation, validation (422
// with causes), the Table columns and discovery.
func TestPodDisruptionBudgetAPI(t *testing.T) {
	c := newClient(t)

	// Create: generation 1, the client's status dropped.
	body := pdbBody("web", map[string]any{"minAvailable": 2, "selector": map[string]any{"matchLabels": map[string]any{"app": "web"}}})
	body["status"] = map[string]any{"disruptionsAllowed": 5, "observedGeneration": 9}
	var p policy.PodDisruptionBudget
	c.must(http.StatusCreated, "POST", pdbPath, body, &p)
	if p.Generation != 1 || p.Status.DisruptionsAllowed != 0 || p.Status.ObservedGeneration != 0 || p.Kind != "PodDisruptionBudget" || p.APIVersion != "policy/v1" {
		t.Fatalf("created: generation %d status %+v type %+v", p.Generation, p.Status, p.TypeMeta)
	}
	c.must(http.StatusOK, "GET", pdbPath+"/web", nil, &p)
	if p.Spec.MinAvailable == nil || p.Spec.MinAvailable.String() != "2" {
		t.Fatalf("get: spec %+v", p.Spec)
	}

	// Status write through the subresource keeps the spec.
	p.Status = policy.PodDisruptionBudgetStatus{ObservedGeneration: 1, DisruptionsAllowed: 1, CurrentHealthy: 3, DesiredHealthy: 2, ExpectedPods: 3}
	p.Spec.MinAvailable = nil
	c.must(http.StatusOK, "PUT", pdbPath+"/web/status", &p, &p)
	if p.Status.DisruptionsAllowed != 1 || p.Spec.MinAvailable == nil || p.Generation != 1 {
		t.Fatalf("status update: generation %d spec %+v status %+v", p.Generation, p.Spec, p.Status)
	}

	// A spec change bumps the generation and keeps the status; a main
	// update cannot change the status.
	c.must(http.StatusOK, "PATCH", pdbPath+"/web", `{"spec":{"minAvailable":"50%"},"status":{"disruptionsAllowed":7}}`, &p,
		"application/merge-patch+json")
	if p.Generation != 2 || p.Spec.MinAvailable.String() != "50%" || p.Status.DisruptionsAllowed != 1 || p.Status.ObservedGeneration != 1 {
		t.Fatalf("spec patch: generation %d spec %+v status %+v", p.Generation, p.Spec, p.Status)
	}
	c.must(http.StatusOK, "PATCH", pdbPath+"/web", `{"metadata":{"labels":{"x":"y"}}}`, &p, "application/merge-patch+json")
	if p.Generation != 2 {
		t.Fatalf("label patch bumped generation to %d", p.Generation)
	}

	// Validation.
	for _, tc := range []struct {
		name  string
		spec  map[string]any
		field string
	}{
		{"both", map[string]any{"minAvailable": 1, "maxUnavailable": 1}, "spec"},
		{"negative", map[string]any{"maxUnavailable": -1}, "spec.maxUnavailable"},
		{"percent", map[string]any{"minAvailable": "150%"}, "spec.minAvailable"},
		{"policy", map[string]any{"maxUnavailable": 1, "unhealthyPodEvictionPolicy": "Sometimes"}, "spec.unhealthyPodEvictionPolicy"},
		{"selector", map[string]any{"maxUnavailable": 1, "selector": map[string]any{"matchExpressions": []any{
			map[string]any{"key": "app", "operator": "In"}}}}, "spec.selector.matchExpressions[0].values"},
	} {
		st := c.status(http.StatusUnprocessableEntity, meta.StatusReasonInvalid, "POST", pdbPath, pdbBody("bad-"+tc.name, tc.spec))
		if st.Details == nil || len(st.Details.Causes) != 1 || st.Details.Causes[0].Field != tc.field ||
			st.Details.Kind != "PodDisruptionBudget" || st.Details.Group != "policy" {
			t.Errorf("%s: status %+v", tc.name, st)
		}
	}
	if st := c.status(http.StatusUnprocessableEntity, meta.StatusReasonInvalid, "POST", pdbPath,
		pdbBody("bad", map[string]any{"minAvailable": 1, "maxUnavailable": 1})); !strings.Contains(st.Message, "minAvailable and maxUnavailable cannot be both set") {
		t.Errorf("both set: message %q", st.Message)
	}
	neg := p
	neg.Status.DisruptionsAllowed = -1
	c.status(http.StatusUnprocessableEntity, meta.StatusReasonInvalid, "PUT", pdbPath+"/web/status", &neg)

	// Table: kubectl's columns, N/A for the bound not set.
	c.must(http.StatusCreated, "POST", pdbPath, pdbBody("db", map[string]any{"maxUnavailable": 1}), nil)
	tbl := getTable(t, c, pdbPath)
	var cols []string
	for _, cd := range tbl.ColumnDefinitions {
		cols = append(cols, cd.Name)
	}
	if got := strings.Join(cols, ","); got != "Name,Min Available,Max Unavailable,Allowed Disruptions,Age" {
		t.Fatalf("columns = %s", got)
	}
	rows := map[string][]any{}
	for _, r := range tbl.Rows {
		rows[r.Cells[0].(string)] = r.Cells
	}
	if r := rows["web"]; len(r) != 5 || r[1] != "50%" || r[2] != "N/A" || r[3] != float64(1) {
		t.Errorf("web row = %v", r)
	}
	if r := rows["db"]; len(r) != 5 || r[1] != "N/A" || r[2] != "1" || r[3] != float64(0) {
		t.Errorf("db row = %v", r)
	}

	// Discovery: short name, namespaced, status subresource.
	var rl meta.APIResourceList
	c.must(http.StatusOK, "GET", "/apis/policy/v1", nil, &rl)
	var found, status bool
	for _, r := range rl.APIResources {
		switch r.Name {
		case "poddisruptionbudgets":
			found = r.Namespaced && r.Kind == "PodDisruptionBudget" && strings.Join(r.ShortNames, ",") == "pdb" && r.SingularName == "poddisruptionbudget"
		case "poddisruptionbudgets/status":
			status = strings.Join(r.Verbs, ",") == "get,patch,update"
		}
	}
	if !found || !status {
		t.Fatalf("discovery of policy/v1: %+v", rl.APIResources)
	}

	// List and delete.
	var l policy.PodDisruptionBudgetList
	c.must(http.StatusOK, "GET", pdbPath, nil, &l)
	if len(l.Items) != 2 {
		t.Fatalf("list: %d items", len(l.Items))
	}
	c.must(http.StatusOK, "DELETE", pdbPath+"/web", nil, nil)
	c.status(http.StatusNotFound, meta.StatusReasonNotFound, "GET", pdbPath+"/web", nil)
}

type table struct {
	ColumnDefinitions []struct {
		Name string `json:"name"`
	} `json:"columnDefinitions"`
	Rows []struct {
		Cells []any `json:"cells"`
	} `json:"rows"`
}

func getTable(t *testing.T, c *client, path string) table {
	t.Helper()
	req, err := http.NewRequest("GET", c.srv.URL+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Accept", "application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json") // as kubectl get
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("get table: %v", err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("get table: %d %v: %s", resp.StatusCode, err, data)
	}
	var tbl table
	if err := json.Unmarshal(data, &tbl); err != nil {
		t.Fatalf("decode table: %v: %s", err, data)
	}
	return tbl
}

// evictionEnv is one test apiserver with a clientset, for eviction cases
// each in its own namespace.
type evictionEnv struct {
	t  *testing.T
	c  *client
	cs *clientset.Clientset
}

func newEvictionEnv(t *testing.T) *evictionEnv {
	c := newClient(t)
	cs, err := clientset.NewForConfig(&rest.Config{Host: c.srv.URL, Timeout: 10 * time.Second})
	if err != nil {
		t.Fatalf("clientset: %v", err)
	}
	t.Cleanup(cs.RESTClient().CloseIdleConnections)
	return &evictionEnv{t: t, c: c, cs: cs}
}

func (e *evictionEnv) namespace(name string) {
	e.t.Helper()
	e.c.must(http.StatusCreated, "POST", "/api/v1/namespaces", ns(name), nil)
}

// pod creates a pod labelled app=web in phase with the Ready condition.
func (e *evictionEnv) pod(namespace, name string, phase core.PodPhase, ready bool) {
	e.t.Helper()
	ctx := context.Background()
	p, err := e.cs.CoreV1().Pods(namespace).Create(ctx, &core.Pod{
		ObjectMeta: meta.ObjectMeta{Name: name, Labels: map[string]string{"app": "web"}},
		Spec:       core.PodSpec{Containers: []core.Container{{Name: "c", Image: "busybox"}}}}, meta.CreateOptions{})
	if err != nil {
		e.t.Fatalf("create pod %s: %v", name, err)
	}
	if phase == core.PodPending {
		return
	}
	st := core.ConditionFalse
	if ready {
		st = core.ConditionTrue
	}
	p.Status.Phase = phase
	p.Status.Conditions = append(p.Status.Conditions, core.PodCondition{Type: core.PodReady, Status: st})
	if _, err := e.cs.CoreV1().Pods(namespace).UpdateStatus(ctx, p, meta.UpdateOptions{}); err != nil {
		e.t.Fatalf("pod %s status: %v", name, err)
	}
}

// budget creates a budget selecting app=web and writes status st (with
// observedGeneration set to the budget's generation unless behind).
func (e *evictionEnv) budget(namespace, name string, unhealthy *policy.UnhealthyPodEvictionPolicyType, st policy.PodDisruptionBudgetStatus, behind bool) *policy.PodDisruptionBudget {
	e.t.Helper()
	ctx := context.Background()
	one := policy.PodDisruptionBudgetSpec{Selector: &meta.LabelSelector{MatchLabels: map[string]string{"app": "web"}},
		UnhealthyPodEvictionPolicy: unhealthy}
	b, err := e.cs.PolicyV1().PodDisruptionBudgets(namespace).Create(ctx,
		&policy.PodDisruptionBudget{ObjectMeta: meta.ObjectMeta{Name: name}, Spec: one}, meta.CreateOptions{})
	if err != nil {
		e.t.Fatalf("create budget %s: %v", name, err)
	}
	b.Status = st
	b.Status.ObservedGeneration = b.Generation
	if behind {
		b.Status.ObservedGeneration = b.Generation - 1
	}
	if b, err = e.cs.PolicyV1().PodDisruptionBudgets(namespace).UpdateStatus(ctx, b, meta.UpdateOptions{}); err != nil {
		e.t.Fatalf("budget %s status: %v", name, err)
	}
	return b
}

func (e *evictionEnv) getBudget(namespace, name string) *policy.PodDisruptionBudget {
	e.t.Helper()
	b, err := e.cs.PolicyV1().PodDisruptionBudgets(namespace).Get(context.Background(), name, meta.GetOptions{})
	if err != nil {
		e.t.Fatalf("get budget %s: %v", name, err)
	}
	return b
}

func evictPath(namespace, pod string) string {
	return "/api/v1/namespaces/" + namespace + "/pods/" + pod + "/eviction"
}

func eviction(namespace, pod string) map[string]any {
	return map[string]any{"apiVersion": "policy/v1", "kind": "Eviction", "metadata": map[string]any{"name": pod, "namespace": namespace}}
}

// evicted checks a 201 eviction and that the pod is gone.
func (e *evictionEnv) evicted(namespace, pod string) {
	e.t.Helper()
	var st meta.Status
	e.c.must(http.StatusCreated, "POST", evictPath(namespace, pod), eviction(namespace, pod), &st)
	if st.Status != meta.StatusSuccess {
		e.t.Fatalf("evict %s: %+v", pod, st)
	}
	e.c.status(http.StatusNotFound, meta.StatusReasonNotFound, "GET", "/api/v1/namespaces/"+namespace+"/pods/"+pod, nil)
}

// refused checks a 429 with the one DisruptionBudget cause and the pod kept.
func (e *evictionEnv) refused(namespace, pod, cause string) {
	e.t.Helper()
	code, data := e.c.do("POST", evictPath(namespace, pod), eviction(namespace, pod))
	var st meta.Status
	mustJSON(e.t, data, &st)
	if code != http.StatusTooManyRequests || st.Reason != meta.StatusReasonTooManyRequests ||
		st.Message != "Cannot evict pod as it would violate the pod's disruption budget." ||
		st.Details == nil || len(st.Details.Causes) != 1 || st.Details.Causes[0].Type != policy.DisruptionBudgetCause ||
		st.Details.Causes[0].Message != cause {
		e.t.Fatalf("evict %s: code %d, want 429 with cause %q: %s", pod, code, cause, data)
	}
	e.c.must(http.StatusOK, "GET", "/api/v1/namespaces/"+namespace+"/pods/"+pod, nil, nil)
}

// TestEvictionHonoursBudgets: pods/eviction against PodDisruptionBudgets as
// Kubernetes: no budget evicts; a budget allowing one disruption lets one
// eviction through, records it in its status and refuses the next with
// 429; a status behind the spec is a 429; two budgets are a 500; a
// not-Ready pod under AlwaysAllow and a Pending pod are evicted without
// touching the budget, and so is any pod of a terminating namespace.
func TestEvictionHonoursBudgets(t *testing.T) {
	e := newEvictionEnv(t)

	t.Run("no budget", func(t *testing.T) {
		e.t = t
		e.namespace("ev-none")
		e.pod("ev-none", "a", core.PodRunning, true)
		e.evicted("ev-none", "a")
	})

	t.Run("one disruption allowed", func(t *testing.T) {
		e.t = t
		n := "ev-one"
		e.namespace(n)
		e.pod(n, "a", core.PodRunning, true)
		e.pod(n, "b", core.PodRunning, true)
		e.pod(n, "c", core.PodRunning, true)
		e.budget(n, "web", nil, policy.PodDisruptionBudgetStatus{DisruptionsAllowed: 1, CurrentHealthy: 3, DesiredHealthy: 2, ExpectedPods: 3}, false)

		// A dry run checks and writes nothing.
		e.c.must(http.StatusCreated, "POST", evictPath(n, "a")+"?dryRun=All", eviction(n, "a"), nil)
		if b := e.getBudget(n, "web"); b.Status.DisruptionsAllowed != 1 || len(b.Status.DisruptedPods) != 0 {
			t.Fatalf("dry run changed the budget: %+v", b.Status)
		}
		e.c.must(http.StatusOK, "GET", "/api/v1/namespaces/"+n+"/pods/a", nil, nil)

		e.evicted(n, "a")
		b := e.getBudget(n, "web")
		if _, ok := b.Status.DisruptedPods["a"]; b.Status.DisruptionsAllowed != 0 || !ok || len(b.Status.DisruptedPods) != 1 {
			t.Fatalf("budget after eviction: %+v", b.Status)
		}
		e.refused(n, "b", "The disruption budget web needs 2 healthy pods and has 3 currently")
	})

	t.Run("racing evictions take the last disruption once", func(t *testing.T) {
		e.t = t
		n := "ev-race"
		e.namespace(n)
		pods := []string{"a", "b", "c", "d"}
		for _, p := range pods {
			e.pod(n, p, core.PodRunning, true)
		}
		e.budget(n, "web", nil, policy.PodDisruptionBudgetStatus{DisruptionsAllowed: 1, CurrentHealthy: 4, DesiredHealthy: 3, ExpectedPods: 4}, false)
		codes := make(chan int, len(pods))
		for _, p := range pods {
			go func() {
				data, _ := json.Marshal(eviction(n, p))
				resp, err := http.Post(e.c.srv.URL+evictPath(n, p), "application/json", strings.NewReader(string(data)))
				if err != nil {
					codes <- 0
					return
				}
				_, _ = io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				codes <- resp.StatusCode
			}()
		}
		got := map[int]int{}
		for range pods {
			got[<-codes]++
		}
		if got[http.StatusCreated] != 1 || got[http.StatusTooManyRequests] != len(pods)-1 {
			t.Fatalf("eviction codes = %v, want one 201 and %d 429", got, len(pods)-1)
		}
		if b := e.getBudget(n, "web"); b.Status.DisruptionsAllowed != 0 || len(b.Status.DisruptedPods) != 1 {
			t.Fatalf("budget after racing evictions: %+v", b.Status)
		}
	})

	t.Run("status behind the spec", func(t *testing.T) {
		e.t = t
		n := "ev-behind"
		e.namespace(n)
		e.pod(n, "a", core.PodRunning, true)
		e.budget(n, "web", nil, policy.PodDisruptionBudgetStatus{DisruptionsAllowed: 1, CurrentHealthy: 1, DesiredHealthy: 0, ExpectedPods: 1}, true)
		e.refused(n, "a", "The disruption budget web is still being processed by the server.")
	})

	t.Run("two budgets", func(t *testing.T) {
		e.t = t
		n := "ev-two"
		e.namespace(n)
		e.pod(n, "a", core.PodRunning, true)
		st := policy.PodDisruptionBudgetStatus{DisruptionsAllowed: 1, CurrentHealthy: 1, ExpectedPods: 1}
		e.budget(n, "one", nil, st, false)
		e.budget(n, "two", nil, st, false)
		code, data := e.c.do("POST", evictPath(n, "a"), eviction(n, "a"))
		var s meta.Status
		mustJSON(t, data, &s)
		if code != http.StatusInternalServerError || s.Code != 500 || s.Status != meta.StatusFailure ||
			s.Message != "This pod has more than one PodDisruptionBudget, which the eviction subresource does not support." {
			t.Fatalf("two budgets: code %d: %s", code, data)
		}
		e.c.must(http.StatusOK, "GET", "/api/v1/namespaces/"+n+"/pods/a", nil, nil)
	})

	t.Run("not ready with AlwaysAllow", func(t *testing.T) {
		e.t = t
		n := "ev-unhealthy"
		e.namespace(n)
		e.pod(n, "a", core.PodRunning, false)
		before := e.budget(n, "web", meta.Ptr(policy.AlwaysAllow),
			policy.PodDisruptionBudgetStatus{DisruptionsAllowed: 0, CurrentHealthy: 1, DesiredHealthy: 2, ExpectedPods: 2}, false)
		e.evicted(n, "a")
		if after := e.getBudget(n, "web"); after.ResourceVersion != before.ResourceVersion {
			t.Fatalf("budget written: %+v", after.Status)
		}
	})

	t.Run("not ready, IfHealthyBudget short of healthy pods", func(t *testing.T) {
		e.t = t
		n := "ev-unhealthy-short"
		e.namespace(n)
		e.pod(n, "a", core.PodRunning, false)
		e.budget(n, "web", meta.Ptr(policy.IfHealthyBudget),
			policy.PodDisruptionBudgetStatus{DisruptionsAllowed: 0, CurrentHealthy: 1, DesiredHealthy: 2, ExpectedPods: 2}, false)
		e.refused(n, "a", "The disruption budget web needs 2 healthy pods and has 1 currently")
	})

	t.Run("terminating namespace", func(t *testing.T) {
		e.t = t
		n := "ev-terminating"
		e.namespace(n)
		e.pod(n, "a", core.PodRunning, true)
		e.budget(n, "web", nil, policy.PodDisruptionBudgetStatus{CurrentHealthy: 1, DesiredHealthy: 1, ExpectedPods: 1}, false)
		e.refused(n, "a", "The disruption budget web needs 1 healthy pods and has 1 currently")
		// No namespace controller runs here: the namespace stays Terminating.
		e.c.must(http.StatusOK, "DELETE", "/api/v1/namespaces/"+n, nil, nil)
		e.evicted(n, "a")
	})

	t.Run("pending pod", func(t *testing.T) {
		e.t = t
		n := "ev-pending"
		e.namespace(n)
		e.pod(n, "a", core.PodPending, false)
		before := e.budget(n, "web", nil, policy.PodDisruptionBudgetStatus{DesiredHealthy: 1}, false)
		e.evicted(n, "a")
		if after := e.getBudget(n, "web"); after.ResourceVersion != before.ResourceVersion {
			t.Fatalf("budget written: %+v", after.Status)
		}
	})
}

// TestEvictionMarksDisruptionTarget: an eviction sets the pod's
// DisruptionTarget condition before deleting it, as Kubernetes does (a
// bound pod's graceful deletion keeps it to look at); a dry run marks
// nothing; a resourceVersion precondition holds for the pod as it was
// before the mark.
func TestEvictionMarksDisruptionTarget(t *testing.T) {
	e := newEvictionEnv(t)
	ctx := context.Background()
	e.namespace("ev-mark")
	pods := e.cs.CoreV1().Pods("ev-mark")
	bound := func(name string) *core.Pod {
		t.Helper()
		p, err := pods.Create(ctx, &core.Pod{ObjectMeta: meta.ObjectMeta{Name: name},
			Spec: core.PodSpec{NodeName: "n1", Containers: []core.Container{{Name: "c", Image: "busybox"}}}}, meta.CreateOptions{})
		if err != nil {
			t.Fatalf("create pod %s: %v", name, err)
		}
		p.Status.Phase = core.PodRunning
		if p, err = pods.UpdateStatus(ctx, p, meta.UpdateOptions{}); err != nil {
			t.Fatalf("pod %s status: %v", name, err)
		}
		return p
	}
	marked := func(name string) *core.PodCondition {
		t.Helper()
		p, err := pods.Get(ctx, name, meta.GetOptions{})
		if err != nil {
			t.Fatalf("get pod %s: %v", name, err)
		}
		_, c := core.GetPodCondition(&p.Status, core.DisruptionTarget)
		return c
	}

	bound("a")
	e.c.must(http.StatusCreated, "POST", evictPath("ev-mark", "a")+"?dryRun=All", eviction("ev-mark", "a"), nil)
	if c := marked("a"); c != nil {
		t.Fatalf("a dry-run eviction marked the pod: %+v", c)
	}
	e.c.must(http.StatusCreated, "POST", evictPath("ev-mark", "a"), eviction("ev-mark", "a"), nil)
	p, err := pods.Get(ctx, "a", meta.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	_, c := core.GetPodCondition(&p.Status, core.DisruptionTarget)
	if p.DeletionTimestamp == nil || c == nil || c.Status != core.ConditionTrue || c.Reason != "EvictionByEvictionAPI" ||
		c.Message != "Eviction API: evicting" || c.LastTransitionTime.IsZero() {
		t.Fatalf("evicted bound pod: deletionTimestamp %v, DisruptionTarget %+v", p.DeletionTimestamp, c)
	}

	b := bound("b")
	withRV := func(rv string) map[string]any {
		ev := eviction("ev-mark", "b")
		ev["deleteOptions"] = map[string]any{"preconditions": map[string]any{"resourceVersion": rv}}
		return ev
	}
	e.c.status(http.StatusConflict, meta.StatusReasonConflict, "POST", evictPath("ev-mark", "b"), withRV("1"))
	if c := marked("b"); c != nil {
		t.Fatalf("an eviction refused for its precondition marked the pod: %+v", c)
	}
	e.c.must(http.StatusCreated, "POST", evictPath("ev-mark", "b"), withRV(b.ResourceVersion), nil)
	if c := marked("b"); c == nil {
		t.Fatal("eviction with the current resourceVersion did not mark the pod")
	}
}
