package crd

import (
	"encoding/json"
	"net/http"
	"regexp"
	"strings"
	"testing"
)

// ages replaces the AGE cells kubectl prints (0s, 1s, ...) with <age>.
var ages = regexp.MustCompile(`(?m) [0-9]+s$`)

// TestKubectlGetCustomObjects: kubectl get prints custom objects with the
// columns the server's Table gives, as on Kubernetes: NAME, then the
// version's additionalPrinterColumns (priority > 0 only with -o wide,
// missing values empty), and NAME AGE for a version that declares none.
func TestKubectlGetCustomObjects(t *testing.T) {
	c := newClient(t)
	k := newKubectlSession(t, c)
	k.must("apply", "-f", k.file("crd.yaml", describedCronTabCRD))
	k.must("wait", "--for=condition=Established", "--timeout=30s", "crd/crontabs.stable.example.com")
	eventually(t, "crontabs served", func() bool {
		return c.send("GET", "/apis/stable.example.com/v1/namespaces/default/crontabs", nil).code == http.StatusOK
	})
	k.must("apply", "-f", k.file("ct.yaml", cronTabManifest+"---\n"+
		"apiVersion: stable.example.com/v1\nkind: CronTab\nmetadata:\n  name: no-image\nspec:\n  cronSpec: '@hourly'\n  replicas: 3\n"))

	// v2, the preferred version, declares no columns; v1 is named.
	for _, tt := range []struct {
		args []string
		want string
	}{{
		[]string{"get", "crontabs.v1.stable.example.com"},
		"NAME                 SPEC          REPLICAS   AGE\n" +
			"my-new-cron-object   * * * * */5   1          <age>\n" +
			"no-image             @hourly       3          <age>\n",
	}, {
		[]string{"get", "crontabs.v1.stable.example.com", "-o", "wide"},
		"NAME                 SPEC          REPLICAS   IMAGE                   AGE\n" +
			"my-new-cron-object   * * * * */5   1          my-awesome-cron-image   <age>\n" +
			"no-image             @hourly       3                                  <age>\n",
	}, {
		[]string{"get", "crontabs.v1.stable.example.com", "-A", "--field-selector=metadata.name=no-image"},
		"NAMESPACE   NAME       SPEC      REPLICAS   AGE\n" +
			"default     no-image   @hourly   3          <age>\n",
	}, {
		[]string{"get", "ct"},
		"NAME                 AGE\n" +
			"my-new-cron-object   <age>\n" +
			"no-image             <age>\n",
	}, {
		[]string{"get", "crontabs.v1.stable.example.com", "--no-headers", "--sort-by=.spec.replicas"},
		"my-new-cron-object   * * * * */5   1     <age>\n" +
			"no-image             @hourly       3     <age>\n",
	}} {
		if got := ages.ReplaceAllString(k.must(tt.args...), " <age>"); got != tt.want {
			t.Errorf("kubectl %s:\n%s\nwant:\n%s", strings.Join(tt.args, " "), got, tt.want)
		}
	}

	// The Table itself: typed cells, a null cell for a missing value, the
	// object as includeObject asks.
	req, err := http.NewRequest("GET", c.srv.URL+"/apis/stable.example.com/v1/namespaces/default/crontabs/no-image?includeObject=Object", nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Accept", "application/json;as=Table;v=v1;g=meta.k8s.io,application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var tbl struct {
		Kind    string `json:"kind"`
		Columns []struct {
			Name     string `json:"name"`
			Type     string `json:"type"`
			Priority int    `json:"priority"`
		} `json:"columnDefinitions"`
		Rows []struct {
			Cells  []any  `json:"cells"`
			Object object `json:"object"`
		} `json:"rows"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&tbl); err != nil || resp.StatusCode != http.StatusOK || tbl.Kind != "Table" {
		t.Fatalf("table: code %d kind %q: %v", resp.StatusCode, tbl.Kind, err)
	}
	var cols []string
	for _, col := range tbl.Columns {
		cols = append(cols, col.Name+"/"+col.Type)
	}
	if strings.Join(cols, " ") != "Name/string Spec/string Replicas/integer Image/string Age/date" || tbl.Columns[3].Priority != 1 {
		t.Errorf("columns: %v", tbl.Columns)
	}
	if len(tbl.Rows) != 1 {
		t.Fatalf("rows: %+v", tbl.Rows)
	}
	cells := tbl.Rows[0].Cells
	if len(cells) != 5 || cells[0] != "no-image" || cells[1] != "@hourly" || cells[2] != float64(3) || cells[3] != nil {
		t.Errorf("cells: %#v", cells)
	}
	if o := tbl.Rows[0].Object; o.Kind != "CronTab" || o.Spec["cronSpec"] != "@hourly" {
		t.Errorf("row object: %+v", o)
	}
}
