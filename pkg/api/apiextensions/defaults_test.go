package apiextensions

import (
	"reflect"
	"testing"
)

func TestDefaultCustomResourceDefinition(t *testing.T) {
	port := int32(8443)
	for _, tc := range []struct {
		name string
		in   CustomResourceDefinition
		want CustomResourceDefinition
	}{{
		name: "names, conversion and stored versions",
		in: CustomResourceDefinition{Spec: CustomResourceDefinitionSpec{
			Names:    CustomResourceDefinitionNames{Plural: "crontabs", Kind: "CronTab"},
			Versions: []CustomResourceDefinitionVersion{{Name: "v1beta1", Served: true}, {Name: "v1", Served: true, Storage: true}},
		}},
		want: CustomResourceDefinition{
			Spec: CustomResourceDefinitionSpec{
				Names:      CustomResourceDefinitionNames{Plural: "crontabs", Singular: "crontab", Kind: "CronTab", ListKind: "CronTabList"},
				Versions:   []CustomResourceDefinitionVersion{{Name: "v1beta1", Served: true}, {Name: "v1", Served: true, Storage: true}},
				Conversion: &CustomResourceConversion{Strategy: NoneConverter},
			},
			Status: CustomResourceDefinitionStatus{StoredVersions: []string{"v1"}},
		},
	}, {
		name: "set values kept, new storage version appended, webhook port 443",
		in: CustomResourceDefinition{
			Spec: CustomResourceDefinitionSpec{
				Names:    CustomResourceDefinitionNames{Plural: "crontabs", Singular: "ct1", Kind: "CronTab", ListKind: "Tabs"},
				Versions: []CustomResourceDefinitionVersion{{Name: "v2", Served: true, Storage: true}},
				Conversion: &CustomResourceConversion{Webhook: &WebhookConversion{
					ClientConfig: &WebhookClientConfig{Service: &ServiceReference{Namespace: "ns", Name: "conv"}},
				}},
			},
			Status: CustomResourceDefinitionStatus{StoredVersions: []string{"v1"}},
		},
		want: CustomResourceDefinition{
			Spec: CustomResourceDefinitionSpec{
				Names:    CustomResourceDefinitionNames{Plural: "crontabs", Singular: "ct1", Kind: "CronTab", ListKind: "Tabs"},
				Versions: []CustomResourceDefinitionVersion{{Name: "v2", Served: true, Storage: true}},
				Conversion: &CustomResourceConversion{Strategy: NoneConverter, Webhook: &WebhookConversion{
					ClientConfig: &WebhookClientConfig{Service: &ServiceReference{Namespace: "ns", Name: "conv", Port: &port}},
				}},
			},
			Status: CustomResourceDefinitionStatus{StoredVersions: []string{"v1", "v2"}},
		},
	}} {
		t.Run(tc.name, func(t *testing.T) {
			if tc.want.Spec.Conversion.Webhook != nil {
				*tc.want.Spec.Conversion.Webhook.ClientConfig.Service.Port = 443
			}
			DefaultCustomResourceDefinition(&tc.in)
			if !reflect.DeepEqual(tc.in, tc.want) {
				t.Errorf("got  %+v\nwant %+v", tc.in, tc.want)
			}
		})
	}
}
