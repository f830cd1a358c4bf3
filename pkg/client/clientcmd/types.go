// Package clientcmd loads kubeconfig files (the v1 Config kubectl reads),
// merges the KUBECONFIG list as kubectl does, registers the client flags
// every tinykube daemon shares, and builds a rest.Config from them.
package clientcmd

// Config is a kubeconfig file (apiVersion v1, kind Config).
type Config struct {
	Kind           string         `json:"kind,omitempty"`
	APIVersion     string         `json:"apiVersion,omitempty"`
	Clusters       []NamedCluster `json:"clusters"`
	AuthInfos      []NamedAuth    `json:"users"`
	Contexts       []NamedContext `json:"contexts"`
	CurrentContext string         `json:"current-context"`
}

// NamedCluster is one entry of clusters.
type NamedCluster struct {
	Name    string  `json:"name"`
	Cluster Cluster `json:"cluster"`
}

// Cluster says where an apiserver is and how to trust it.
type Cluster struct {
	Server                   string `json:"server"`
	TLSServerName            string `json:"tls-server-name,omitempty"`
	InsecureSkipTLSVerify    bool   `json:"insecure-skip-tls-verify,omitempty"`
	CertificateAuthority     string `json:"certificate-authority,omitempty"`
	CertificateAuthorityData []byte `json:"certificate-authority-data,omitempty"`
}

// NamedAuth is one entry of users.
type NamedAuth struct {
	Name     string   `json:"name"`
	AuthInfo AuthInfo `json:"user"`
}

// AuthInfo is a user's credentials.
type AuthInfo struct {
	Token     string `json:"token,omitempty"`
	TokenFile string `json:"tokenFile,omitempty"`
	// TokenFileDashed accepts "token-file", a spelling people write by
	// analogy with the other fields; tokenFile wins when both are set.
	TokenFileDashed       string `json:"token-file,omitempty"`
	ClientCertificate     string `json:"client-certificate,omitempty"`
	ClientCertificateData []byte `json:"client-certificate-data,omitempty"`
	ClientKey             string `json:"client-key,omitempty"`
	ClientKeyData         []byte `json:"client-key-data,omitempty"`
}

// NamedContext is one entry of contexts.
type NamedContext struct {
	Name    string  `json:"name"`
	Context Context `json:"context"`
}

// Context binds a cluster, a user and a default namespace.
type Context struct {
	Cluster   string `json:"cluster"`
	AuthInfo  string `json:"user"`
	Namespace string `json:"namespace,omitempty"`
}

// Cluster returns the named cluster, or nil.
func (c *Config) Cluster(name string) *Cluster {
	for i := range c.Clusters {
		if c.Clusters[i].Name == name {
			return &c.Clusters[i].Cluster
		}
	}
	return nil
}

// AuthInfo returns the named user, or nil.
func (c *Config) AuthInfo(name string) *AuthInfo {
	for i := range c.AuthInfos {
		if c.AuthInfos[i].Name == name {
			return &c.AuthInfos[i].AuthInfo
		}
	}
	return nil
}

// Context returns the named context, or nil.
func (c *Config) Context(name string) *Context {
	for i := range c.Contexts {
		if c.Contexts[i].Name == name {
			return &c.Contexts[i].Context
		}
	}
	return nil
}
