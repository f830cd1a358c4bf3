package leaderelection

import (
	"github.com/prometheus/client_golang/prometheus"
)

// masterStatus is leader_election_master_status{name}: 1 while this process
// leads the named lease, 0 otherwise (the name Kubernetes uses).
var masterStatus = prometheus.NewGaugeVec(prometheus.GaugeOpts{
	Name: "leader_election_master_status",
	Help: "1 while this process holds the named leader-election lease, 0 while it stands by.",
}, []string{"name"})

func init() { prometheus.MustRegister(masterStatus) }
