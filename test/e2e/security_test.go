//go:build e2e

package e2e

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"net/http"
	"os"
	"testing"
	"time"

	"github.com/tinykube/tinykube/pkg/api/meta"
)

// stepSecurity checks, through the balancer, that the apiservers serve TLS
// under the cluster's CA and that a request without a token is refused
// while the admin's is served (the scenario's client is the admin).
func stepSecurity(t *testing.T, ctx context.Context, c *cluster) {
	if c.caFile == "" {
		t.Skip("no admin kubeconfig with a CA (TINYKUBE_KUBECONFIG): the cluster runs without TLS")
	}
	pem, err := os.ReadFile(c.caFile)
	if err != nil {
		t.Fatalf("read CA: %v", err)
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(pem) {
		t.Fatalf("no certificate in %s", c.caFile)
	}
	hc := &http.Client{Timeout: 5 * time.Second, Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}}
	defer hc.CloseIdleConnections()
	eventually(t, ctx, "anonymous request refused", 30*time.Second, func(ctx context.Context) (bool, string, error) {
		code, err := status(ctx, hc, c.server+"/api/v1/namespaces/kube-system/secrets")
		if err != nil {
			return false, "", err
		}
		return code == http.StatusUnauthorized || code == http.StatusForbidden, fmt.Sprintf("HTTP %d", code), nil
	})
	eventually(t, ctx, "readyz open over TLS", 30*time.Second, func(ctx context.Context) (bool, string, error) {
		code, err := status(ctx, hc, c.server+"/readyz")
		if err != nil {
			return false, "", err
		}
		return code == http.StatusOK, fmt.Sprintf("HTTP %d", code), nil
	})
	if _, err := c.client.CoreV1().Secrets("kube-system").List(ctx, meta.ListOptions{}); err != nil {
		t.Errorf("the admin cannot list secrets: %v", err)
	}
}

func status(ctx context.Context, hc *http.Client, url string) (int, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return 0, err
	}
	resp, err := hc.Do(req)
	if err != nil {
		return 0, err
	}
	resp.Body.Close()
	return resp.StatusCode, nil
}
