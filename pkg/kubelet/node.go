package kubelet

import (
	"bufio"
	"context"
	"fmt"
	"maps"
	"os"
	goruntime "runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"go.uber.org/zap"

	"github.com/tinykube/tinykube/pkg/api/coordination"
	"github.com/tinykube/tinykube/pkg/api/core"
	apierrors "github.com/tinykube/tinykube/pkg/api/errors"
	"github.com/tinykube/tinykube/pkg/api/meta"
	"github.com/tinykube/tinykube/pkg/api/resource"
)

// NodeLeaseNamespace holds the nodes' heartbeat Leases.
const NodeLeaseNamespace = "kube-node-lease"

// MachineCapacity is this machine's cpu count and memory (from
// /proc/meminfo), with maxPods pods.
func MachineCapacity(maxPods int) (core.ResourceList, error) {
	out := core.ResourceList{
		core.ResourceCPU:  *resource.NewQuantity(int64(goruntime.NumCPU()), resource.DecimalSI),
		core.ResourcePods: *resource.NewQuantity(int64(maxPods), resource.DecimalSI),
	}
	f, err := os.Open("/proc/meminfo")
	if err != nil {
		return out, fmt.Errorf("read memory size: %w", err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		if len(fields) >= 2 && fields[0] == "MemTotal:" {
			kb, err := strconv.ParseInt(fields[1], 10, 64)
			if err != nil {
				return out, fmt.Errorf("parse MemTotal: %w", err)
			}
			out[core.ResourceMemory] = *resource.NewQuantity(kb*1024, resource.BinarySI)
			return out, nil
		}
	}
	return out, fmt.Errorf("no MemTotal in /proc/meminfo")
}

// nodeObject is the Node as this kubelet registers it.
func (k *Kubelet) nodeObject(name string) *core.Node {
	labels := defaultNodeLabels(name)
	for key, v := range k.cfg.NodeLabels {
		labels[key] = v
	}
	n := &core.Node{ObjectMeta: meta.ObjectMeta{Name: name, Labels: labels},
		Spec: core.NodeSpec{Taints: append([]core.Taint(nil), k.cfg.Taints...)}}
	n.Status = k.nodeStatus(name, nil, time.Now())
	return n
}

// defaultNodeLabels are the labels a kubelet keeps on its Node.
func defaultNodeLabels(name string) map[string]string {
	return map[string]string{core.LabelHostname: name, core.LabelOSStable: goruntime.GOOS, core.LabelArchStable: goruntime.GOARCH}
}

// nodeStatus is the status to report; old supplies transition times.
func (k *Kubelet) nodeStatus(name string, old *core.NodeStatus, now time.Time) core.NodeStatus {
	st := core.NodeStatus{Capacity: k.cfg.Capacity, Allocatable: k.cfg.Capacity,
		DaemonEndpoints: core.NodeDaemonEndpoints{KubeletEndpoint: core.DaemonEndpoint{Port: int32(k.cfg.Port)}},
		NodeInfo: core.NodeSystemInfo{KubeletVersion: Version, OperatingSystem: goruntime.GOOS,
			Architecture: goruntime.GOARCH, ContainerRuntimeVersion: k.runtime.Type() + "://" + Version,
			KernelVersion: kernelVersion(), OSImage: goruntime.GOOS, MachineID: name, SystemUUID: name},
	}
	if old != nil {
		st.Conditions = append([]core.NodeCondition(nil), old.Conditions...)
	}
	if k.cfg.NodeIP != "" {
		st.Addresses = append(st.Addresses, core.NodeAddress{Type: core.NodeInternalIP, Address: k.cfg.NodeIP})
	}
	st.Addresses = append(st.Addresses, core.NodeAddress{Type: core.NodeHostName, Address: name})
	hb := meta.NewTime(now.UTC().Truncate(time.Second))
	for _, c := range []core.NodeCondition{
		{Type: core.NodeReady, Status: core.ConditionTrue, Reason: "KubeletReady", Message: "kubelet is posting ready status"},
		{Type: core.NodeMemoryPressure, Status: core.ConditionFalse, Reason: "KubeletHasSufficientMemory", Message: "kubelet has sufficient memory available"},
		{Type: core.NodeDiskPressure, Status: core.ConditionFalse, Reason: "KubeletHasNoDiskPressure", Message: "kubelet has no disk pressure"},
		{Type: core.NodePIDPressure, Status: core.ConditionFalse, Reason: "KubeletHasSufficientPID", Message: "kubelet has sufficient PID available"},
	} {
		c.LastHeartbeatTime, c.LastTransitionTime = hb, hb
		core.SetNodeCondition(&st, c)
		_, set := core.GetNodeCondition(&st, c.Type)
		set.LastHeartbeatTime = hb
	}
	return st
}

// kernelVersion is read once: it cannot change while the kubelet runs,
// and each node's status, every NodeStatusUpdateFrequency, reports it.
var kernelVersion = sync.OnceValue(func() string {
	b, err := os.ReadFile("/proc/sys/kernel/osrelease")
	if err != nil {
		return ""
	}
	return strings.TrimSpace(string(b))
})

// runNode registers the node, then renews its lease and reports its status
// until ctx ends. index spreads the nodes' timers over the intervals.
func (k *Kubelet) runNode(ctx context.Context, name string, index int) {
	n := len(k.cfg.NodeNames)
	leaseEvery := time.Duration(k.cfg.NodeLeaseDurationSeconds) * time.Second / 4
	node := k.registerNode(ctx, name)
	if node == nil {
		return
	}
	var lease *coordination.Lease
	lease = k.renewLease(ctx, node, lease)
	lastReport := time.Now()
	leaseT := time.NewTimer(leaseEvery * time.Duration(index) / time.Duration(n))
	statusT := time.NewTimer(k.cfg.NodeStatusUpdateFrequency * time.Duration(index) / time.Duration(n))
	defer leaseT.Stop()
	defer statusT.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-leaseT.C:
			lease = k.renewLease(ctx, node, lease)
			leaseT.Reset(leaseEvery)
		case <-statusT.C:
			node, lastReport = k.updateNodeStatus(ctx, node, lastReport)
			statusT.Reset(k.cfg.NodeStatusUpdateFrequency)
		}
	}
}

// registerNode creates the Node, or updates an existing one's labels,
// taints and status, retrying until it succeeds or ctx ends.
func (k *Kubelet) registerNode(ctx context.Context, name string) *core.Node {
	delay := 100 * time.Millisecond
	for {
		node, err := k.tryRegister(ctx, name)
		if err == nil {
			k.log.Info("node registered", zap.String("node", name))
			return node
		}
		k.log.Warn("registering node failed", zap.String("node", name), zap.Error(err))
		select {
		case <-ctx.Done():
			return nil
		case <-time.After(delay):
		}
		delay = min(2*delay, 7*time.Second)
	}
}

func (k *Kubelet) tryRegister(ctx context.Context, name string) (*core.Node, error) {
	nodes := k.client.CoreV1().Nodes()
	want := k.nodeObject(name)
	node, err := nodes.Create(ctx, want, meta.CreateOptions{})
	if apierrors.IsAlreadyExists(err) {
		node, err = nodes.Get(ctx, name, meta.GetOptions{})
		if err != nil {
			return nil, fmt.Errorf("get node %s: %w", name, err)
		}
		// As Kubernetes' kubelet, only the default labels are reconciled on
		// a Node that exists: --node-labels and --register-with-taints are
		// for its creation, and the taints may since carry the node
		// controller's, which node restriction forbids a kubelet to change.
		if labels, changed := withLabels(node.Labels, defaultNodeLabels(name)); changed {
			node.Labels = labels
			node, err = nodes.Update(ctx, node, meta.UpdateOptions{})
		}
	}
	if err != nil {
		return nil, fmt.Errorf("register node %s: %w", name, err)
	}
	node.Status = k.nodeStatus(name, &node.Status, time.Now())
	out, err := nodes.UpdateStatus(ctx, node, meta.UpdateOptions{})
	if err != nil {
		return nil, fmt.Errorf("report status of node %s: %w", name, err)
	}
	return out, nil
}

// withLabels returns labels with want set over them (a new map), and
// whether that changed anything.
func withLabels(labels, want map[string]string) (map[string]string, bool) {
	changed := false
	for key, v := range want {
		if cur, ok := labels[key]; !ok || cur != v {
			changed = true
		}
	}
	if !changed {
		return labels, false
	}
	out := make(map[string]string, len(labels)+len(want))
	maps.Copy(out, labels)
	maps.Copy(out, want)
	return out, true
}

// updateNodeStatus writes the node's status when it changed or when the
// last report is older than NodeStatusReportFrequency.
func (k *Kubelet) updateNodeStatus(ctx context.Context, node *core.Node, lastReport time.Time) (*core.Node, time.Time) {
	now := time.Now()
	st := k.nodeStatus(node.Name, &node.Status, now)
	if !nodeStatusChanged(&node.Status, &st) && now.Sub(lastReport) < k.cfg.NodeStatusReportFrequency {
		return node, lastReport
	}
	nodes := k.client.CoreV1().Nodes()
	cp := *node
	cp.Status = st
	out, err := nodes.UpdateStatus(ctx, &cp, meta.UpdateOptions{})
	if apierrors.IsConflict(err) || apierrors.IsNotFound(err) {
		if fresh := k.registerNode(ctx, node.Name); fresh != nil {
			return fresh, now
		}
		return node, lastReport
	}
	if err != nil {
		k.log.Warn("updating node status failed", zap.String("node", node.Name), zap.Error(err))
		return node, lastReport
	}
	return out, now
}

// nodeStatusChanged compares statuses without the heartbeat times.
func nodeStatusChanged(a, b *core.NodeStatus) bool {
	// Only the conditions are written to: a shallow copy with its own
	// conditions slice leaves a and b untouched.
	strip := func(s *core.NodeStatus) *core.NodeStatus {
		cp := *s
		cp.Conditions = slices.Clone(s.Conditions)
		for i := range cp.Conditions {
			cp.Conditions[i].LastHeartbeatTime = meta.Time{}
		}
		return &cp
	}
	x, y := strip(a), strip(b)
	return !jsonEqual(x, y)
}

// renewLease creates or renews the node's Lease; it returns the lease to
// renew next time (nil to read it again).
func (k *Kubelet) renewLease(ctx context.Context, node *core.Node, lease *coordination.Lease) *coordination.Lease {
	leases := k.client.CoordinationV1().Leases(NodeLeaseNamespace)
	now := meta.NowMicro()
	cached := lease != nil
	if lease == nil {
		got, err := leases.Get(ctx, node.Name, meta.GetOptions{})
		switch {
		case apierrors.IsNotFound(err):
			lease = &coordination.Lease{ObjectMeta: meta.ObjectMeta{Name: node.Name, Namespace: NodeLeaseNamespace,
				OwnerReferences: []meta.OwnerReference{{APIVersion: "v1", Kind: "Node", Name: node.Name, UID: node.UID}}},
				Spec: coordination.LeaseSpec{HolderIdentity: meta.Ptr(node.Name),
					LeaseDurationSeconds: meta.Ptr(k.cfg.NodeLeaseDurationSeconds), RenewTime: &now}}
			out, err := leases.Create(ctx, lease, meta.CreateOptions{})
			if err != nil {
				k.log.Warn("creating node lease failed", zap.String("node", node.Name), zap.Error(err))
				return nil
			}
			return out
		case err != nil:
			k.log.Warn("reading node lease failed", zap.String("node", node.Name), zap.Error(err))
			return nil
		}
		lease = got
	}
	out, err := k.putLease(ctx, lease, node.Name, &now)
	if err != nil {
		if ctx.Err() == nil {
			k.log.Warn("renewing node lease failed", zap.String("node", node.Name), zap.Error(err))
		}
		// A cached copy went stale: read it again once, now. A copy read a
		// moment ago that conflicts again waits for the next tick (no
		// unbounded recursion against a busy writer).
		if apierrors.IsConflict(err) || apierrors.IsNotFound(err) {
			if cached {
				return k.renewLease(ctx, node, nil)
			}
			return nil
		}
		return lease
	}
	return out
}

// putLease renews lease (PUT, its resourceVersion the precondition) and
// returns the renewed lease. The copy written is the one kept: the answer
// differs only in what the server owns (uid, creationTimestamp), which an
// update keeps as stored, so only its resourceVersion is read. Only the
// spec's pointers are replaced, so a shallow copy leaves lease untouched.
func (k *Kubelet) putLease(ctx context.Context, lease *coordination.Lease, holder string, now *meta.MicroTime) (*coordination.Lease, error) {
	cp := *lease
	cp.APIVersion, cp.Kind = "coordination.k8s.io/v1", "Lease"
	cp.Spec.RenewTime = now
	cp.Spec.HolderIdentity = meta.Ptr(holder)
	cp.Spec.LeaseDurationSeconds = meta.Ptr(k.cfg.NodeLeaseDurationSeconds)
	out, err := k.client.RESTClient().Put().GroupVersion("coordination.k8s.io", "v1").Namespace(cp.Namespace).
		Resource("leases").Name(cp.Name).Body(&cp).Do(ctx).Raw()
	if err != nil {
		return nil, fmt.Errorf("renew lease %s: %w", cp.Name, err)
	}
	rv, err := resourceVersionOf(out)
	if err != nil {
		return nil, fmt.Errorf("renew lease %s: answer: %w", cp.Name, err)
	}
	cp.ResourceVersion = rv
	return &cp, nil
}
