package tableconvert

import (
	"fmt"
	"strings"
	"time"

	"github.com/tinykube/tinykube/pkg/api/coordination"
	"github.com/tinykube/tinykube/pkg/api/core"
)

func init() {
	register("Service", Printer{
		Columns: []ColumnDefinition{
			nameColumn,
			col("Type", "string", "The type of the service."),
			col("Cluster-IP", "string", "The cluster IP of the service."),
			col("External-IP", "string", "The external IP of the service."),
			col("Port(s)", "string", "The ports of the service."),
			ageColumn,
			wide("Selector", "string", "The selector of the service."),
		},
		Cells: typed(serviceCells),
	})
	register("Endpoints", Printer{
		Columns: []ColumnDefinition{nameColumn,
			col("Endpoints", "string", "The endpoints of the service."), ageColumn},
		Cells: typed(func(e *core.Endpoints, now time.Time) []any {
			return []any{e.Name, endpointsString(e), Age(e.CreationTimestamp, now)}
		}),
	})
	register("ConfigMap", Printer{
		Columns: []ColumnDefinition{nameColumn, col("Data", "integer", "The number of keys."), ageColumn},
		Cells: typed(func(c *core.ConfigMap, now time.Time) []any {
			return []any{c.Name, int64(len(c.Data) + len(c.BinaryData)), Age(c.CreationTimestamp, now)}
		}),
	})
	register("Secret", Printer{
		Columns: []ColumnDefinition{nameColumn, col("Type", "string", "The type of the secret."),
			col("Data", "integer", "The number of keys."), ageColumn},
		Cells: typed(func(s *core.Secret, now time.Time) []any {
			return []any{s.Name, string(s.Type), int64(len(s.Data)), Age(s.CreationTimestamp, now)}
		}),
	})
	register("Lease", Printer{
		Columns: []ColumnDefinition{nameColumn, col("Holder", "string", "The holder of the lease."), ageColumn},
		Cells: typed(func(l *coordination.Lease, now time.Time) []any {
			holder := ""
			if l.Spec.HolderIdentity != nil {
				holder = *l.Spec.HolderIdentity
			}
			return []any{l.Name, holder, Age(l.CreationTimestamp, now)}
		}),
	})
	register("Event", Printer{
		Columns: []ColumnDefinition{
			col("Last Seen", "string", "The time since the event was last seen."),
			col("Type", "string", "The type of the event."),
			col("Reason", "string", "The reason of the event."),
			col("Object", "string", "The object the event is about."),
			wide("Subobject", "string", "The part of the object the event is about."),
			wide("Source", "string", "The component that reported the event."),
			col("Message", "string", "The message of the event."),
			wide("First Seen", "string", "The time since the event was first seen."),
			wide("Count", "integer", "How many times the event happened."),
			wide("Name", "string", "The name of the event."),
		},
		Cells: typed(eventCells),
	})
}

func serviceCells(s *core.Service, now time.Time) []any {
	ip := s.Spec.ClusterIP
	if ip == "" {
		ip = none
	}
	typ := s.Spec.Type
	if typ == "" {
		typ = core.ServiceTypeClusterIP
	}
	return []any{s.Name, string(typ), ip, externalIP(s), servicePorts(s.Spec.Ports),
		Age(s.CreationTimestamp, now), selectorMap(s.Spec.Selector)}
}

func externalIP(s *core.Service) string {
	switch s.Spec.Type {
	case core.ServiceTypeExternalName:
		return s.Spec.ExternalName
	case core.ServiceTypeLoadBalancer:
		var ips []string
		for _, in := range s.Status.LoadBalancer.Ingress {
			if in.IP != "" {
				ips = append(ips, in.IP)
			} else if in.Hostname != "" {
				ips = append(ips, in.Hostname)
			}
		}
		ips = append(ips, s.Spec.ExternalIPs...)
		if len(ips) == 0 {
			return "<pending>"
		}
		return strings.Join(ips, ",")
	}
	return joinOr(s.Spec.ExternalIPs)
}

func servicePorts(ports []core.ServicePort) string {
	var out []string
	for _, p := range ports {
		proto := p.Protocol
		if proto == "" {
			proto = core.ProtocolTCP
		}
		if p.NodePort != 0 {
			out = append(out, fmt.Sprintf("%d:%d/%s", p.Port, p.NodePort, proto))
		} else {
			out = append(out, fmt.Sprintf("%d/%s", p.Port, proto))
		}
	}
	return joinOr(out)
}

// endpointsString lists up to three ip:port pairs, then "+ N more...".
func endpointsString(e *core.Endpoints) string {
	var all []string
	for _, ss := range e.Subsets {
		for _, a := range ss.Addresses {
			if len(ss.Ports) == 0 {
				all = append(all, a.IP)
			}
			for _, p := range ss.Ports {
				all = append(all, fmt.Sprintf("%s:%d", a.IP, p.Port))
			}
		}
	}
	if len(all) == 0 {
		return none
	}
	if len(all) > 3 {
		return strings.Join(all[:3], ",") + fmt.Sprintf(" + %d more...", len(all)-3)
	}
	return strings.Join(all, ",")
}

func eventCells(e *core.Event, now time.Time) []any {
	last := e.LastTimestamp
	if last.IsZero() && !e.EventTime.IsZero() {
		last.Time = e.EventTime.Time
	}
	first := e.FirstTimestamp
	if first.IsZero() && !e.EventTime.IsZero() {
		first.Time = e.EventTime.Time
	}
	if last.IsZero() {
		last = e.CreationTimestamp
	}
	obj := strings.ToLower(e.InvolvedObject.Kind) + "/" + e.InvolvedObject.Name
	source := e.Source.Component
	if source == "" {
		source = e.ReportingController
	}
	if e.Source.Host != "" {
		source += ", " + e.Source.Host
	}
	count := int64(e.Count)
	if e.Series != nil {
		count = int64(e.Series.Count)
	}
	return []any{Age(last, now), e.Type, e.Reason, obj, e.InvolvedObject.FieldPath, source,
		strings.TrimSpace(e.Message), Age(first, now), count, e.Name}
}
