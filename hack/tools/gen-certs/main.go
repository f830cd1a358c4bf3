// Command gen-certs makes the PKI of a tinykube cluster in a directory: a CA
// (ca.crt, ca.key), the apiserver's serving certificate (apiserver.crt,
// apiserver.key) for the given hosts, and client certificates whose subject
// names a user (CN) and groups (O), for --client-ca-file authentication;
// and the service account token key pair every apiserver of the cluster
// shares (sa.key for --service-account-signing-key-file, sa.pub for
// --service-account-key-file; RSA 2048, as kubeadm makes it).
// Existing files are kept unless --force, so it can run at every start.
//
//	go run ./hack/tools/gen-certs --dir .local/pki \
//	  --hosts localhost,127.0.0.1,apiserver --client admin=system:masters
package main

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/pflag"

	"github.com/tinykube/tinykube/pkg/apiserver/authentication/certutil"
)

func main() {
	if err := run(os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "gen-certs:", err)
		os.Exit(1)
	}
}

func run(args []string) error {
	fs := pflag.NewFlagSet("gen-certs", pflag.ContinueOnError)
	dir := fs.String("dir", ".local/pki", "output directory")
	hosts := fs.StringSlice("hosts", []string{"localhost", "127.0.0.1", "apiserver"}, "DNS names and IPs of the apiserver certificate")
	clients := fs.StringArray("client", []string{"admin=system:masters"},
		"client certificate NAME[=GROUP1,GROUP2] (repeatable): files NAME.crt and NAME.key, user NAME")
	force := fs.Bool("force", false, "overwrite existing files")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if err := os.MkdirAll(*dir, 0o700); err != nil {
		return fmt.Errorf("create %s: %w", *dir, err)
	}
	if err := writeServiceAccountKey(*dir, *force); err != nil {
		return err
	}
	caCert, caKey := filepath.Join(*dir, "ca.crt"), filepath.Join(*dir, "ca.key")
	if exists(caCert) && !*force {
		fmt.Printf("gen-certs: %s exists, keeping the PKI in %s (use --force to replace)\n", caCert, *dir)
		return nil
	}
	ca, err := certutil.NewCA("tinykube-ca")
	if err != nil {
		return err
	}
	if err := ca.WriteFiles(caCert, caKey); err != nil {
		return err
	}
	srv, err := certutil.NewServerCert(ca, "apiserver", *hosts)
	if err != nil {
		return err
	}
	if err := srv.WriteFiles(filepath.Join(*dir, "apiserver.crt"), filepath.Join(*dir, "apiserver.key")); err != nil {
		return err
	}
	for _, c := range *clients {
		name, groups, err := parseClient(c)
		if err != nil {
			return err
		}
		kp, err := certutil.NewClientCert(ca, name, groups)
		if err != nil {
			return err
		}
		file := strings.NewReplacer(":", "-", "/", "-").Replace(name)
		if err := kp.WriteFiles(filepath.Join(*dir, file+".crt"), filepath.Join(*dir, file+".key")); err != nil {
			return err
		}
	}
	fmt.Printf("gen-certs: wrote CA, apiserver (%s) and %d client certificates to %s\n", strings.Join(*hosts, ","), len(*clients), *dir)
	return nil
}

// parseClient reads NAME[=GROUP1,GROUP2].
func parseClient(s string) (string, []string, error) {
	name, groups, _ := strings.Cut(s, "=")
	if name == "" {
		return "", nil, errors.New("--client needs a name")
	}
	var gs []string
	for _, g := range strings.Split(groups, ",") {
		if g = strings.TrimSpace(g); g != "" {
			gs = append(gs, g)
		}
	}
	return name, gs, nil
}

// writeServiceAccountKey writes sa.key and sa.pub unless sa.key exists
// (a PKI made before service account tokens gets them too).
func writeServiceAccountKey(dir string, force bool) error {
	keyFile, pubFile := filepath.Join(dir, "sa.key"), filepath.Join(dir, "sa.pub")
	if exists(keyFile) && !force {
		return nil
	}
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return fmt.Errorf("service account key: %w", err)
	}
	pub, err := x509.MarshalPKIXPublicKey(&key.PublicKey)
	if err != nil {
		return fmt.Errorf("service account key: %w", err)
	}
	if err := os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(key)}), 0o600); err != nil {
		return fmt.Errorf("write %s: %w", keyFile, err)
	}
	if err := os.WriteFile(pubFile, pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: pub}), 0o644); err != nil {
		return fmt.Errorf("write %s: %w", pubFile, err)
	}
	fmt.Printf("gen-certs: wrote the service account key pair %s, %s\n", keyFile, pubFile)
	return nil
}

func exists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}
