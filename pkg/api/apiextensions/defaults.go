package apiextensions

import (
	"slices"
	"strings"
)

// DefaultCustomResourceDefinition fills what Kubernetes defaults on a CRD:
// names.singular (the lower-case kind), names.listKind (kind + "List"),
// conversion strategy None, a webhook service port of 443, and
// status.storedVersions gaining the storage version (Kubernetes' create
// and update strategies add it; the apiserver runs this on both).
func DefaultCustomResourceDefinition(crd *CustomResourceDefinition) {
	n := &crd.Spec.Names
	if n.Singular == "" {
		n.Singular = strings.ToLower(n.Kind)
	}
	if n.ListKind == "" && n.Kind != "" {
		n.ListKind = n.Kind + "List"
	}
	if crd.Spec.Conversion == nil {
		crd.Spec.Conversion = &CustomResourceConversion{}
	}
	c := crd.Spec.Conversion
	if c.Strategy == "" {
		c.Strategy = NoneConverter
	}
	if c.Webhook != nil && c.Webhook.ClientConfig != nil && c.Webhook.ClientConfig.Service != nil {
		if s := c.Webhook.ClientConfig.Service; s.Port == nil {
			port := int32(443)
			s.Port = &port
		}
	}
	if v := crd.StorageVersion(); v != "" && !slices.Contains(crd.Status.StoredVersions, v) {
		crd.Status.StoredVersions = append(crd.Status.StoredVersions, v)
	}
}
