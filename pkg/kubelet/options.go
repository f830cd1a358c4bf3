package kubelet

import (
	"fmt"
	"net"
	"os"
	"strings"
	"time"

	"github.com/spf13/pflag"

	"github.com/tinykube/tinykube/pkg/api/core"
	"github.com/tinykube/tinykube/pkg/api/resource"
)

// Options are the kubelet's flags.
type Options struct {
	NodeName                  string
	Runtime                   string
	Nodes                     int
	RootDir                   string
	NodeLabels                string
	RegisterWithTaints        []string
	MaxPods                   int
	NodeIP                    string
	Address                   string
	Port                      int
	CapacityCPU               string
	CapacityMemory            string
	NodeStatusUpdateFrequency time.Duration
	NodeStatusReportFrequency time.Duration
	NodeLeaseDurationSeconds  int32
	// Profiling serves /debug/pprof on --port (the real kubelet serves it
	// when enableDebuggingHandlers and enableProfilingHandler are set).
	Profiling bool
}

// NewOptions returns the defaults.
func NewOptions() *Options {
	host, _ := os.Hostname()
	root := "./.local/kubelet"
	if os.Geteuid() == 0 {
		root = "/var/lib/kubelet"
	}
	return &Options{NodeName: strings.ToLower(host), Runtime: "process", Nodes: 1, RootDir: root, MaxPods: 110,
		Address: "0.0.0.0", Port: 10250, NodeStatusUpdateFrequency: 10 * time.Second, NodeLeaseDurationSeconds: 40}
}

// AddFlags registers the kubelet's flags.
func (o *Options) AddFlags(fs *pflag.FlagSet) {
	fs.StringVar(&o.NodeName, "node-name", o.NodeName, "the node's name (default: the hostname)")
	fs.StringVar(&o.Runtime, "runtime", o.Runtime, "process (real child processes) or simulated (no process)")
	fs.IntVar(&o.Nodes, "nodes", o.Nodes, "simulated runtime: serve this many nodes named <node-name>-<i>")
	fs.StringVar(&o.RootDir, "root-dir", o.RootDir, "directory of pods' working directories, state and logs")
	fs.StringVar(&o.NodeLabels, "node-labels", o.NodeLabels, "labels to add to the node: key=value,key2=value2")
	fs.StringSliceVar(&o.RegisterWithTaints, "register-with-taints", o.RegisterWithTaints, "taints to register the node with: key=value:Effect")
	fs.IntVar(&o.MaxPods, "max-pods", o.MaxPods, "the node's pod capacity")
	fs.StringVar(&o.NodeIP, "node-ip", o.NodeIP, "the node's IP (InternalIP, hostIP and podIP); default: detected")
	fs.StringVar(&o.Address, "address", o.Address, "the IP address to serve on (0.0.0.0: every IPv4 interface)")
	fs.IntVar(&o.Port, "port", o.Port, "the kubelet's HTTP port (0: pick a free one)")
	fs.StringVar(&o.CapacityCPU, "capacity-cpu", o.CapacityCPU, "the node's cpu capacity (default: the machine's)")
	fs.StringVar(&o.CapacityMemory, "capacity-memory", o.CapacityMemory, "the node's memory capacity (default: the machine's)")
	fs.DurationVar(&o.NodeStatusUpdateFrequency, "node-status-update-frequency", o.NodeStatusUpdateFrequency, "how often node status is computed (and written when changed)")
	fs.DurationVar(&o.NodeStatusReportFrequency, "node-status-report-frequency", o.NodeStatusReportFrequency, "how often unchanged node status is written anyway (default: 5m, or the update frequency when --node-status-update-frequency is given; the node's Lease is its heartbeat)")
	fs.Int32Var(&o.NodeLeaseDurationSeconds, "node-lease-duration-seconds", o.NodeLeaseDurationSeconds, "the node lease's duration; it is renewed every quarter of it")
	fs.BoolVar(&o.Profiling, "profiling", o.Profiling, "serve /debug/pprof/ (CPU, heap, goroutine profiles) on --port, as the scheduler and controller-manager do")
}

// DefaultNodeStatusReportFrequency is Kubernetes' nodeStatusReportFrequency:
// with node Leases as heartbeats, unchanged node status is written every
// five minutes only.
const DefaultNodeStatusReportFrequency = 5 * time.Minute

// StatusReportFrequency is --node-status-report-frequency or, when it is
// not given, Kubernetes' default: DefaultNodeStatusReportFrequency, or the
// update frequency when --node-status-update-frequency was given
// (updateGiven), as the real kubelet keeps for compatibility.
func (o *Options) StatusReportFrequency(updateGiven bool) time.Duration {
	switch {
	case o.NodeStatusReportFrequency > 0:
		return o.NodeStatusReportFrequency
	case updateGiven:
		return o.NodeStatusUpdateFrequency
	}
	return DefaultNodeStatusReportFrequency
}

// NodeNames are the names of the nodes to serve.
func (o *Options) NodeNames() ([]string, error) {
	if o.NodeName == "" {
		return nil, fmt.Errorf("--node-name is required (no hostname found)")
	}
	if o.Nodes <= 1 {
		return []string{o.NodeName}, nil
	}
	if o.Runtime != "simulated" {
		return nil, fmt.Errorf("--nodes=%d needs --runtime=simulated", o.Nodes)
	}
	out := make([]string, o.Nodes)
	for i := range out {
		out[i] = fmt.Sprintf("%s-%d", o.NodeName, i)
	}
	return out, nil
}

// Capacity is the machine's capacity with the flags' overrides.
func (o *Options) Capacity() (core.ResourceList, error) {
	c, err := MachineCapacity(o.MaxPods)
	if err != nil && o.CapacityMemory == "" {
		return nil, err
	}
	for name, v := range map[core.ResourceName]string{core.ResourceCPU: o.CapacityCPU, core.ResourceMemory: o.CapacityMemory} {
		if v == "" {
			continue
		}
		q, err := resource.ParseQuantity(v)
		if err != nil {
			return nil, fmt.Errorf("capacity of %s: %w", name, err)
		}
		c[name] = q
	}
	return c, nil
}

// ParseNodeLabels parses "k=v,k2=v2". As Kubernetes' kubelet, it refuses
// labels under kubernetes.io or k8s.io that a kubelet may not set on its
// Node (core.IsKubeletLabel): the apiserver's node restriction would refuse
// the registration.
func ParseNodeLabels(s string) (map[string]string, error) {
	out := map[string]string{}
	var restricted []string
	for _, kv := range strings.Split(s, ",") {
		if kv = strings.TrimSpace(kv); kv == "" {
			continue
		}
		k, v, ok := strings.Cut(kv, "=")
		if !ok || k == "" {
			return nil, fmt.Errorf("node label %q is not key=value", kv)
		}
		if !core.IsKubeletLabel(k) {
			restricted = append(restricted, k)
		}
		out[k] = v
	}
	if len(restricted) > 0 {
		return nil, fmt.Errorf("--node-labels: labels under kubernetes.io or k8s.io must be the kubelet's own "+
			"(kubernetes.io/hostname, topology.kubernetes.io/zone, ...) or under kubelet.kubernetes.io or node.kubernetes.io, "+
			"and none under %s: %s", core.LabelNamespaceNodeRestriction, strings.Join(restricted, ", "))
	}
	return out, nil
}

// ParseTaints parses "key=value:Effect" or "key:Effect" items.
func ParseTaints(items []string) ([]core.Taint, error) {
	var out []core.Taint
	for _, s := range items {
		kv, effect, ok := strings.Cut(s, ":")
		if !ok {
			return nil, fmt.Errorf("taint %q has no effect (key=value:Effect)", s)
		}
		e := core.TaintEffect(effect)
		if e != core.TaintEffectNoSchedule && e != core.TaintEffectPreferNoSchedule && e != core.TaintEffectNoExecute {
			return nil, fmt.Errorf("taint %q: unknown effect %q", s, effect)
		}
		k, v, _ := strings.Cut(kv, "=")
		if k == "" {
			return nil, fmt.Errorf("taint %q has no key", s)
		}
		out = append(out, core.Taint{Key: k, Value: v, Effect: e})
	}
	return out, nil
}

// DetectAddress is the first non-loopback IPv4 address of the machine, or
// 127.0.0.1.
func DetectAddress() string {
	addrs, err := net.InterfaceAddrs()
	if err == nil {
		for _, a := range addrs {
			if ipn, ok := a.(*net.IPNet); ok && !ipn.IP.IsLoopback() && ipn.IP.To4() != nil {
				return ipn.IP.String()
			}
		}
	}
	return "127.0.0.1"
}
