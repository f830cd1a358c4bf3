// Package apiextensions holds the apiextensions.k8s.io/v1 kinds:
// CustomResourceDefinition, which adds a resource to the API at run time,
// described by its names, scope, versions, an OpenAPI v3 schema per version
// (JSONSchemaProps), subresources and printer columns. The JSON of every
// type is Kubernetes', so CRD manifests written for Kubernetes apply as
// they are.
package apiextensions

import (
	"encoding/json"
	"fmt"

	"github.com/tinykube/tinykube/pkg/api/core"
	"github.com/tinykube/tinykube/pkg/api/meta"
)

// Group and version of this package's kinds.
const (
	GroupName  = "apiextensions.k8s.io"
	Version    = "v1"
	APIVersion = GroupName + "/" + Version
)

// ResourceScope says whether the custom objects live in namespaces.
type ResourceScope string

// Scopes.
const (
	ClusterScoped   ResourceScope = "Cluster"
	NamespaceScoped ResourceScope = "Namespaced"
)

// ConversionStrategyType says how objects move between versions.
type ConversionStrategyType string

// Conversion strategies. Only None is served here: versions differ in
// apiVersion alone.
const (
	NoneConverter    ConversionStrategyType = "None"
	WebhookConverter ConversionStrategyType = "Webhook"
)

// CustomResourceCleanupFinalizer is the finalizer the apiserver puts on
// every CRD; it removes it once the CRD's objects are deleted.
const CustomResourceCleanupFinalizer = "customresourcecleanup.apiextensions.k8s.io"

// CustomResourceDefinition adds a resource named <plural>.<group>.
type CustomResourceDefinition struct {
	meta.TypeMeta   `json:",inline"`
	meta.ObjectMeta `json:"metadata,omitempty"`
	Spec            CustomResourceDefinitionSpec   `json:"spec"`
	Status          CustomResourceDefinitionStatus `json:"status,omitempty"`
}

// CustomResourceDefinitionList is a list of CRDs.
type CustomResourceDefinitionList struct {
	meta.TypeMeta `json:",inline"`
	meta.ListMeta `json:"metadata,omitempty"`
	Items         []CustomResourceDefinition `json:"items"`
}

// CustomResourceDefinitionSpec describes the resource.
type CustomResourceDefinitionSpec struct {
	Group string                        `json:"group"`
	Names CustomResourceDefinitionNames `json:"names"`
	Scope ResourceScope                 `json:"scope"`
	// Versions lists every version; exactly one has Storage set.
	Versions   []CustomResourceDefinitionVersion `json:"versions"`
	Conversion *CustomResourceConversion         `json:"conversion,omitempty"`
	// PreserveUnknownFields false (the only value v1 allows) prunes fields
	// the schema does not name.
	PreserveUnknownFields bool `json:"preserveUnknownFields,omitempty"`
}

// CustomResourceConversion says how objects are converted between versions.
type CustomResourceConversion struct {
	Strategy ConversionStrategyType `json:"strategy"`
	Webhook  *WebhookConversion     `json:"webhook,omitempty"`
}

// WebhookConversion configures a conversion webhook (accepted, not called).
type WebhookConversion struct {
	ClientConfig             *WebhookClientConfig `json:"clientConfig,omitempty"`
	ConversionReviewVersions []string             `json:"conversionReviewVersions"`
}

// WebhookClientConfig says how to reach a webhook.
type WebhookClientConfig struct {
	URL      *string           `json:"url,omitempty"`
	Service  *ServiceReference `json:"service,omitempty"`
	CABundle []byte            `json:"caBundle,omitempty"`
}

// ServiceReference names a Service.
type ServiceReference struct {
	Namespace string  `json:"namespace"`
	Name      string  `json:"name"`
	Path      *string `json:"path,omitempty"`
	Port      *int32  `json:"port,omitempty"`
}

// CustomResourceDefinitionVersion is one version of the resource.
type CustomResourceDefinitionVersion struct {
	Name string `json:"name"`
	// Served: the version is served over REST.
	Served bool `json:"served"`
	// Storage: objects are stored in etcd at this version.
	Storage                  bool                             `json:"storage"`
	Deprecated               bool                             `json:"deprecated,omitempty"`
	DeprecationWarning       *string                          `json:"deprecationWarning,omitempty"`
	Schema                   *CustomResourceValidation        `json:"schema,omitempty"`
	Subresources             *CustomResourceSubresources      `json:"subresources,omitempty"`
	AdditionalPrinterColumns []CustomResourceColumnDefinition `json:"additionalPrinterColumns,omitempty"`
	SelectableFields         []SelectableField                `json:"selectableFields,omitempty"`
}

// SelectableField is a field usable in field selectors.
type SelectableField struct {
	JSONPath string `json:"jsonPath"`
}

// CustomResourceColumnDefinition is a column of the resource's Table.
type CustomResourceColumnDefinition struct {
	Name        string `json:"name"`
	Type        string `json:"type"`
	Format      string `json:"format,omitempty"`
	Description string `json:"description,omitempty"`
	Priority    int32  `json:"priority,omitempty"`
	JSONPath    string `json:"jsonPath"`
}

// CustomResourceSubresources turns on the status and scale subresources.
type CustomResourceSubresources struct {
	Status *CustomResourceSubresourceStatus `json:"status,omitempty"`
	Scale  *CustomResourceSubresourceScale  `json:"scale,omitempty"`
}

// CustomResourceSubresourceStatus has no fields: its presence serves
// /status, and the main resource then ignores changes to .status.
type CustomResourceSubresourceStatus struct{}

// CustomResourceSubresourceScale maps the object onto autoscaling/v1 Scale.
type CustomResourceSubresourceScale struct {
	SpecReplicasPath   string  `json:"specReplicasPath"`
	StatusReplicasPath string  `json:"statusReplicasPath"`
	LabelSelectorPath  *string `json:"labelSelectorPath,omitempty"`
}

// CustomResourceValidation holds a version's schema.
type CustomResourceValidation struct {
	OpenAPIV3Schema *JSONSchemaProps `json:"openAPIV3Schema,omitempty"`
}

// CustomResourceDefinitionNames are the resource's names.
type CustomResourceDefinitionNames struct {
	Plural     string   `json:"plural"`
	Singular   string   `json:"singular,omitempty"`
	ShortNames []string `json:"shortNames,omitempty"`
	Kind       string   `json:"kind"`
	ListKind   string   `json:"listKind,omitempty"`
	Categories []string `json:"categories,omitempty"`
}

// CustomResourceDefinitionConditionType is a condition of a CRD.
type CustomResourceDefinitionConditionType string

// Condition types.
const (
	// Established: the resource is served.
	Established CustomResourceDefinitionConditionType = "Established"
	// NamesAccepted: the names conflict with no other resource.
	NamesAccepted CustomResourceDefinitionConditionType = "NamesAccepted"
	// NonStructuralSchema: a schema is not structural.
	NonStructuralSchema CustomResourceDefinitionConditionType = "NonStructuralSchema"
	// Terminating: the CRD is being deleted with its objects.
	Terminating CustomResourceDefinitionConditionType = "Terminating"
	// KubernetesAPIApprovalPolicyConformant: for *.k8s.io groups.
	KubernetesAPIApprovalPolicyConformant CustomResourceDefinitionConditionType = "KubernetesAPIApprovalPolicyConformant"
)

// CustomResourceDefinitionCondition is one condition.
type CustomResourceDefinitionCondition struct {
	Type               CustomResourceDefinitionConditionType `json:"type"`
	Status             core.ConditionStatus                  `json:"status"`
	LastTransitionTime meta.Time                             `json:"lastTransitionTime,omitempty"`
	Reason             string                                `json:"reason,omitempty"`
	Message            string                                `json:"message,omitempty"`
}

// CustomResourceDefinitionStatus is what the apiserver reports.
type CustomResourceDefinitionStatus struct {
	Conditions []CustomResourceDefinitionCondition `json:"conditions,omitempty"`
	// AcceptedNames are the names actually served.
	AcceptedNames CustomResourceDefinitionNames `json:"acceptedNames"`
	// StoredVersions lists every version objects were ever stored at.
	StoredVersions []string `json:"storedVersions"`
}

// JSONSchemaProps is an OpenAPI v3 schema (a JSON-Schema subset) with
// Kubernetes' x-kubernetes-* extensions.
type JSONSchemaProps struct {
	ID                   string                     `json:"id,omitempty"`
	Schema               string                     `json:"$schema,omitempty"`
	Ref                  *string                    `json:"$ref,omitempty"`
	Description          string                     `json:"description,omitempty"`
	Type                 string                     `json:"type,omitempty"`
	Format               string                     `json:"format,omitempty"`
	Title                string                     `json:"title,omitempty"`
	Default              json.RawMessage            `json:"default,omitempty"`
	Maximum              *float64                   `json:"maximum,omitempty"`
	ExclusiveMaximum     bool                       `json:"exclusiveMaximum,omitempty"`
	Minimum              *float64                   `json:"minimum,omitempty"`
	ExclusiveMinimum     bool                       `json:"exclusiveMinimum,omitempty"`
	MaxLength            *int64                     `json:"maxLength,omitempty"`
	MinLength            *int64                     `json:"minLength,omitempty"`
	Pattern              string                     `json:"pattern,omitempty"`
	MaxItems             *int64                     `json:"maxItems,omitempty"`
	MinItems             *int64                     `json:"minItems,omitempty"`
	UniqueItems          bool                       `json:"uniqueItems,omitempty"`
	MultipleOf           *float64                   `json:"multipleOf,omitempty"`
	Enum                 []json.RawMessage          `json:"enum,omitempty"`
	MaxProperties        *int64                     `json:"maxProperties,omitempty"`
	MinProperties        *int64                     `json:"minProperties,omitempty"`
	Required             []string                   `json:"required,omitempty"`
	Items                *JSONSchemaPropsOrArray    `json:"items,omitempty"`
	AllOf                []JSONSchemaProps          `json:"allOf,omitempty"`
	OneOf                []JSONSchemaProps          `json:"oneOf,omitempty"`
	AnyOf                []JSONSchemaProps          `json:"anyOf,omitempty"`
	Not                  *JSONSchemaProps           `json:"not,omitempty"`
	Properties           map[string]JSONSchemaProps `json:"properties,omitempty"`
	AdditionalProperties *JSONSchemaPropsOrBool     `json:"additionalProperties,omitempty"`
	PatternProperties    map[string]JSONSchemaProps `json:"patternProperties,omitempty"`
	Dependencies         JSONSchemaDependencies     `json:"dependencies,omitempty"`
	AdditionalItems      *JSONSchemaPropsOrBool     `json:"additionalItems,omitempty"`
	Definitions          map[string]JSONSchemaProps `json:"definitions,omitempty"`
	ExternalDocs         *ExternalDocumentation     `json:"externalDocs,omitempty"`
	Example              json.RawMessage            `json:"example,omitempty"`
	Nullable             bool                       `json:"nullable,omitempty"`

	// XPreserveUnknownFields keeps fields the schema does not name (no
	// pruning below this node).
	XPreserveUnknownFields *bool `json:"x-kubernetes-preserve-unknown-fields,omitempty"`
	// XEmbeddedResource: the value is an object with apiVersion, kind and
	// metadata, which are validated and kept.
	XEmbeddedResource bool `json:"x-kubernetes-embedded-resource,omitempty"`
	// XIntOrString: an integer or a string.
	XIntOrString bool `json:"x-kubernetes-int-or-string,omitempty"`
	// XListMapKeys are the keys of a list-type map list.
	XListMapKeys []string `json:"x-kubernetes-list-map-keys,omitempty"`
	// XListType is atomic, set or map.
	XListType *string `json:"x-kubernetes-list-type,omitempty"`
	// XMapType is granular or atomic.
	XMapType *string `json:"x-kubernetes-map-type,omitempty"`
	// XValidations are CEL rules (accepted and kept; not evaluated here).
	XValidations []ValidationRule `json:"x-kubernetes-validations,omitempty"`
}

// ValidationRule is a CEL validation rule.
type ValidationRule struct {
	Rule              string  `json:"rule"`
	Message           string  `json:"message,omitempty"`
	MessageExpression string  `json:"messageExpression,omitempty"`
	Reason            *string `json:"reason,omitempty"`
	FieldPath         string  `json:"fieldPath,omitempty"`
	OptionalOldSelf   *bool   `json:"optionalOldSelf,omitempty"`
}

// ExternalDocumentation points at more documentation.
type ExternalDocumentation struct {
	Description string `json:"description,omitempty"`
	URL         string `json:"url,omitempty"`
}

// JSONSchemaPropsOrArray is items: one schema for every item, or (tuple
// form) one per position.
type JSONSchemaPropsOrArray struct {
	Schema      *JSONSchemaProps
	JSONSchemas []JSONSchemaProps
}

// MarshalJSON writes the schema object or the array.
func (s JSONSchemaPropsOrArray) MarshalJSON() ([]byte, error) {
	if len(s.JSONSchemas) > 0 {
		return json.Marshal(s.JSONSchemas)
	}
	return json.Marshal(s.Schema)
}

// UnmarshalJSON reads an object or an array.
func (s *JSONSchemaPropsOrArray) UnmarshalJSON(b []byte) error {
	*s = JSONSchemaPropsOrArray{}
	switch firstByte(b) {
	case '{':
		s.Schema = new(JSONSchemaProps)
		return json.Unmarshal(b, s.Schema)
	case '[':
		return json.Unmarshal(b, &s.JSONSchemas)
	case 'n':
		return nil
	}
	return fmt.Errorf("items: expected a schema object or an array of them, got %.20s", b)
}

// JSONSchemaPropsOrBool is additionalProperties / additionalItems: a bool
// (Allows) or a schema (which allows).
type JSONSchemaPropsOrBool struct {
	Allows bool
	Schema *JSONSchemaProps
}

// MarshalJSON writes the schema, or the bool when there is none.
func (s JSONSchemaPropsOrBool) MarshalJSON() ([]byte, error) {
	if s.Schema != nil {
		return json.Marshal(s.Schema)
	}
	return json.Marshal(s.Allows)
}

// UnmarshalJSON reads a bool or a schema object.
func (s *JSONSchemaPropsOrBool) UnmarshalJSON(b []byte) error {
	*s = JSONSchemaPropsOrBool{}
	switch firstByte(b) {
	case '{':
		s.Allows = true
		s.Schema = new(JSONSchemaProps)
		return json.Unmarshal(b, s.Schema)
	case 't', 'f':
		return json.Unmarshal(b, &s.Allows)
	case 'n':
		return nil
	}
	return fmt.Errorf("expected a boolean or a schema object, got %.20s", b)
}

// JSONSchemaDependencies maps a property to the schema or the properties
// its presence requires.
type JSONSchemaDependencies map[string]JSONSchemaPropsOrStringArray

// JSONSchemaPropsOrStringArray is a schema or a list of property names.
type JSONSchemaPropsOrStringArray struct {
	Schema   *JSONSchemaProps
	Property []string
}

// MarshalJSON writes the property list, else the schema.
func (s JSONSchemaPropsOrStringArray) MarshalJSON() ([]byte, error) {
	if len(s.Property) > 0 {
		return json.Marshal(s.Property)
	}
	return json.Marshal(s.Schema)
}

// UnmarshalJSON reads a schema object or an array of strings.
func (s *JSONSchemaPropsOrStringArray) UnmarshalJSON(b []byte) error {
	*s = JSONSchemaPropsOrStringArray{}
	switch firstByte(b) {
	case '{':
		s.Schema = new(JSONSchemaProps)
		return json.Unmarshal(b, s.Schema)
	case '[':
		return json.Unmarshal(b, &s.Property)
	case 'n':
		return nil
	}
	return fmt.Errorf("dependencies: expected a schema object or an array of strings, got %.20s", b)
}

func firstByte(b []byte) byte {
	for _, c := range b {
		switch c {
		case ' ', '\t', '\r', '\n':
			continue
		}
		return c
	}
	return 0
}

// ServedVersion returns the named version when it is served.
func (c *CustomResourceDefinition) ServedVersion(name string) (*CustomResourceDefinitionVersion, bool) {
	for i := range c.Spec.Versions {
		if v := &c.Spec.Versions[i]; v.Name == name && v.Served {
			return v, true
		}
	}
	return nil, false
}

// StorageVersion returns the version objects are stored at ("" if none).
func (c *CustomResourceDefinition) StorageVersion() string {
	for _, v := range c.Spec.Versions {
		if v.Storage {
			return v.Name
		}
	}
	return ""
}

// Condition returns the condition of type t, or nil.
func (s *CustomResourceDefinitionStatus) Condition(t CustomResourceDefinitionConditionType) *CustomResourceDefinitionCondition {
	for i := range s.Conditions {
		if s.Conditions[i].Type == t {
			return &s.Conditions[i]
		}
	}
	return nil
}

// IsEstablished reports whether the Established condition is True.
func (c *CustomResourceDefinition) IsEstablished() bool {
	cond := c.Status.Condition(Established)
	return cond != nil && cond.Status == core.ConditionTrue
}
