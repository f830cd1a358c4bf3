package registry

import (
	"slices"

	"github.com/tinykube/tinykube/pkg/api/apiextensions"
	"github.com/tinykube/tinykube/pkg/api/meta"
	"github.com/tinykube/tinykube/pkg/api/validation"
)

// customResourceDefinitions: apiextensions.k8s.io/v1, cluster-scoped, short
// names crd and crds, category api-extensions, status subresource. Every
// new CRD carries the customresourcecleanup finalizer, as in Kubernetes:
// deleting it first deletes its custom objects.
func customResourceDefinitions() *Resource {
	return &Resource{
		Group: apiextensions.GroupName, Version: apiextensions.Version, Kind: "CustomResourceDefinition",
		Resource: "customresourcedefinitions", Singular: "customresourcedefinition",
		ShortNames: []string{"crd", "crds"}, Categories: []string{"api-extensions"}, Subresources: []string{SubStatus},
		New: newOf[apiextensions.CustomResourceDefinition](), TracksGeneration: true, ResetStatusOnCreate: true,
		PrepareKind: func(o meta.Object) {
			m := o.GetObjectMeta()
			if !slices.Contains(m.Finalizers, apiextensions.CustomResourceCleanupFinalizer) {
				m.Finalizers = append(m.Finalizers, apiextensions.CustomResourceCleanupFinalizer)
			}
		},
		Default:              defaulter(apiextensions.DefaultCustomResourceDefinition),
		Validate:             validator(validation.ValidateCustomResourceDefinition),
		ValidateUpdate:       updateValidator(validation.ValidateCustomResourceDefinitionUpdate),
		ValidateStatusUpdate: updateValidator(validation.ValidateCustomResourceDefinitionStatusUpdate),
	}
}
