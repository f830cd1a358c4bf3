package validation

import (
	"encoding/json"
	"slices"
	"testing"

	"github.com/tinykube/tinykube/pkg/api/apiextensions"
	"github.com/tinykube/tinykube/pkg/api/core"
	"github.com/tinykube/tinykube/pkg/api/meta"
)

// sampleCRD is the shared CronTab sample, defaulted.
func sampleCRD(t *testing.T) *apiextensions.CustomResourceDefinition {
	t.Helper()
	const js = `{"apiVersion":"apiextensions.k8s.io/v1","kind":"CustomResourceDefinition",
"metadata":{"name":"crontabs.stable.example.com"},
"spec":{"group":"stable.example.com","scope":"Namespaced",
 "names":{"plural":"crontabs","singular":"crontab","kind":"CronTab","shortNames":["ct"]},
 "versions":[{"name":"v1","served":true,"storage":true,
  "schema":{"openAPIV3Schema":{"type":"object","properties":{
   "spec":{"type":"object","properties":{"cronSpec":{"type":"string"},"image":{"type":"string"},"replicas":{"type":"integer","minimum":1,"maximum":10,"default":1}}},
   "status":{"type":"object","properties":{"replicas":{"type":"integer"},"labelSelector":{"type":"string"}}}}}},
  "subresources":{"status":{},"scale":{"specReplicasPath":".spec.replicas","statusReplicasPath":".status.replicas","labelSelectorPath":".status.labelSelector"}},
  "additionalPrinterColumns":[{"name":"Spec","type":"string","jsonPath":".spec.cronSpec"},{"name":"Replicas","type":"integer","jsonPath":".spec.replicas"},{"name":"Age","type":"date","jsonPath":".metadata.creationTimestamp"}]}]}}`
	crd := &apiextensions.CustomResourceDefinition{}
	if err := json.Unmarshal([]byte(js), crd); err != nil {
		t.Fatal(err)
	}
	apiextensions.DefaultCustomResourceDefinition(crd)
	crd.Finalizers = []string{apiextensions.CustomResourceCleanupFinalizer}
	return crd
}

func TestValidateCustomResourceDefinition(t *testing.T) {
	for _, tc := range []struct {
		name   string
		mutate func(*apiextensions.CustomResourceDefinition)
		want   []string
	}{
		{"valid sample", func(*apiextensions.CustomResourceDefinition) {}, nil},
		{"name must be plural.group", func(c *apiextensions.CustomResourceDefinition) { c.Name = "crontab.stable.example.com" },
			[]string{`metadata.name: Invalid value: "crontab.stable.example.com": must be spec.names.plural+"."+spec.group`}},
		{"group needs a dot", func(c *apiextensions.CustomResourceDefinition) { c.Spec.Group = "example"; c.Name = "crontabs.example" },
			[]string{`spec.group: Invalid value: "example": should be a domain with at least one dot`}},
		{"group required", func(c *apiextensions.CustomResourceDefinition) { c.Spec.Group = ""; c.Name = "crontabs." },
			[]string{`metadata.name: Invalid value: "crontabs.": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')`,
				`spec.group: Required value`}},
		{"scope", func(c *apiextensions.CustomResourceDefinition) { c.Spec.Scope = "Global" },
			[]string{`spec.scope: Unsupported value: "Global": supported values: "Cluster", "Namespaced"`}},
		{"names", func(c *apiextensions.CustomResourceDefinition) {
			c.Spec.Names.Singular = "Cron_Tab"
			c.Spec.Names.ShortNames = []string{"c t"}
			c.Spec.Names.ListKind = "CronTab"
			c.Spec.Names.Categories = []string{"all", "Bad"}
		}, []string{
			`spec.names.singular: Invalid value: "Cron_Tab": a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')`,
			`spec.names.shortNames: Invalid value: "c t": a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')`,
			`spec.names.categories: Invalid value: "Bad": a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')`,
			`spec.names.listKind: Invalid value: "CronTab": kind and listKind may not be the same`}},
		{"finalizers are qualified names", func(c *apiextensions.CustomResourceDefinition) { c.Finalizers = append(c.Finalizers, "bad finalizer") },
			[]string{`metadata.finalizers: Invalid value: "bad finalizer": name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')`}},
		{"kind required", func(c *apiextensions.CustomResourceDefinition) { c.Spec.Names.Kind = "" },
			[]string{`spec.names.kind: Required value`}},
		{"kind mixed case", func(c *apiextensions.CustomResourceDefinition) { c.Spec.Names.Kind = "Cron.Tab" },
			[]string{`spec.names.kind: Invalid value: "Cron.Tab": may have mixed case, but should otherwise match: a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')`}},
		{"no versions", func(c *apiextensions.CustomResourceDefinition) { c.Spec.Versions = nil },
			[]string{`spec.versions: Required value: must have at least one version`,
				`status.storedVersions[0]: Invalid value: "v1": must appear in spec.versions`}},
		{"versions unique, served, one storage", func(c *apiextensions.CustomResourceDefinition) {
			v := c.Spec.Versions[0]
			v.Served = false
			c.Spec.Versions[0].Served = false
			c.Spec.Versions = append(c.Spec.Versions, v)
		}, []string{`spec.versions[1].name: Duplicate value: "v1"`,
			`spec.versions: Invalid value: must have at least one version marked as served`,
			`spec.versions: Invalid value: must have exactly one version marked as storage version`}},
		{"version name", func(c *apiextensions.CustomResourceDefinition) {
			c.Spec.Versions[0].Name = "V1"
			c.Status.StoredVersions = []string{"V1"}
		}, []string{`spec.versions[0].name: Invalid value: "V1": a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')`}},
		{"schema required", func(c *apiextensions.CustomResourceDefinition) { c.Spec.Versions[0].Schema = nil },
			[]string{`spec.versions[0].schema.openAPIV3Schema: Required value: schemas are required`}},
		{"schema structural", func(c *apiextensions.CustomResourceDefinition) {
			s := c.Spec.Versions[0].Schema.OpenAPIV3Schema.Properties["spec"]
			s.Type = ""
			c.Spec.Versions[0].Schema.OpenAPIV3Schema.Properties["spec"] = s
		}, []string{`spec.versions[0].schema.openAPIV3Schema.properties[spec].type: Required value: must not be empty for specified object fields`}},
		{"printer columns", func(c *apiextensions.CustomResourceDefinition) {
			c.Spec.Versions[0].AdditionalPrinterColumns = []apiextensions.CustomResourceColumnDefinition{
				{Name: "A", Type: "float", JSONPath: "spec.a"}, {Name: "", Type: "string", JSONPath: ""}, {Name: "B", Type: "date", Format: "time", JSONPath: ".x[0"},
			}
		}, []string{`spec.versions[0].additionalPrinterColumns[0].type: Unsupported value: "float": supported values: "integer", "number", "string", "boolean", "date"`,
			`spec.versions[0].additionalPrinterColumns[0].jsonPath: Invalid value: "spec.a": must be a simple json path starting with .`,
			`spec.versions[0].additionalPrinterColumns[1].name: Required value`,
			`spec.versions[0].additionalPrinterColumns[1].jsonPath: Required value`,
			`spec.versions[0].additionalPrinterColumns[2].format: Unsupported value: "time": supported values: "int32", "int64", "float", "double", "byte", "date", "date-time", "password"`,
			`spec.versions[0].additionalPrinterColumns[2].jsonPath: Invalid value: ".x[0": must be a json path in the dot notation: jsonpath: unclosed [ in "[0"`}},
		{"scale paths", func(c *apiextensions.CustomResourceDefinition) {
			sel := ".metadata.labels"
			c.Spec.Versions[0].Subresources.Scale = &apiextensions.CustomResourceSubresourceScale{SpecReplicasPath: ".status.replicas", StatusReplicasPath: "", LabelSelectorPath: &sel}
		}, []string{`spec.versions[0].subresources.scale.specReplicasPath: Invalid value: ".status.replicas": should be a json path under .spec`,
			`spec.versions[0].subresources.scale.statusReplicasPath: Required value`,
			`spec.versions[0].subresources.scale.labelSelectorPath: Invalid value: ".metadata.labels": should be a json path under either .spec or .status`}},
		{"conversion", func(c *apiextensions.CustomResourceDefinition) {
			c.Spec.Conversion = &apiextensions.CustomResourceConversion{Strategy: "Webhook", Webhook: &apiextensions.WebhookConversion{ClientConfig: &apiextensions.WebhookClientConfig{}}}
		}, []string{`spec.conversion.webhook.clientConfig: Required value: exactly one of url or service is required`,
			`spec.conversion.webhook.conversionReviewVersions: Invalid value: []: must include at least one of v1, v1beta1`}},
		{"conversion strategy", func(c *apiextensions.CustomResourceDefinition) {
			c.Spec.Conversion = &apiextensions.CustomResourceConversion{Strategy: "Magic"}
		}, []string{`spec.conversion.strategy: Unsupported value: "Magic": supported values: "None", "Webhook"`}},
		{"webhook with None", func(c *apiextensions.CustomResourceDefinition) {
			c.Spec.Conversion.Webhook = &apiextensions.WebhookConversion{ConversionReviewVersions: []string{"v1"}}
		}, []string{`spec.conversion.webhook: Forbidden: should not be set when strategy is not set to Webhook`}},
		{"preserveUnknownFields", func(c *apiextensions.CustomResourceDefinition) { c.Spec.PreserveUnknownFields = true },
			[]string{`spec.preserveUnknownFields: Invalid value: true: cannot set to true, set x-kubernetes-preserve-unknown-fields to true in spec.versions[*].schema instead`}},
		{"stored versions must hold the storage version", func(c *apiextensions.CustomResourceDefinition) {
			c.Spec.Versions = append(c.Spec.Versions, apiextensions.CustomResourceDefinitionVersion{Name: "v2", Served: true, Storage: true, Schema: c.Spec.Versions[0].Schema})
			c.Spec.Versions[0].Storage = false
		}, []string{`status.storedVersions: Invalid value: [v1]: must have the storage version v2`}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			crd := sampleCRD(t)
			tc.mutate(crd)
			got := messagesOf(ValidateCustomResourceDefinition(crd))
			if !slices.Equal(got, tc.want) {
				t.Errorf("got  %q\nwant %q", got, tc.want)
			}
		})
	}
}

func messagesOf(errs interface{ Causes() []meta.StatusCause }) []string {
	var out []string
	for _, c := range errs.Causes() {
		out = append(out, c.Field+": "+c.Message)
	}
	return out
}

func TestValidateCustomResourceDefinitionUpdate(t *testing.T) {
	established := func(c *apiextensions.CustomResourceDefinition) {
		c.Status.Conditions = []apiextensions.CustomResourceDefinitionCondition{{Type: apiextensions.Established, Status: core.ConditionTrue}}
	}
	for _, tc := range []struct {
		name        string
		established bool
		mutate      func(*apiextensions.CustomResourceDefinition)
		want        []string
	}{
		{"new version and columns allowed", true, func(c *apiextensions.CustomResourceDefinition) {
			c.Spec.Versions[0].AdditionalPrinterColumns = nil
			c.Spec.Names.ShortNames = []string{"ct", "cts"}
		}, nil},
		{"group and plural immutable", false, func(c *apiextensions.CustomResourceDefinition) {
			c.Spec.Group = "other.example.com"
			c.Spec.Names.Plural = "tabs"
			c.Name = "tabs.other.example.com"
		}, []string{`metadata.name: Invalid value: "tabs.other.example.com": field is immutable`,
			`spec.group: Invalid value: "other.example.com": field is immutable`,
			`spec.names.plural: Invalid value: "tabs": field is immutable`}},
		{"scope and kind free before established", false, func(c *apiextensions.CustomResourceDefinition) {
			c.Spec.Scope = apiextensions.ClusterScoped
			c.Spec.Names.Kind = "Tab"
			c.Spec.Names.ListKind = "TabList"
		}, nil},
		{"scope and kind immutable once established", true, func(c *apiextensions.CustomResourceDefinition) {
			c.Spec.Scope = apiextensions.ClusterScoped
			c.Spec.Names.Kind = "Tab"
			c.Spec.Names.ListKind = "TabList"
		}, []string{`spec.scope: Invalid value: "Cluster": field is immutable`, `spec.names.kind: Invalid value: "Tab": field is immutable`}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			old := sampleCRD(t)
			old.ResourceVersion = "5"
			if tc.established {
				established(old)
			}
			crd := sampleCRD(t)
			crd.ResourceVersion = "5"
			crd.Status = old.Status
			tc.mutate(crd)
			got := messagesOf(ValidateCustomResourceDefinitionUpdate(crd, old))
			if !slices.Equal(got, tc.want) {
				t.Errorf("got  %q\nwant %q", got, tc.want)
			}
		})
	}
}

func TestValidateCustomResourceDefinitionStatusUpdate(t *testing.T) {
	old := sampleCRD(t)
	crd := sampleCRD(t)
	crd.Status.StoredVersions = []string{"v0"}
	crd.Status.Conditions = []apiextensions.CustomResourceDefinitionCondition{{Type: apiextensions.Established, Status: "Maybe"}}
	crd.Status.AcceptedNames = apiextensions.CustomResourceDefinitionNames{Plural: "Crontabs", Kind: "CronTab"}
	got := messagesOf(ValidateCustomResourceDefinitionStatusUpdate(crd, old))
	want := []string{
		`status.conditions[0].status: Unsupported value: "Maybe": supported values: "True", "False", "Unknown"`,
		`status.acceptedNames.plural: Invalid value: "Crontabs": a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')`,
		`status.storedVersions[0]: Invalid value: "v0": must appear in spec.versions`,
		`status.storedVersions: Invalid value: [v0]: must have the storage version v1`,
	}
	if !slices.Equal(got, want) {
		t.Errorf("got  %q\nwant %q", got, want)
	}
	if errs := ValidateCustomResourceDefinitionStatusUpdate(sampleCRD(t), old); len(errs) > 0 {
		t.Errorf("unchanged status: %v", errs)
	}
}
