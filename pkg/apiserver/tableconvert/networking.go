package tableconvert

import (
	"fmt"
	"strings"
	"time"

	"github.com/tinykube/tinykube/pkg/api/labels"
	"github.com/tinykube/tinykube/pkg/api/networking"
)

func init() {
	// kubectl's columns for ingresses, ingress classes and network
	// policies.
	register("Ingress", Printer{
		Columns: []ColumnDefinition{
			nameColumn,
			col("Class", "string", "The name of the IngressClass resource that should be used for additional configuration"),
			col("Hosts", "string", "Hosts that incoming requests are matched against before the ingress rule"),
			col("Address", "string", "Address is a list containing ingress points for the load-balancer"),
			col("Ports", "string", "Ports of TLS configurations that open"),
			ageColumn,
		},
		Cells: typed(func(ing *networking.Ingress, now time.Time) []any {
			class := "<none>"
			if ing.Spec.IngressClassName != nil {
				class = *ing.Spec.IngressClassName
			}
			return []any{ing.Name, class, ingressHosts(ing.Spec.Rules), ingressAddress(ing.Status.LoadBalancer),
				ingressPorts(ing.Spec.TLS), Age(ing.CreationTimestamp, now)}
		}),
	})
	register("IngressClass", Printer{
		Columns: []ColumnDefinition{
			nameColumn,
			col("Controller", "string", "Controller that is responsible for handling this class"),
			col("Parameters", "string", "A reference to a resource with additional parameters"),
			ageColumn,
		},
		Cells: typed(func(c *networking.IngressClass, now time.Time) []any {
			return []any{c.Name, c.Spec.Controller, ingressClassParameters(c.Spec.Parameters), Age(c.CreationTimestamp, now)}
		}),
	})
	register("NetworkPolicy", Printer{
		Columns: []ColumnDefinition{
			nameColumn,
			col("Pod-Selector", "string", "podSelector selects the pods to which this NetworkPolicy object applies; an empty selector matches every pod of the namespace."),
			ageColumn,
		},
		Cells: typed(func(np *networking.NetworkPolicy, now time.Time) []any {
			return []any{np.Name, labels.FormatLabelSelector(&np.Spec.PodSelector), Age(np.CreationTimestamp, now)}
		}),
	})
}

// maxIngressHosts is how many hosts kubectl lists before "+ N more...".
const maxIngressHosts = 3

// ingressHosts renders the rules' hosts as kubectl does: the first three
// non-empty ones; when a rule follows the third, " + N more..." with N the
// number of rules beyond three; "*" when no rule names a host.
func ingressHosts(rules []networking.IngressRule) string {
	var hosts []string
	more := false
	for _, r := range rules {
		if len(hosts) == maxIngressHosts {
			more = true
			break
		}
		if r.Host != "" {
			hosts = append(hosts, r.Host)
		}
	}
	if len(hosts) == 0 {
		return "*"
	}
	s := strings.Join(hosts, ",")
	if more {
		s += fmt.Sprintf(" + %d more...", len(rules)-maxIngressHosts)
	}
	return s
}

// loadBalancerWidth is where kubectl cuts a long ADDRESS.
const loadBalancerWidth = 16

// ingressAddress lists the load balancer's IPs and hostnames, cut to 16
// characters ("..." ending) as kubectl's non-wide output.
func ingressAddress(s networking.IngressLoadBalancerStatus) string {
	var points []string
	for _, in := range s.Ingress {
		switch {
		case in.IP != "":
			points = append(points, in.IP)
		case in.Hostname != "":
			points = append(points, in.Hostname)
		}
	}
	r := strings.Join(points, ",")
	if len(r) > loadBalancerWidth {
		r = r[:loadBalancerWidth-3] + "..."
	}
	return r
}

// ingressPorts is "80", or "80, 443" when the Ingress has TLS.
func ingressPorts(tls []networking.IngressTLS) string {
	if len(tls) != 0 {
		return "80, 443"
	}
	return "80"
}

// ingressClassParameters renders the parameters reference as
// Kind[.apiGroup]/name, "<none>" when unset.
func ingressClassParameters(p *networking.IngressClassParametersReference) string {
	if p == nil {
		return "<none>"
	}
	s := p.Kind
	if p.APIGroup != nil {
		s += "." + *p.APIGroup
	}
	return s + "/" + p.Name
}
