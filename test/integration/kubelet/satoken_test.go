package kubelet

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/tinykube/tinykube/pkg/api/core"
	"github.com/tinykube/tinykube/pkg/api/meta"
	"github.com/tinykube/tinykube/pkg/api/resource"
	"github.com/tinykube/tinykube/pkg/apiserver/app"
	"github.com/tinykube/tinykube/pkg/controller/volume/persistentvolume"
	"github.com/tinykube/tinykube/pkg/kubelet/runtime/process"
	"github.com/tinykube/tinykube/test/integration/framework"
)

// startSecure starts an apiserver with token authentication (admin-token:
// system:masters; node-token: system:node:node-a), RBAC and service
// account tokens signed by a new key; opts may add to it.
func startSecure(t *testing.T, opts ...framework.Option) *framework.TestServer {
	t.Helper()
	dir := t.TempDir()
	tokens := filepath.Join(dir, "tokens.csv")
	if err := os.WriteFile(tokens, []byte("admin-token,admin,1,system:masters\nnode-token,system:node:node-a,2,system:nodes\nnode-b-token,system:node:node-b,3,system:nodes\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	keyFile := filepath.Join(dir, "sa.key")
	if err := os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(key)}), 0o600); err != nil {
		t.Fatal(err)
	}
	return framework.StartAPIServer(t, append([]framework.Option{framework.WithOptions(func(o *app.Options) {
		o.Security.TokenAuthFile = tokens
		o.Security.AuthorizationModes = []string{app.ModeRBAC}
		o.ServiceAccount.Issuers = []string{"https://kubernetes.default.svc.cluster.local"}
		o.ServiceAccount.SigningKeyFile = keyFile
	})}, opts...)...)
}

// jwtClaims decodes a JWT's payload (unverified: the apiserver checks it).
func jwtClaims(t *testing.T, token string) map[string]any {
	t.Helper()
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		t.Fatalf("not a JWT: %q", token)
	}
	data, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]any{}
	if err := json.Unmarshal(data, &out); err != nil {
		t.Fatal(err)
	}
	return out
}

// apiStatus is the code of a GET of path with the bearer token.
func apiStatus(t *testing.T, srv *framework.TestServer, token, path string) (int, string) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, srv.URL+path, nil)
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var st meta.Status
	_ = json.NewDecoder(resp.Body).Decode(&st)
	return resp.StatusCode, st.Message
}

// TestServiceAccountTokenVolume: under RBAC and node restriction, a
// kubelet acting as system:node:node-a runs a pod with a projected volume
// of two service account tokens (the API's audience, and "vault" with its
// own expiration) and a claim bound to a hostPath volume with a node
// affinity to node-a (the kubelet gets the claim, the volume and its
// node). The tokens are bound to the pod; the API's authenticates as the
// pod's service account until the pod is deleted.
func TestServiceAccountTokenVolume(t *testing.T) {
	if !process.CanMount() {
		t.Skip("needs CAP_SYS_ADMIN")
	}
	srv := startSecure(t)
	admin := newClientAs(t, srv, "admin-token")
	startControllers(t, admin, t.TempDir(), persistentvolume.Name)
	k := startKubelet(t, srv, kubeletSpec{root: t.TempDir(), nodes: []string{"node-a"}, token: "node-token"})
	defer k.stop(t)
	ctx := context.Background()
	if _, err := admin.CoreV1().ServiceAccounts("default").Create(ctx, &core.ServiceAccount{ObjectMeta: meta.ObjectMeta{Name: "default"}},
		meta.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	dataDir := filepath.Join(t.TempDir(), "pv")
	if _, err := admin.CoreV1().PersistentVolumes().Create(ctx, &core.PersistentVolume{ObjectMeta: meta.ObjectMeta{Name: "pv-a"},
		Spec: core.PersistentVolumeSpec{Capacity: core.ResourceList{core.ResourceStorage: resource.MustParse("1Gi")},
			PersistentVolumeSource: core.PersistentVolumeSource{HostPath: &core.HostPathVolumeSource{Path: dataDir, Type: meta.Ptr(core.HostPathDirectoryOrCreate)}},
			AccessModes:            []core.PersistentVolumeAccessMode{core.ReadWriteOnce},
			NodeAffinity: &core.VolumeNodeAffinity{Required: &core.NodeSelector{NodeSelectorTerms: []core.NodeSelectorTerm{{
				MatchExpressions: []core.NodeSelectorRequirement{{Key: core.LabelHostname, Operator: core.NodeSelectorOpIn, Values: []string{"node-a"}}}}}}}}},
		meta.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	if _, err := admin.CoreV1().PersistentVolumeClaims("default").Create(ctx, &core.PersistentVolumeClaim{ObjectMeta: meta.ObjectMeta{Name: "data"},
		Spec: core.PersistentVolumeClaimSpec{AccessModes: []core.PersistentVolumeAccessMode{core.ReadWriteOnce}, VolumeName: "pv-a",
			StorageClassName: meta.Ptr(""),
			Resources:        core.VolumeResourceRequirements{Requests: core.ResourceList{core.ResourceStorage: resource.MustParse("1Gi")}}}},
		meta.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	mnt, tok := t.TempDir(), t.TempDir()
	pod := claimPod("app", "data", false, mnt, `cat $T/token > $D/token && cat $T/vault/token > $D/vault && echo ok; exec sleep 300`)
	pod.Namespace = "default"
	pod.Spec.RestartPolicy = core.RestartPolicyAlways
	// Its own token volume only: the API access volume needs kube-root-ca.crt,
	// which a plain-http apiserver has no CA for (see TestInClusterConfig).
	pod.Spec.AutomountServiceAccountToken = meta.Ptr(false)
	pod.Spec.Volumes = append(pod.Spec.Volumes, core.Volume{Name: "tokens", VolumeSource: core.VolumeSource{Projected: &core.ProjectedVolumeSource{
		Sources: []core.VolumeProjection{{ServiceAccountToken: &core.ServiceAccountTokenProjection{Path: "token"}},
			{ServiceAccountToken: &core.ServiceAccountTokenProjection{Path: "vault/token", Audience: "vault", ExpirationSeconds: meta.Ptr(int64(900))}}}}}})
	c := &pod.Spec.Containers[0]
	c.Env = append(c.Env, core.EnvVar{Name: "T", Value: tok})
	c.VolumeMounts = append(c.VolumeMounts, core.VolumeMount{Name: "tokens", MountPath: tok})
	created, err := admin.CoreV1().Pods("default").Create(ctx, pod, meta.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	waitFor(t, 30*time.Second, "the pod to copy its tokens", func() bool { return containerLogs(k, "app", "main") == "ok\n" })
	read := func(name string) string {
		b, err := os.ReadFile(filepath.Join(dataDir, name))
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	apiToken, vaultToken := read("token"), read("vault")
	claims := jwtClaims(t, vaultToken)
	if aud, _ := claims["aud"].([]any); len(aud) != 1 || aud[0] != "vault" {
		t.Fatalf("vault token audiences %v", claims["aud"])
	}
	if exp, iat := claims["exp"].(float64), claims["iat"].(float64); exp-iat != 900 {
		t.Fatalf("vault token lifetime %v", exp-iat)
	}
	kc, _ := claims["kubernetes.io"].(map[string]any)
	podClaim, _ := kc["pod"].(map[string]any)
	if sa, _ := kc["serviceaccount"].(map[string]any); podClaim["name"] != "app" || podClaim["uid"] != created.UID || sa["name"] != "default" {
		t.Fatalf("vault token's kubernetes.io claims %v", kc)
	}
	if nodeClaim, _ := kc["node"].(map[string]any); nodeClaim["name"] != "node-a" {
		t.Fatalf("vault token's node %v", kc["node"])
	}
	code, msg := apiStatus(t, srv, apiToken, "/api/v1/namespaces/default/pods")
	if code != http.StatusForbidden || !strings.Contains(msg, `"system:serviceaccount:default:default"`) {
		t.Fatalf("the pod's token: %d %q, want 403 for system:serviceaccount:default:default", code, msg)
	}
	if code, _ := apiStatus(t, srv, vaultToken, "/api/v1/namespaces/default/pods"); code != http.StatusUnauthorized {
		t.Fatalf("the vault audience's token at the API: %d, want 401", code)
	}
	if err := admin.CoreV1().Pods("default").Delete(ctx, "app", meta.DeleteOptions{}); err != nil {
		t.Fatal(err)
	}
	waitFor(t, 30*time.Second, "the pod to go", func() bool {
		_, err := admin.CoreV1().Pods("default").Get(ctx, "app", meta.GetOptions{})
		return err != nil
	})
	if code, _ := apiStatus(t, srv, apiToken, "/api/v1/namespaces/default/pods"); code != http.StatusUnauthorized {
		t.Fatalf("the deleted pod's token: %d, want 401", code)
	}
}
