package clientcmd

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/spf13/pflag"
)

const fileA = `apiVersion: v1
kind: Config
current-context: dev
clusters:
- name: dev
  cluster:
    server: https://dev.example:6443
    certificate-authority: certs/ca.crt
- name: shared
  cluster:
    server: http://from-a:8080
users:
- name: alice
  user:
    token: alice-token
- name: bob
  user:
    tokenFile: bob.token
    client-certificate-data: Y2VydA==
    client-key-data: a2V5
contexts:
- name: dev
  context: {cluster: dev, user: alice, namespace: team-a}
- name: bob
  context: {cluster: shared, user: bob}
`

const fileB = `apiVersion: v1
kind: Config
current-context: prod
clusters:
- name: shared
  cluster:
    server: http://from-b:8080
- name: prod
  cluster:
    server: https://prod.example:6443
    insecure-skip-tls-verify: true
users:
- name: carol
  user:
    token-file: /etc/carol.token
contexts:
- name: prod
  context: {cluster: prod, user: carol}
`

func writeFiles(t *testing.T) (string, string) {
	t.Helper()
	dir := t.TempDir()
	a, b := filepath.Join(dir, "a"), filepath.Join(dir, "b")
	if err := os.WriteFile(a, []byte(fileA), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(b, []byte(fileB), 0o600); err != nil {
		t.Fatal(err)
	}
	return a, b
}

func parseFlags(t *testing.T, args ...string) *ClientOptions {
	t.Helper()
	o := NewClientOptions()
	fs := pflag.NewFlagSet("t", pflag.ContinueOnError)
	o.AddFlags(fs)
	o.AddNamespaceFlag(fs)
	if err := fs.Parse(args); err != nil {
		t.Fatal(err)
	}
	return o
}

func TestLoadFileResolvesRelativePaths(t *testing.T) {
	a, _ := writeFiles(t)
	c, err := LoadFile(a)
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Dir(a)
	if got := c.Cluster("dev").CertificateAuthority; got != filepath.Join(dir, "certs/ca.crt") {
		t.Errorf("CA path %q", got)
	}
	bob := c.AuthInfo("bob")
	if bob.TokenFile != filepath.Join(dir, "bob.token") || string(bob.ClientCertificateData) != "cert" || string(bob.ClientKeyData) != "key" {
		t.Errorf("bob = %+v", bob)
	}
	if _, err := Parse([]byte("clusters: {")); err == nil {
		t.Error("bad YAML accepted")
	}
}

func TestRESTConfigFromFlagsAndFiles(t *testing.T) {
	a, b := writeFiles(t)
	cases := []struct {
		name      string
		env       string
		args      []string
		host      string
		token     string
		tokenFile string
		insecure  bool
		ns        string
		wantErr   bool
	}{
		{name: "explicit file, current context", args: []string{"--kubeconfig", a},
			host: "https://dev.example:6443", token: "alice-token", ns: "team-a"},
		{name: "flags override the file", args: []string{"--kubeconfig", a, "--server", "http://other:1", "--token", "t2", "-n", "x"},
			host: "http://other:1", token: "t2", ns: "x"},
		{name: "--context selects", args: []string{"--kubeconfig", a, "--context", "bob"},
			host: "http://from-a:8080", tokenFile: filepath.Join(filepath.Dir(a), "bob.token"), ns: "default"},
		{name: "KUBECONFIG merge: first file wins", env: a + string(os.PathListSeparator) + b, args: []string{"--context", "bob"},
			host: "http://from-a:8080", tokenFile: filepath.Join(filepath.Dir(a), "bob.token"), ns: "default"},
		{name: "KUBECONFIG merge: first current-context wins", env: b + string(os.PathListSeparator) + a,
			host: "https://prod.example:6443", tokenFile: "/etc/carol.token", insecure: true, ns: "default"},
		{name: "KUBECONFIG merge: contexts of the second file", env: b + string(os.PathListSeparator) + a, args: []string{"--context", "dev"},
			host: "https://dev.example:6443", token: "alice-token", ns: "team-a"},
		{name: "missing KUBECONFIG entries are skipped", env: filepath.Join(t.TempDir(), "none") + string(os.PathListSeparator) + a,
			host: "https://dev.example:6443", token: "alice-token", ns: "team-a"},
		{name: "--server alone", env: filepath.Join(t.TempDir(), "none"), args: []string{"--server", "http://127.0.0.1:8080"},
			host: "http://127.0.0.1:8080", ns: "default"},
		{name: "nothing set", env: filepath.Join(t.TempDir(), "none"), wantErr: true},
		{name: "explicit missing file", args: []string{"--kubeconfig", filepath.Join(t.TempDir(), "none")}, wantErr: true},
		{name: "unknown context", args: []string{"--kubeconfig", a, "--context", "nope"}, wantErr: true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Setenv(EnvKubeconfig, tc.env)
			t.Setenv("HOME", t.TempDir())
			o := parseFlags(t, tc.args...)
			cfg, err := o.RESTConfig()
			if tc.wantErr {
				if err == nil {
					t.Fatalf("want error, got %+v", cfg)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if cfg.Host != tc.host || cfg.BearerToken != tc.token || cfg.BearerTokenFile != tc.tokenFile ||
				cfg.TLSClientConfig.Insecure != tc.insecure {
				t.Fatalf("config %+v", cfg)
			}
			ns, err := o.DefaultNamespace()
			if err != nil || ns != tc.ns {
				t.Fatalf("namespace %q %v, want %q", ns, err, tc.ns)
			}
		})
	}
}

func TestTLSFlagsAndClientCert(t *testing.T) {
	a, _ := writeFiles(t)
	t.Setenv(EnvKubeconfig, "")
	cfg, err := parseFlags(t, "--kubeconfig", a, "--context", "bob", "--kube-api-qps", "7", "--kube-api-burst", "9").RESTConfig()
	if err != nil {
		t.Fatal(err)
	}
	if string(cfg.TLSClientConfig.CertData) != "cert" || string(cfg.TLSClientConfig.KeyData) != "key" || cfg.QPS != 7 || cfg.Burst != 9 {
		t.Fatalf("config %+v", cfg)
	}
	cfg, err = parseFlags(t, "--kubeconfig", a, "--insecure-skip-tls-verify").RESTConfig()
	if err != nil {
		t.Fatal(err)
	}
	if !cfg.TLSClientConfig.Insecure || cfg.TLSClientConfig.CAFile != "" {
		t.Fatalf("insecure flag: %+v", cfg.TLSClientConfig)
	}
}

func TestWriteFileRoundTrip(t *testing.T) {
	path := filepath.Join(t.TempDir(), "cfg")
	in := &Config{
		Clusters:       []NamedCluster{{Name: "c", Cluster: Cluster{Server: "http://x", CertificateAuthorityData: []byte("pem")}}},
		AuthInfos:      []NamedAuth{{Name: "u", AuthInfo: AuthInfo{Token: "tok"}}},
		Contexts:       []NamedContext{{Name: "ctx", Context: Context{Cluster: "c", AuthInfo: "u", Namespace: "n"}}},
		CurrentContext: "ctx",
	}
	if err := WriteFile(path, in); err != nil {
		t.Fatal(err)
	}
	out, err := LoadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if out.CurrentContext != "ctx" || string(out.Cluster("c").CertificateAuthorityData) != "pem" ||
		out.AuthInfo("u").Token != "tok" || out.Context("ctx").Namespace != "n" || out.APIVersion != "v1" {
		t.Fatalf("round trip %+v", out)
	}
}
