package crdclients

import (
	"testing"
)

// TestCtlDiscoversCustomResources: once a definition is Established,
// every name kubectl accepts for its resource works in ctl.
func TestCtlDiscoversCustomResources(t *testing.T) {
	c := startCluster(t)
	if r := c.ctl(t, "get", "crontabs"); r.code == 0 || r.err != "error: the server doesn't have a resource type \"crontabs\"\n" {
		t.Errorf("before the definition: %+v", r)
	}
	c.installCronTab(t)
	c.mustCtlIn(t, "apiVersion: stable.example.com/v1\nkind: CronTab\nmetadata: {name: c1}\nspec: {cronSpec: '* * * * */5', image: img}\n", "apply", "-f", "-")
	for _, typ := range []string{"crontabs", "crontab", "ct", "CronTab", "crontabs.stable.example.com", "crontab.v1.stable.example.com", "ct/c1"} {
		out := c.mustCtl(t, "get", typ, "-o", "name")
		if out != "crontab.stable.example.com/c1\n" {
			t.Errorf("get %s -o name = %q", typ, out)
		}
	}
}
