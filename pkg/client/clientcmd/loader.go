package clientcmd

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"sigs.k8s.io/yaml"
)

// RecommendedHomeFile is where kubectl looks when nothing else is set.
func RecommendedHomeFile() string {
	home, err := os.UserHomeDir()
	if err != nil {
		return ""
	}
	return filepath.Join(home, ".kube", "config")
}

// Parse reads a kubeconfig from YAML or JSON.
func Parse(data []byte) (*Config, error) {
	var c Config
	if err := yaml.Unmarshal(data, &c); err != nil {
		return nil, fmt.Errorf("parse kubeconfig: %w", err)
	}
	return &c, nil
}

// LoadFile reads one kubeconfig; relative file paths inside it (CA, client
// certificate and key, token file) are made relative to the file's folder.
func LoadFile(path string) (*Config, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read kubeconfig: %w", err)
	}
	c, err := Parse(data)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	resolvePaths(c, filepath.Dir(path))
	return c, nil
}

func resolvePaths(c *Config, dir string) {
	abs := func(p *string) {
		if *p != "" && !filepath.IsAbs(*p) {
			*p = filepath.Join(dir, *p)
		}
	}
	for i := range c.Clusters {
		abs(&c.Clusters[i].Cluster.CertificateAuthority)
	}
	for i := range c.AuthInfos {
		a := &c.AuthInfos[i].AuthInfo
		abs(&a.TokenFile)
		abs(&a.TokenFileDashed)
		abs(&a.ClientCertificate)
		abs(&a.ClientKey)
	}
}

// WriteFile writes c as YAML with mode 0600.
func WriteFile(path string, c *Config) error {
	if c.APIVersion == "" {
		c.APIVersion = "v1"
	}
	if c.Kind == "" {
		c.Kind = "Config"
	}
	data, err := yaml.Marshal(c)
	if err != nil {
		return fmt.Errorf("encode kubeconfig: %w", err)
	}
	if err := os.WriteFile(path, data, 0o600); err != nil {
		return fmt.Errorf("write kubeconfig: %w", err)
	}
	return nil
}

// LoadMerged loads every path and merges them as kubectl merges KUBECONFIG:
// for each cluster, user and context name the first file that defines it
// wins, and so does the first non-empty current-context. Empty paths and
// missing files are skipped; a file that exists but does not parse is an
// error.
func LoadMerged(paths []string) (*Config, error) {
	out := &Config{APIVersion: "v1", Kind: "Config"}
	for _, p := range paths {
		if p == "" {
			continue
		}
		c, err := LoadFile(p)
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			return nil, err
		}
		merge(out, c)
	}
	return out, nil
}

// merge adds to dst what src defines that dst does not.
func merge(dst, src *Config) {
	for _, c := range src.Clusters {
		if dst.Cluster(c.Name) == nil {
			dst.Clusters = append(dst.Clusters, c)
		}
	}
	for _, a := range src.AuthInfos {
		if dst.AuthInfo(a.Name) == nil {
			dst.AuthInfos = append(dst.AuthInfos, a)
		}
	}
	for _, c := range src.Contexts {
		if dst.Context(c.Name) == nil {
			dst.Contexts = append(dst.Contexts, c)
		}
	}
	if dst.CurrentContext == "" {
		dst.CurrentContext = src.CurrentContext
	}
}
