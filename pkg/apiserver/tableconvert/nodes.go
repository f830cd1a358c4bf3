package tableconvert

import (
	"sort"
	"strings"
	"time"

	"github.com/tinykube/tinykube/pkg/api/core"
)

func init() {
	register("Node", Printer{
		Columns: []ColumnDefinition{
			nameColumn,
			col("Status", "string", "The status of the node"),
			col("Roles", "string", "The roles of the node"),
			ageColumn,
			col("Version", "string", "Kubelet Version reported by the node."),
			wide("Internal-IP", "string", "List of internal IPs for the node."),
			wide("External-IP", "string", "List of external IPs for the node."),
			wide("OS-Image", "string", "OS image reported by the node."),
			wide("Kernel-Version", "string", "Kernel version reported by the node."),
			wide("Container-Runtime", "string", "Container runtime version reported by the node."),
		},
		Cells: typed(nodeCells),
	})
	register("Namespace", Printer{
		Columns: []ColumnDefinition{nameColumn,
			col("Status", "string", "The status of the namespace"), ageColumn},
		Cells: typed(func(ns *core.Namespace, now time.Time) []any {
			return []any{ns.Name, string(ns.Status.Phase), Age(ns.CreationTimestamp, now)}
		}),
	})
}

const (
	labelNodeRolePrefix = "node-role.kubernetes.io/"
	labelNodeRole       = "kubernetes.io/role"
)

func nodeCells(n *core.Node, now time.Time) []any {
	return []any{
		n.Name, NodeStatus(n), NodeRoles(n), Age(n.CreationTimestamp, now), n.Status.NodeInfo.KubeletVersion,
		nodeAddress(n, core.NodeInternalIP), nodeAddress(n, core.NodeExternalIP),
		orUnknown(n.Status.NodeInfo.OSImage), orUnknown(n.Status.NodeInfo.KernelVersion),
		orUnknown(n.Status.NodeInfo.ContainerRuntimeVersion),
	}
}

// NodeStatus is "Ready", "NotReady" or "Unknown", with
// ",SchedulingDisabled" for a cordoned node.
func NodeStatus(n *core.Node) string {
	status := "Unknown"
	if _, c := core.GetNodeCondition(&n.Status, core.NodeReady); c != nil {
		if c.Status == core.ConditionTrue {
			status = "Ready"
		} else {
			status = "NotReady"
		}
	}
	if n.Spec.Unschedulable {
		status += ",SchedulingDisabled"
	}
	return status
}

// NodeRoles lists the node's roles from its node-role.kubernetes.io/ROLE
// and kubernetes.io/role labels, or "<none>".
func NodeRoles(n *core.Node) string {
	roles := map[string]bool{}
	for k, v := range n.Labels {
		switch {
		case strings.HasPrefix(k, labelNodeRolePrefix):
			if r := strings.TrimPrefix(k, labelNodeRolePrefix); r != "" {
				roles[r] = true
			}
		case k == labelNodeRole && v != "":
			roles[v] = true
		}
	}
	if len(roles) == 0 {
		return none
	}
	out := make([]string, 0, len(roles))
	for r := range roles {
		out = append(out, r)
	}
	sort.Strings(out)
	return strings.Join(out, ",")
}

func nodeAddress(n *core.Node, t core.NodeAddressType) string {
	for _, a := range n.Status.Addresses {
		if a.Type == t {
			return a.Address
		}
	}
	return none
}

func orUnknown(s string) string {
	if s == "" {
		return "<unknown>"
	}
	return s
}
