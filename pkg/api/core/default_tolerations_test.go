package core

import "testing"

func TestAddDefaultTolerationSeconds(t *testing.T) {
	for _, tc := range []struct {
		name        string
		tols        []Toleration
		wantChanged bool
		wantLen     int
	}{
		{"none", nil, true, 2},
		{"has not-ready", []Toleration{{Key: TaintNodeNotReady, Operator: TolerationOpExists, Effect: TaintEffectNoExecute}}, true, 2},
		{"tolerates everything", []Toleration{{Operator: TolerationOpExists}}, false, 1},
		{"both already", []Toleration{{Key: TaintNodeNotReady, Operator: TolerationOpExists}, {Key: TaintNodeUnreachable, Operator: TolerationOpExists}}, false, 2},
		{"NoSchedule does not count", []Toleration{{Key: TaintNodeNotReady, Operator: TolerationOpExists, Effect: TaintEffectNoSchedule}}, true, 3},
	} {
		p := &Pod{Spec: PodSpec{Tolerations: tc.tols}}
		changed := AddDefaultTolerationSeconds(p, 300, 200)
		if changed != tc.wantChanged || len(p.Spec.Tolerations) != tc.wantLen {
			t.Errorf("%s: changed=%v len=%d, want %v %d", tc.name, changed, len(p.Spec.Tolerations), tc.wantChanged, tc.wantLen)
		}
		for _, tol := range p.Spec.Tolerations {
			if tol.Key == TaintNodeUnreachable && tol.TolerationSeconds != nil && *tol.TolerationSeconds != 200 && tc.name == "none" {
				t.Errorf("%s: unreachable seconds %d", tc.name, *tol.TolerationSeconds)
			}
		}
	}
}

func TestGetNodeHostIP(t *testing.T) {
	n := &Node{Status: NodeStatus{Addresses: []NodeAddress{{Type: NodeExternalIP, Address: "1.2.3.4"}, {Type: NodeInternalIP, Address: "10.0.0.1"}}}}
	if ip, err := GetNodeHostIP(n); err != nil || ip != "10.0.0.1" {
		t.Errorf("got %q %v", ip, err)
	}
	if _, err := GetNodeHostIP(&Node{}); err == nil {
		t.Error("no addresses should fail")
	}
}
