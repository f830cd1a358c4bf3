package kubelet

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/tinykube/tinykube/pkg/api/core"
	"github.com/tinykube/tinykube/pkg/api/meta"
	"github.com/tinykube/tinykube/pkg/apiserver/app"
	"github.com/tinykube/tinykube/pkg/apiserver/authentication/certutil"
	"github.com/tinykube/tinykube/pkg/client/clientset"
	"github.com/tinykube/tinykube/pkg/client/rest"
	"github.com/tinykube/tinykube/pkg/controller/certificates/rootcacertpublisher"
	"github.com/tinykube/tinykube/pkg/controller/manager"
	"github.com/tinykube/tinykube/pkg/controller/serviceaccount"
	"github.com/tinykube/tinykube/pkg/kubelet/runtime/process"
	"github.com/tinykube/tinykube/test/integration/framework"
)

// inClusterEnv makes this test binary, run as a pod's command, an
// in-cluster client: it reads the API access volume, lists the pods of its
// namespace at https://$KUBERNETES_SERVICE_HOST:$KUBERNETES_SERVICE_PORT
// with the token, trusting only the volume's ca.crt, and prints each new
// status code until it gets 200.
const inClusterEnv = "TK_INCLUSTER_TEST_CLIENT"

func init() {
	// The container init (process.Init) is this binary too, with the
	// container's environment: only the command itself is the client.
	if os.Getenv(inClusterEnv) == "" || (len(os.Args) > 0 && os.Args[0] == "tinykube-container-init") {
		return
	}
	if err := inClusterClient(); err != nil {
		fmt.Println("error:", err)
		os.Exit(1)
	}
	os.Exit(0)
}

func inClusterClient() error {
	read := func(name string) (string, error) {
		b, err := os.ReadFile(filepath.Join(core.DefaultAPITokenMountPath, name))
		return string(b), err
	}
	token, err := read(core.ServiceAccountTokenKey)
	if err != nil {
		return err
	}
	ca, err := read(core.ServiceAccountRootCAKey)
	if err != nil {
		return err
	}
	ns, err := read(core.ServiceAccountNamespaceKey)
	if err != nil {
		return err
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM([]byte(ca)) {
		return fmt.Errorf("no certificate in ca.crt")
	}
	hc := &http.Client{Timeout: 10 * time.Second,
		Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}}}
	url := "https://" + net.JoinHostPort(os.Getenv("KUBERNETES_SERVICE_HOST"), os.Getenv("KUBERNETES_SERVICE_PORT")) +
		"/api/v1/namespaces/" + ns + "/pods"
	fmt.Printf("namespace %s\n", ns)
	last := 0
	for {
		req, _ := http.NewRequest(http.MethodGet, url, nil)
		req.Header.Set("Authorization", "Bearer "+token)
		resp, err := hc.Do(req)
		if err != nil {
			return err
		}
		resp.Body.Close()
		if resp.StatusCode != last {
			fmt.Println(resp.StatusCode)
			last = resp.StatusCode
		}
		if resp.StatusCode == http.StatusOK {
			return nil
		}
		time.Sleep(100 * time.Millisecond) // the pod polls the API as a client would retry
	}
}

// TestInClusterConfig: with TLS, token authentication, RBAC and service
// account tokens, and the serviceaccount and root-ca-cert-publisher
// controllers, a pod that names nothing gets the API access volume from
// the ServiceAccount admission, and the kubelet fills it (token, the
// cluster CA from kube-root-ca.crt, namespace) and sets
// KUBERNETES_SERVICE_HOST/PORT: the pod reaches the apiserver as
// system:serviceaccount:team:default (403 listing pods), then, once a
// RoleBinding lets that account read pods, 200. The real kubectl with no
// kubeconfig, run as a pod, uses the same in-cluster configuration. A pod
// with automountServiceAccountToken: false gets no volume, and one on a
// kubelet that cannot mount runs without the mount.
func TestInClusterConfig(t *testing.T) {
	if !process.CanMount() {
		t.Skip("needs CAP_SYS_ADMIN")
	}
	dir := t.TempDir()
	ca, err := certutil.NewCA("tinykube-ca")
	if err != nil {
		t.Fatal(err)
	}
	serving, err := certutil.NewServerCert(ca, "apiserver", []string{"localhost", "127.0.0.1"})
	if err != nil {
		t.Fatal(err)
	}
	certFile, keyFile := filepath.Join(dir, "apiserver.crt"), filepath.Join(dir, "apiserver.key")
	if err := serving.WriteFiles(certFile, keyFile); err != nil {
		t.Fatal(err)
	}
	srv := startSecure(t, framework.WithOptions(func(o *app.Options) { o.TLSCertFile, o.TLSPrivateKeyFile = certFile, keyFile }))
	if !strings.HasPrefix(srv.URL, "https://") {
		t.Fatalf("apiserver at %s, want https", srv.URL)
	}
	admin := newClientCA(t, srv, "admin-token", ca.CertPEM())
	t.Cleanup(admin.RESTClient().CloseIdleConnections)
	opts := manager.NewOptions()
	opts.Controllers = []string{serviceaccount.Name, rootcacertpublisher.Name}
	opts.LeaderElection.LeaderElect = false
	// As the controller-manager's --root-ca-file or its kubeconfig's CA.
	if err := opts.ResolveRootCA(rest.TLSClientConfig{CAData: ca.CertPEM()}); err != nil {
		t.Fatal(err)
	}
	runManager(t, admin, opts)
	k := startKubelet(t, srv, kubeletSpec{root: t.TempDir(), nodes: []string{"node-a"}, token: "node-token", ca: ca.CertPEM()})
	defer k.stop(t)
	ctx := context.Background()
	if _, err := admin.CoreV1().Namespaces().Create(ctx, &core.Namespace{ObjectMeta: meta.ObjectMeta{Name: "team"}}, meta.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	waitFor(t, 30*time.Second, "team's default service account and kube-root-ca.crt", func() bool {
		_, err1 := admin.CoreV1().ServiceAccounts("team").Get(ctx, "default", meta.GetOptions{})
		_, err2 := admin.CoreV1().ConfigMaps("team").Get(ctx, core.RootCACertConfigMapName, meta.GetOptions{})
		return err1 == nil && err2 == nil
	})

	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	client := teamPod("client", self)
	client.Spec.Containers[0].Env = []core.EnvVar{{Name: inClusterEnv, Value: "1"}}
	created, err := admin.CoreV1().Pods("team").Create(ctx, client, meta.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	checkAPIAccessVolume(t, created)
	logs := func(name string) string { return containerLogsIn(k, "team", name, "main") }
	waitFor(t, 60*time.Second, "the pod to be refused", func() bool { return strings.Contains(logs("client"), "403\n") })
	if got := logs("client"); !strings.HasPrefix(got, "namespace team\n403\n") {
		t.Fatalf("client log %q", got)
	}
	if _, err := admin.Dynamic().Resource(clientset.GroupVersionResource{Group: "rbac.authorization.k8s.io", Version: "v1", Resource: "roles"}).
		Namespace("team").Create(ctx, &clientset.Unstructured{Object: map[string]any{"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "Role",
		"metadata": map[string]any{"name": "pod-reader"},
		"rules":    []any{map[string]any{"apiGroups": []any{""}, "resources": []any{"pods"}, "verbs": []any{"get", "list"}}}}},
		meta.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	if _, err := admin.Dynamic().Resource(clientset.GroupVersionResource{Group: "rbac.authorization.k8s.io", Version: "v1", Resource: "rolebindings"}).
		Namespace("team").Create(ctx, &clientset.Unstructured{Object: map[string]any{"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "RoleBinding",
		"metadata": map[string]any{"name": "default-reads-pods"},
		"roleRef":  map[string]any{"apiGroup": "rbac.authorization.k8s.io", "kind": "Role", "name": "pod-reader"},
		"subjects": []any{map[string]any{"kind": "User", "name": "system:serviceaccount:team:default"}}}},
		meta.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	waitFor(t, 60*time.Second, "the pod to list pods", func() bool { return podPhaseIn(admin, "team", "client") == core.PodSucceeded })
	if got := logs("client"); got != "namespace team\n403\n200\n" {
		t.Fatalf("client log %q", got)
	}

	// The real kubectl: no kubeconfig (HOME is empty), so client-go's
	// in-cluster configuration.
	if _, err := exec.LookPath("/usr/bin/kubectl"); err == nil {
		kc := teamPod("kubectl", "/usr/bin/kubectl")
		kc.Spec.Containers[0].Args = []string{"get", "pods", "-o", "name"}
		kc.Spec.Containers[0].Env = []core.EnvVar{{Name: "HOME", Value: t.TempDir()}}
		if _, err := admin.CoreV1().Pods("team").Create(ctx, kc, meta.CreateOptions{}); err != nil {
			t.Fatal(err)
		}
		waitFor(t, 60*time.Second, "kubectl in the pod to finish", func() bool {
			ph := podPhaseIn(admin, "team", "kubectl")
			return ph == core.PodSucceeded || ph == core.PodFailed
		})
		if got := logs("kubectl"); podPhaseIn(admin, "team", "kubectl") != core.PodSucceeded ||
			!strings.Contains(got, "pod/client\n") || !strings.Contains(got, "pod/kubectl\n") {
			t.Fatalf("kubectl get pods in a pod: %s, log %q", podPhaseIn(admin, "team", "kubectl"), got)
		}
		t.Logf("kubectl get pods -o name in a pod: %q", logs("kubectl"))
	}

	// Opting out: no volume, no mount.
	quiet := teamPod("quiet", "true")
	quiet.Spec.AutomountServiceAccountToken = meta.Ptr(false)
	got, err := admin.CoreV1().Pods("team").Create(ctx, quiet, meta.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if len(got.Spec.Volumes) != 0 || len(got.Spec.Containers[0].VolumeMounts) != 0 {
		t.Fatalf("automountServiceAccountToken false: volumes %v mounts %v", got.Spec.Volumes, got.Spec.Containers[0].VolumeMounts)
	}
	// A kubelet that cannot mount (make run as a user) runs a pod with
	// the API access volume without that mount instead of refusing it.
	nm := startKubelet(t, srv, kubeletSpec{root: t.TempDir(), nodes: []string{"node-b"}, token: "node-b-token", ca: ca.CertPEM(), noMounts: true})
	defer nm.stop(t)
	plain := teamPod("plain", "true")
	plain.Spec.NodeName = "node-b"
	created, err = admin.CoreV1().Pods("team").Create(ctx, plain, meta.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	checkAPIAccessVolume(t, created)
	waitFor(t, 60*time.Second, "the pod on the kubelet that cannot mount to succeed", func() bool {
		return podPhaseIn(admin, "team", "plain") == core.PodSucceeded
	})
	deletePods(t, admin, "team", "client", "kubectl", "quiet", "plain")
}

// teamPod is a run-once pod of namespace team on node-a running command.
func teamPod(name, command string) *core.Pod {
	return &core.Pod{ObjectMeta: meta.ObjectMeta{Name: name, Namespace: "team"}, Spec: core.PodSpec{
		NodeName: "node-a", RestartPolicy: core.RestartPolicyNever, TerminationGracePeriodSeconds: meta.Ptr(int64(1)),
		Containers: []core.Container{{Name: "main", Image: "busybox", Command: []string{command}}}}}
}

// checkAPIAccessVolume checks what the ServiceAccount admission added.
func checkAPIAccessVolume(t *testing.T, p *core.Pod) {
	t.Helper()
	if p.Spec.ServiceAccountName != "default" || len(p.Spec.Volumes) != 1 {
		t.Fatalf("serviceAccountName %q volumes %+v", p.Spec.ServiceAccountName, p.Spec.Volumes)
	}
	v := p.Spec.Volumes[0]
	if !strings.HasPrefix(v.Name, "kube-api-access-") || len(v.Name) != len("kube-api-access-")+5 || v.Projected == nil ||
		len(v.Projected.Sources) != 3 || *v.Projected.DefaultMode != 0o644 ||
		*v.Projected.Sources[0].ServiceAccountToken.ExpirationSeconds != 3607 ||
		v.Projected.Sources[1].ConfigMap.Name != "kube-root-ca.crt" ||
		v.Projected.Sources[2].DownwardAPI.Items[0].FieldRef.FieldPath != "metadata.namespace" {
		t.Fatalf("API access volume %+v", v)
	}
	m := p.Spec.Containers[0].VolumeMounts
	if len(m) != 1 || m[0] != (core.VolumeMount{Name: v.Name, ReadOnly: true, MountPath: core.DefaultAPITokenMountPath}) {
		t.Fatalf("mounts %+v", m)
	}
}

func podPhaseIn(cs *clientset.Clientset, ns, name string) core.PodPhase {
	p, err := cs.CoreV1().Pods(ns).Get(context.Background(), name, meta.GetOptions{})
	if err != nil {
		return ""
	}
	return p.Status.Phase
}

func containerLogsIn(k *testKubelet, ns, pod, container string) string {
	_, body := httpGet(k.URL + "/containerLogs/" + ns + "/" + pod + "/" + container)
	return body
}
