package tableconvert

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/tinykube/tinykube/pkg/api/discovery"
)

func init() {
	// kubectl get endpointslices: NAME ADDRESSTYPE PORTS ENDPOINTS AGE.
	register("EndpointSlice", Printer{
		Columns: []ColumnDefinition{
			nameColumn,
			col("AddressType", "string", "addressType specifies the type of address carried by this EndpointSlice."),
			col("Ports", "string", "ports specifies the list of network ports exposed by each endpoint in this slice."),
			col("Endpoints", "string", "endpoints is a list of unique endpoints in this slice."),
			ageColumn,
		},
		Cells: typed(func(s *discovery.EndpointSlice, now time.Time) []any {
			return []any{s.Name, string(s.AddressType), slicePortsString(s.Ports), sliceEndpointsString(s.Endpoints),
				Age(s.CreationTimestamp, now)}
		}),
	})
}

// slicePortsString lists up to three port numbers (a port's name when it
// has no number, "*" when it has neither), then "+ N more...".
func slicePortsString(ports []discovery.EndpointPort) string {
	all := make([]string, 0, len(ports))
	for _, p := range ports {
		switch {
		case p.Port != nil:
			all = append(all, strconv.Itoa(int(*p.Port)))
		case p.Name != nil:
			all = append(all, *p.Name)
		default:
			all = append(all, "*")
		}
	}
	return firstThree(all)
}

// sliceEndpointsString lists up to three addresses, then "+ N more...".
func sliceEndpointsString(eps []discovery.Endpoint) string {
	var all []string
	for _, e := range eps {
		all = append(all, e.Addresses...)
	}
	return firstThree(all)
}

// firstThree is kubectl's list of at most three items with a count of the
// rest; an empty list is <unset>.
func firstThree(all []string) string {
	switch {
	case len(all) == 0:
		return unset
	case len(all) > 3:
		return strings.Join(all[:3], ",") + fmt.Sprintf(" + %d more...", len(all)-3)
	}
	return strings.Join(all, ",")
}
