package rbac

import (
	"github.com/tinykube/tinykube/pkg/api/meta"
	"github.com/tinykube/tinykube/pkg/api/rbac"
	"github.com/tinykube/tinykube/pkg/apiserver/authentication/user"
	"github.com/tinykube/tinykube/pkg/serviceaccount"
)

// rule builds a PolicyRule: rule(verbs...).groups(...).resources(...).
type ruleBuilder struct{ r rbac.PolicyRule }

func rule(verbs ...string) *ruleBuilder {
	return &ruleBuilder{r: rbac.PolicyRule{Verbs: verbs}}
}

func (b *ruleBuilder) groups(g ...string) *ruleBuilder    { b.r.APIGroups = g; return b }
func (b *ruleBuilder) resources(r ...string) *ruleBuilder { b.r.Resources = r; return b }
func (b *ruleBuilder) urls(u ...string) *ruleBuilder      { b.r.NonResourceURLs = u; return b }
func (b *ruleBuilder) done() rbac.PolicyRule              { return b.r }

var (
	read  = []string{"get", "list", "watch"}
	write = []string{"create", "update", "patch", "delete", "deletecollection"}
)

func bootstrapMeta(name string) meta.ObjectMeta {
	return meta.ObjectMeta{Name: name,
		Labels:      map[string]string{"kubernetes.io/bootstrapping": "rbac-defaults"},
		Annotations: map[string]string{rbac.AutoUpdateAnnotation: "true"}}
}

func clusterRole(name string, rules ...rbac.PolicyRule) *rbac.ClusterRole {
	return &rbac.ClusterRole{TypeMeta: meta.TypeMeta{Kind: "ClusterRole", APIVersion: rbac.APIVersion},
		ObjectMeta: bootstrapMeta(name), Rules: rules}
}

func clusterRoleBinding(name, role string, subjects ...rbac.Subject) *rbac.ClusterRoleBinding {
	return &rbac.ClusterRoleBinding{TypeMeta: meta.TypeMeta{Kind: "ClusterRoleBinding", APIVersion: rbac.APIVersion},
		ObjectMeta: bootstrapMeta(name), Subjects: subjects,
		RoleRef: rbac.RoleRef{APIGroup: rbac.GroupName, Kind: "ClusterRole", Name: role}}
}

func group(name string) rbac.Subject {
	return rbac.Subject{Kind: rbac.GroupKind, APIGroup: rbac.GroupName, Name: name}
}

func userSubject(name string) rbac.Subject {
	return rbac.Subject{Kind: rbac.UserKind, APIGroup: rbac.GroupName, Name: name}
}

// Policy is the bootstrap policy: cluster roles and their bindings.
type Policy struct {
	ClusterRoles        []*rbac.ClusterRole
	ClusterRoleBindings []*rbac.ClusterRoleBinding
}

// BootstrapPolicy returns the roles and bindings created at start. The
// component roles hold what our scheduler, controller-manager and kubelet
// call, and no more:
//   - system:kube-scheduler (user system:kube-scheduler): read pods and
//     nodes, bind pods, patch pod status, events, its leader-election lease.
//     It cannot delete or create pods.
//   - system:kube-controller-manager (user system:kube-controller-manager):
//     one identity for every controller; the garbage collector and the
//     namespace controller must read, patch and delete objects of every
//     kind, so it holds those verbs on every resource, and create only on
//     the kinds controllers create. It cannot escalate, bind or create RBAC
//     objects.
//   - system:node (group system:nodes): its nodes and their status, pods
//     (read, delete after graceful termination) and pod status, events, node
//     leases, and get (not list) config maps and secrets for its pods' env and
//     volumes (unlike Kubernetes' Node authorizer, nothing narrows that to
//     the ones its pods use). RBAC grants these on every object of
//     the kind; the apiserver's node restriction (admission, always on, as
//     Kubernetes' NodeRestriction) narrows a user system:node:<name> to its
//     own Node (not its taints or node-restriction.kubernetes.io labels),
//     its Lease in kube-node-lease and the pods bound to it, and tokens to
//     those bound to its pods.
//   - system:service-account-issuer-discovery (group system:serviceaccounts):
//     the OpenID configuration and JWKS of the service account issuer.
func BootstrapPolicy() Policy {
	core, apps, batch, coord := "", "apps", "batch", "coordination.k8s.io"
	events := rule("create", "update", "patch").groups(core, "events.k8s.io").resources("events").done()
	health := []string{"/healthz", "/livez", "/readyz", "/version", "/version/"}
	return Policy{
		ClusterRoles: []*rbac.ClusterRole{
			clusterRole("cluster-admin",
				rule("*").groups("*").resources("*").done(), rule("*").urls("*").done()),
			clusterRole("system:public-info-viewer", rule("get").urls(health...).done()),
			clusterRole("system:discovery", rule("get").urls(append([]string{"/api", "/api/*", "/apis", "/apis/*",
				"/openapi", "/openapi/*"}, health...)...).done()),
			clusterRole("system:basic-user", rule("create").groups("authorization.k8s.io").
				resources("selfsubjectaccessreviews", "selfsubjectrulesreviews").done()),
			clusterRole("system:service-account-issuer-discovery", rule("get").urls(serviceaccount.OpenIDConfigPath,
				serviceaccount.OpenIDConfigPath+"/", serviceaccount.JWKSPath, serviceaccount.JWKSPath+"/").done()),
			clusterRole("system:monitoring", rule("get").urls("/metrics", "/metrics/*", "/healthz", "/healthz/*",
				"/livez", "/livez/*", "/readyz", "/readyz/*").done()),
			clusterRole("system:kube-scheduler",
				rule(read...).groups(core).resources("pods", "nodes").done(),
				rule("create").groups(core).resources("pods/binding", "bindings").done(),
				// VolumeBinding: reads claims, volumes and classes, and sets
				// the selected-node annotation of WaitForFirstConsumer claims.
				rule(read...).groups(core).resources("persistentvolumeclaims", "persistentvolumes").done(),
				rule(read...).groups("storage.k8s.io").resources("storageclasses").done(),
				rule("update", "patch").groups(core).resources("persistentvolumeclaims").done(),
				rule("patch", "update").groups(core).resources("pods/status").done(),
				events,
				rule("get", "create", "update").groups(coord).resources("leases").done()),
			clusterRole("system:kube-controller-manager",
				rule(read...).groups("*").resources("*").done(),
				rule("update", "patch", "delete", "deletecollection").groups("*").resources("*").done(),
				rule("create").groups(core).resources("pods", "endpoints", "services", "serviceaccounts",
					"persistentvolumes", "persistentvolumeclaims", "configmaps").done(),
				rule("create").groups(apps).resources("replicasets", "controllerrevisions").done(),
				rule("create").groups(coord).resources("leases").done(),
				rule("create").groups("discovery.k8s.io").resources("endpointslices").done(),
				rule("create").groups(core).resources("pods/eviction", "pods/binding").done(),
				rule("update", "patch").groups(core).resources("pods/status", "nodes/status",
					"namespaces/status", "namespaces/finalize", "services/status",
					"persistentvolumes/status", "persistentvolumeclaims/status").done(),
				rule("update", "patch").groups(apps).resources("deployments/status", "replicasets/status",
					"daemonsets/status", "statefulsets/status", "deployments/scale", "replicasets/scale").done(),
				rule("create").groups(batch).resources("jobs").done(),
				rule("update", "patch").groups(batch).resources("jobs/status", "cronjobs/status").done(),
				rule("update", "patch").groups("policy").resources("poddisruptionbudgets/status").done(),
				events),
			clusterRole("system:node",
				rule("create", "get", "list", "watch", "update", "patch").groups(core).resources("nodes").done(),
				rule("update", "patch").groups(core).resources("nodes/status").done(),
				rule("get", "list", "watch", "delete").groups(core).resources("pods").done(),
				// The config maps and secrets its pods' env and volumes read.
				rule("get").groups(core).resources("configmaps", "secrets").done(),
				rule("update", "patch").groups(core).resources("pods/status").done(),
				rule("get").groups(core).resources("persistentvolumeclaims", "persistentvolumes").done(),
				// Tokens for its pods' service accounts (node restriction:
				// bound to a pod of the node).
				rule("create").groups(core).resources("serviceaccounts/token").done(),
				events,
				rule("get", "create", "update", "patch", "delete").groups(coord).resources("leases").done()),
		},
		ClusterRoleBindings: []*rbac.ClusterRoleBinding{
			clusterRoleBinding("cluster-admin", "cluster-admin", group(user.SystemPrivilegedGroup)),
			clusterRoleBinding("system:public-info-viewer", "system:public-info-viewer",
				group(user.AllAuthenticated), group(user.AllUnauthenticated)),
			clusterRoleBinding("system:discovery", "system:discovery", group(user.AllAuthenticated)),
			clusterRoleBinding("system:basic-user", "system:basic-user", group(user.AllAuthenticated)),
			clusterRoleBinding("system:service-account-issuer-discovery", "system:service-account-issuer-discovery",
				group(serviceaccount.AllServiceAccountsGroup)),
			clusterRoleBinding("system:monitoring", "system:monitoring", group(user.MonitoringGroup)),
			clusterRoleBinding("system:kube-scheduler", "system:kube-scheduler", userSubject(user.KubeScheduler)),
			clusterRoleBinding("system:kube-controller-manager", "system:kube-controller-manager",
				userSubject(user.KubeControllerManager)),
			clusterRoleBinding("system:node", "system:node", group(user.NodesGroup)),
		},
	}
}
