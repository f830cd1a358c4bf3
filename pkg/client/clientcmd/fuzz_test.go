package clientcmd

import "testing"

// FuzzParseAndBuild: any kubeconfig text either fails to parse or yields a
// config from which building a rest.Config errors or succeeds, never panics.
func FuzzParseAndBuild(f *testing.F) {
	f.Add([]byte(fileA))
	f.Add([]byte(fileB))
	f.Add([]byte("current-context: x\ncontexts: [{name: x, context: {cluster: y}}]"))
	f.Fuzz(func(t *testing.T, data []byte) {
		c, err := Parse(data)
		if err != nil {
			return
		}
		merge(&Config{}, c)
		o := NewClientOptions()
		cfg, err := o.restConfigFrom(c)
		if err == nil && cfg.Host == "" {
			t.Fatal("built a config without a host")
		}
	})
}
