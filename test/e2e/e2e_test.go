//go:build e2e

package e2e

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/tinykube/tinykube/pkg/api/apps"
	"github.com/tinykube/tinykube/pkg/api/batch"
	"github.com/tinykube/tinykube/pkg/api/core"
	apierrors "github.com/tinykube/tinykube/pkg/api/errors"
	"github.com/tinykube/tinykube/pkg/api/intstr"
	"github.com/tinykube/tinykube/pkg/api/meta"
	"github.com/tinykube/tinykube/pkg/client/rest"
)

const (
	ns       = "e2e"
	appLabel = "web"
)

var nodes = []string{"node-1", "node-2", "node-3"}

// TestScenario is issue 8's scenario, step by step, against the compose
// cluster that hack/e2e.sh started. Steps run in order; a failed step is
// reported and the next ones still run where they can. E2E_STEPS, a regular
// expression, runs only the steps whose names match.
func TestScenario(t *testing.T) {
	c := newCluster(t)
	ctx := context.Background()
	steps := []struct {
		name string
		fn   func(t *testing.T, ctx context.Context, c *cluster)
	}{
		{"three nodes are Ready", stepNodesReady},
		{"the apiservers serve TLS and refuse a request without a token", stepSecurity},
		{"a Deployment of 6 replicas spreads over the nodes", stepDeployment},
		{"the Service's Endpoints list the ready pods", stepEndpoints},
		{"a killed kubelet's node goes NotReady and its pods come back on the others", stepKillKubelet},
		{"the standby scheduler takes over and new pods still schedule", stepSchedulerFailover},
		{"the standby controller-manager takes over", stepControllerManagerFailover},
		{"reads and writes go on with one etcd member down", stepEtcdMemberDown},
		{"after an apiserver restart the components reconnect and the Deployment converges", stepAPIServerRestart},
		{"an apiserver killed mid-rollout: the rollout completes, watches recover, no pod is created twice", stepAPIServerKilledMidRollout},
		{"a Job runs to completion", stepJob},
		{"a pod reads its ConfigMap volume", stepConfigMapVolume},
		{"a PodDisruptionBudget lets one eviction through at a time", stepDisruptionBudget},
		{"every apiserver serves a CustomResourceDefinition's objects, and drops them with it", stepCustomResources},
		{"every Prometheus target is up", stepPrometheusTargets},
	}
	only, err := regexp.Compile(os.Getenv("E2E_STEPS"))
	if err != nil {
		t.Fatalf("E2E_STEPS: %v", err)
	}
	_, err = c.client.CoreV1().Namespaces().Create(ctx, &core.Namespace{ObjectMeta: meta.ObjectMeta{Name: ns}}, meta.CreateOptions{})
	if err != nil && !apierrors.IsAlreadyExists(err) {
		t.Fatalf("create namespace %s: %v", ns, err)
	}
	for i, s := range steps {
		if !only.MatchString(s.name) {
			fmt.Printf("\n--- step %d/%d skipped (E2E_STEPS): %s\n", i+1, len(steps), s.name)
			continue
		}
		fmt.Printf("\n==> step %d/%d: %s\n", i+1, len(steps), s.name)
		start := time.Now()
		ok := t.Run(s.name, func(t *testing.T) { s.fn(t, ctx, c) })
		result := "PASS"
		if !ok {
			result = "FAIL"
		}
		fmt.Printf("<== %s: %s (%s)\n", result, s.name, time.Since(start).Round(time.Second))
	}
}

func readyNodes(ctx context.Context, c *cluster) (map[string]bool, error) {
	list, err := c.client.CoreV1().Nodes().List(ctx, meta.ListOptions{})
	if err != nil {
		return nil, err
	}
	out := map[string]bool{}
	for i := range list.Items {
		out[list.Items[i].Name] = core.IsNodeReady(&list.Items[i])
	}
	return out, nil
}

func allNodesReady(ctx context.Context, c *cluster) (bool, string, error) {
	ready, err := readyNodes(ctx, c)
	if err != nil {
		return false, "", err
	}
	for _, n := range nodes {
		if !ready[n] {
			return false, fmt.Sprintf("ready: %v", ready), nil
		}
	}
	return true, fmt.Sprintf("ready: %v", ready), nil
}

func stepNodesReady(t *testing.T, ctx context.Context, c *cluster) {
	eventually(t, ctx, "nodes", 2*time.Minute, func(ctx context.Context) (bool, string, error) {
		return allNodesReady(ctx, c)
	})
}

func webPods(ctx context.Context, c *cluster) ([]core.Pod, error) {
	list, err := c.client.CoreV1().Pods(ns).List(ctx, meta.ListOptions{LabelSelector: "app=" + appLabel})
	if err != nil {
		return nil, err
	}
	return list.Items, nil
}

// waitConverged waits for want ready web pods on at least minNodes nodes and
// none on the avoided nodes.
func waitConverged(t *testing.T, ctx context.Context, c *cluster, timeout time.Duration, want, minNodes int, avoid ...string) bool {
	t.Helper()
	return eventually(t, ctx, fmt.Sprintf("%d web pods", want), timeout, func(ctx context.Context) (bool, string, error) {
		pods, err := webPods(ctx, c)
		if err != nil {
			return false, "", err
		}
		ok, why := converged(pods, want, minNodes, avoid...)
		return ok, why, nil
	})
}

func podTemplate(labels map[string]string, restart core.RestartPolicy, command ...string) core.PodTemplateSpec {
	return core.PodTemplateSpec{
		ObjectMeta: meta.ObjectMeta{Labels: labels},
		Spec: core.PodSpec{
			RestartPolicy:                 restart,
			TerminationGracePeriodSeconds: meta.Ptr(int64(2)),
			Containers:                    []core.Container{{Name: "main", Image: "busybox", Command: command}},
		},
	}
}

func stepDeployment(t *testing.T, ctx context.Context, c *cluster) {
	labels := map[string]string{"app": appLabel}
	d := &apps.Deployment{
		ObjectMeta: meta.ObjectMeta{Name: appLabel, Namespace: ns},
		Spec: apps.DeploymentSpec{
			Replicas: meta.Ptr(int32(6)),
			Selector: &meta.LabelSelector{MatchLabels: labels},
			Template: podTemplate(labels, core.RestartPolicyAlways, "sh", "-c", "echo serving on $(hostname); exec sleep 3600"),
		},
	}
	// Readiness through the kubelet's exec prober: the Endpoints step then
	// checks that only pods it found ready are listed.
	d.Spec.Template.Spec.Containers[0].ReadinessProbe = &core.Probe{
		ProbeHandler:  core.ProbeHandler{Exec: &core.ExecAction{Command: []string{"sh", "-c", "test -d /proc/$$"}}},
		PeriodSeconds: 2,
	}
	if _, err := c.client.AppsV1().Deployments(ns).Create(ctx, d, meta.CreateOptions{}); err != nil {
		t.Fatalf("create deployment: %v", err)
	}
	logf(t, "created deployment %s/%s with 6 replicas", ns, appLabel)
	waitConverged(t, ctx, c, 2*time.Minute, 6, 3)
}

func stepEndpoints(t *testing.T, ctx context.Context, c *cluster) {
	svc := &core.Service{
		ObjectMeta: meta.ObjectMeta{Name: appLabel, Namespace: ns},
		Spec: core.ServiceSpec{Selector: map[string]string{"app": appLabel},
			Ports: []core.ServicePort{{Name: "http", Port: 80, TargetPort: intstr.FromInt32(8080)}}},
	}
	if _, err := c.client.CoreV1().Services(ns).Create(ctx, svc, meta.CreateOptions{}); err != nil {
		t.Fatalf("create service: %v", err)
	}
	logf(t, "created service %s/%s", ns, appLabel)
	eventually(t, ctx, "endpoints", time.Minute, func(ctx context.Context) (bool, string, error) {
		ep, err := c.client.CoreV1().Endpoints(ns).Get(ctx, appLabel, meta.GetOptions{})
		if err != nil {
			return false, "", err
		}
		pods, err := webPods(ctx, c)
		if err != nil {
			return false, "", err
		}
		got, want := endpointPodNames(ep), readyPodNames(pods)
		ok := len(want) == 6 && strings.Join(got, ",") == strings.Join(want, ",")
		return ok, fmt.Sprintf("endpoints %v, ready pods %v", got, want), nil
	})
}

// busiestNode is the node running the most ready web pods.
func busiestNode(ctx context.Context, c *cluster) (string, error) {
	pods, err := webPods(ctx, c)
	if err != nil {
		return "", err
	}
	best, most := nodes[len(nodes)-1], -1
	for _, n := range nodes {
		if k := readyPodsPerNode(pods)[n]; k > most {
			best, most = n, k
		}
	}
	return best, nil
}

func stepKillKubelet(t *testing.T, ctx context.Context, c *cluster) {
	victim, err := busiestNode(ctx, c)
	if err != nil {
		t.Fatalf("pick a node: %v", err)
	}
	c.kill(t, ctx, victim)
	defer func() {
		c.start(t, ctx, victim)
		eventually(t, ctx, "nodes after "+victim+" restarted", 2*time.Minute, func(ctx context.Context) (bool, string, error) {
			return allNodesReady(ctx, c)
		})
	}()
	eventually(t, ctx, victim+" NotReady", 2*time.Minute, func(ctx context.Context) (bool, string, error) {
		ready, err := readyNodes(ctx, c)
		if err != nil {
			return false, "", err
		}
		return !ready[victim], fmt.Sprintf("ready: %v", ready), nil
	})
	waitConverged(t, ctx, c, 3*time.Minute, 6, 2, victim)
}

// leaseHolder is the host holding a leader-election lease in kube-system.
func leaseHolder(ctx context.Context, c *cluster, name string) (string, error) {
	l, err := c.client.CoordinationV1().Leases("kube-system").Get(ctx, name, meta.GetOptions{})
	if err != nil {
		return "", err
	}
	if l.Spec.HolderIdentity == nil || *l.Spec.HolderIdentity == "" {
		return "", errors.New("lease " + name + " has no holder")
	}
	return leaderHost(*l.Spec.HolderIdentity), nil
}

func scale(t *testing.T, ctx context.Context, c *cluster, replicas int) {
	t.Helper()
	patch := fmt.Sprintf(`{"spec":{"replicas":%d}}`, replicas)
	if _, err := c.client.AppsV1().Deployments(ns).Patch(ctx, appLabel, rest.MergePatchType, []byte(patch), meta.PatchOptions{}); err != nil {
		t.Fatalf("scale to %d: %v", replicas, err)
	}
	logf(t, "scaled deployment %s/%s to %d", ns, appLabel, replicas)
}

// failover kills the holder of lease and waits for another replica (one of
// services) to hold it.
func failover(t *testing.T, ctx context.Context, c *cluster, lease string, services []string) {
	leader, err := leaseHolder(ctx, c, lease)
	if err != nil {
		t.Fatalf("leader of %s: %v", lease, err)
	}
	known := false
	for _, s := range services {
		known = known || s == leader
	}
	if !known {
		t.Fatalf("lease %s is held by %q, not one of %v", lease, leader, services)
	}
	logf(t, "%s leads %s", leader, lease)
	c.kill(t, ctx, leader)
	t.Cleanup(func() { c.start(t, context.Background(), leader) })
	eventually(t, ctx, "new holder of "+lease, 90*time.Second, func(ctx context.Context) (bool, string, error) {
		h, err := leaseHolder(ctx, c, lease)
		if err != nil {
			return false, "", err
		}
		return h != leader, "held by " + h, nil
	})
}

func stepSchedulerFailover(t *testing.T, ctx context.Context, c *cluster) {
	failover(t, ctx, c, "kube-scheduler", []string{"scheduler-1", "scheduler-2"})
	scale(t, ctx, c, 8)
	waitConverged(t, ctx, c, 2*time.Minute, 8, 2)
}

func stepControllerManagerFailover(t *testing.T, ctx context.Context, c *cluster) {
	failover(t, ctx, c, "kube-controller-manager", []string{"controller-manager-1", "controller-manager-2"})
	scale(t, ctx, c, 6)
	waitConverged(t, ctx, c, 2*time.Minute, 6, 2)
}

// etcdLeader is the etcd member that leads, as Prometheus last saw it.
func etcdLeader(ctx context.Context, c *cluster) (string, error) {
	body, err := get(ctx, c.prometheus+"/api/v1/query?query="+url.QueryEscape(`etcd_server_is_leader{job="etcd"} == 1`))
	if err != nil {
		return "", err
	}
	leaders, err := vectorInstances(body)
	if err != nil {
		return "", err
	}
	if len(leaders) != 1 {
		return "", fmt.Errorf("etcd leaders: %v", leaders)
	}
	host, _, _ := strings.Cut(leaders[0], ":")
	return host, nil
}

func stepEtcdMemberDown(t *testing.T, ctx context.Context, c *cluster) {
	// Killing the leader is the harder case: the other two elect a new one.
	var member string
	eventually(t, ctx, "etcd leader", time.Minute, func(ctx context.Context) (bool, string, error) {
		m, err := etcdLeader(ctx, c)
		member = m
		return err == nil, "leader " + m, err
	})
	if member == "" {
		t.Fatal("no etcd leader seen")
	}
	c.kill(t, ctx, member)
	defer func() {
		c.start(t, ctx, member)
		eventually(t, ctx, member+" healthy again", 2*time.Minute, func(ctx context.Context) (bool, string, error) {
			return c.healthy(ctx, member)
		})
	}()
	cms := c.client.CoreV1().ConfigMaps(ns)
	for i := range 10 {
		name := fmt.Sprintf("while-%s-down-%d", member, i)
		eventually(t, ctx, "write and read "+name, 30*time.Second, func(ctx context.Context) (bool, string, error) {
			cm := &core.ConfigMap{ObjectMeta: meta.ObjectMeta{Name: name, Namespace: ns}, Data: map[string]string{"i": fmt.Sprint(i)}}
			if _, err := cms.Create(ctx, cm, meta.CreateOptions{}); err != nil && !apierrors.IsAlreadyExists(err) {
				return false, "", err
			}
			got, err := cms.Get(ctx, name, meta.GetOptions{})
			if err != nil {
				return false, "", err
			}
			return got.Data["i"] == fmt.Sprint(i), "read back " + got.Data["i"], nil
		})
	}
	list, err := cms.List(ctx, meta.ListOptions{})
	if err != nil {
		t.Fatalf("list configmaps with %s down: %v", member, err)
	}
	logf(t, "listed %d configmaps with %s down", len(list.Items), member)
}

func stepAPIServerRestart(t *testing.T, ctx context.Context, c *cluster) {
	// Every instance behind the balancer at once, so that no watch survives.
	if _, err := c.composeRun(ctx, "restart", "apiservers"); err != nil {
		t.Fatalf("restart apiservers: %v", err)
	}
	restarted := time.Now()
	logf(t, "restarted the apiservers")
	eventually(t, ctx, "apiserver /readyz", 2*time.Minute, func(ctx context.Context) (bool, string, error) {
		err := c.readyz(ctx)
		return err == nil, "ready", err
	})
	eventually(t, ctx, "node leases renewed after the restart", 2*time.Minute, func(ctx context.Context) (bool, string, error) {
		list, err := c.client.CoordinationV1().Leases("kube-node-lease").List(ctx, meta.ListOptions{})
		if err != nil {
			return false, "", err
		}
		fresh := map[string]bool{}
		for _, l := range list.Items {
			fresh[l.Name] = l.Spec.RenewTime != nil && l.Spec.RenewTime.After(restarted)
		}
		for _, n := range nodes {
			if !fresh[n] {
				return false, fmt.Sprintf("renewed since restart: %v", fresh), nil
			}
		}
		return true, fmt.Sprintf("renewed since restart: %v", fresh), nil
	})
	// Scaling up needs every component: the controller-manager creates the
	// pods, the scheduler binds them and the kubelets start them, each over
	// a watch it had to re-establish.
	scale(t, ctx, c, 7)
	waitConverged(t, ctx, c, 2*time.Minute, 7, 2)
	eventually(t, ctx, "nodes", time.Minute, func(ctx context.Context) (bool, string, error) {
		return allNodesReady(ctx, c)
	})
}

func stepJob(t *testing.T, ctx context.Context, c *cluster) {
	labels := map[string]string{"job": "hello"}
	job := &batch.Job{
		ObjectMeta: meta.ObjectMeta{Name: "hello", Namespace: ns},
		Spec: batch.JobSpec{
			Completions: meta.Ptr(int32(2)),
			Parallelism: meta.Ptr(int32(2)),
			Template:    podTemplate(labels, core.RestartPolicyNever, "sh", "-c", "echo hello from $(hostname); sleep 1"),
		},
	}
	if _, err := c.client.BatchV1().Jobs(ns).Create(ctx, job, meta.CreateOptions{}); err != nil {
		t.Fatalf("create job: %v", err)
	}
	logf(t, "created job %s/hello (2 completions)", ns)
	eventually(t, ctx, "job hello", 2*time.Minute, func(ctx context.Context) (bool, string, error) {
		j, err := c.client.BatchV1().Jobs(ns).Get(ctx, "hello", meta.GetOptions{})
		if err != nil {
			return false, "", err
		}
		complete := false
		for _, cond := range j.Status.Conditions {
			complete = complete || (cond.Type == batch.JobComplete && cond.Status == core.ConditionTrue)
		}
		return complete && j.Status.Succeeded == 2, fmt.Sprintf("active %d succeeded %d failed %d complete %v",
			j.Status.Active, j.Status.Succeeded, j.Status.Failed, complete), nil
	})
}

func stepPrometheusTargets(t *testing.T, ctx context.Context, c *cluster) {
	eventually(t, ctx, "prometheus targets", 90*time.Second, func(ctx context.Context) (bool, string, error) {
		body, err := get(ctx, c.prometheus+"/api/v1/targets?state=active")
		if err != nil {
			return false, "", err
		}
		bad, total, err := unhealthyTargets(body)
		if err != nil {
			return false, "", err
		}
		// prometheus, each apiserver, 2 schedulers, 2 controller-managers, 3 kubelets, 3 etcd.
		want := 11 + c.apiservers
		return len(bad) == 0 && total >= want, fmt.Sprintf("%d targets, not up: %v", total, bad), nil
	})
}
