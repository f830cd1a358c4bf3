package registry

import (
	"github.com/tinykube/tinykube/pkg/api/apiextensions"
	"github.com/tinykube/tinykube/pkg/api/validation"
)

// customResourceDefinitions: apiextensions.k8s.io/v1, cluster-scoped, short
// names crd and crds, category api-extensions, status subresource. As in
// Kubernetes, a new CRD has no finalizer: the apiserver adds the
// customresourcecleanup one when the CRD is deleted (Kubernetes' CRD
// storage does it in Delete), and removes it once the objects are gone.
func customResourceDefinitions() *Resource {
	return &Resource{
		Group: apiextensions.GroupName, Version: apiextensions.Version, Kind: "CustomResourceDefinition",
		Resource: "customresourcedefinitions", Singular: "customresourcedefinition",
		ShortNames: []string{"crd", "crds"}, Categories: []string{"api-extensions"}, Subresources: []string{SubStatus},
		New: newOf[apiextensions.CustomResourceDefinition](), TracksGeneration: true, ResetStatusOnCreate: true,
		Default:              defaulter(apiextensions.DefaultCustomResourceDefinition),
		Validate:             validator(validation.ValidateCustomResourceDefinition),
		ValidateUpdate:       updateValidator(validation.ValidateCustomResourceDefinitionUpdate),
		ValidateStatusUpdate: updateValidator(validation.ValidateCustomResourceDefinitionStatusUpdate),
	}
}
