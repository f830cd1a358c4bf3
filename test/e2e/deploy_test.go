package e2e

import (
	"os"
	"slices"
	"strings"
	"testing"

	"sigs.k8s.io/yaml"
)

// composeFile is the part of deploy/docker-compose.yaml these checks read.
type composeFile struct {
	Services map[string]struct {
		Image       string   `json:"image"`
		Hostname    string   `json:"hostname"`
		Restart     string   `json:"restart"`
		Command     []string `json:"command"`
		Profiles    []string `json:"profiles"`
		Scale       string   `json:"scale"`
		Healthcheck *struct {
			Test []string `json:"test"`
		} `json:"healthcheck"`
	} `json:"services"`
}

type promConfig struct {
	ScrapeConfigs []struct {
		JobName       string `json:"job_name"`
		StaticConfigs []struct {
			Targets []string `json:"targets"`
		} `json:"static_configs"`
		DNSSDConfigs []struct {
			Names []string `json:"names"`
		} `json:"dns_sd_configs"`
	} `json:"scrape_configs"`
}

func readYAML(t *testing.T, path string, into any) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := yaml.Unmarshal(data, into); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
}

// TestComposeServices checks the compose file's promises: every default
// service runs a locally built image (nothing to pull), restarts, has a
// health check run by a binary inside the image and a hostname equal to its
// name (leader identities and node names rely on it), except a scaled
// service, whose containers cannot share one. The apiservers are scaled and
// the balancer in front of them answers to the name apiserver.
func TestComposeServices(t *testing.T) {
	var c composeFile
	readYAML(t, "../../deploy/docker-compose.yaml", &c)
	if len(c.Services) < 13 {
		t.Fatalf("only %d services", len(c.Services))
	}
	for name, s := range c.Services {
		if slices.Contains(s.Profiles, "grafana") {
			continue // optional, and pulled on purpose
		}
		if !strings.HasPrefix(s.Image, "tinykube/") {
			t.Errorf("%s: image %q is not built locally", name, s.Image)
		}
		if s.Restart == "" {
			t.Errorf("%s: no restart policy", name)
		}
		if s.Healthcheck == nil || len(s.Healthcheck.Test) < 2 || s.Healthcheck.Test[0] != "CMD" ||
			s.Healthcheck.Test[1] != "/usr/local/bin/healthcheck" {
			t.Errorf("%s: health check %+v does not run the image's probe binary", name, s.Healthcheck)
		}
		if s.Scale == "" && s.Hostname != name {
			t.Errorf("%s: hostname %q", name, s.Hostname)
		}
		if s.Scale != "" && s.Hostname != "" {
			t.Errorf("%s: scaled, yet every container would be named %q", name, s.Hostname)
		}
	}
	if lb := c.Services["apiserver"]; lb.Image != "tinykube/haproxy:${TAG:-dev}" {
		t.Errorf("the service apiserver runs %q, not the balancer", lb.Image)
	}
	if c.Services["apiservers"].Scale != "${APISERVERS:-2}" {
		t.Errorf("apiservers: scale %q, want ${APISERVERS:-2}", c.Services["apiservers"].Scale)
	}
	api := c.Services["apiservers"]
	for _, flag := range []string{"--authorization-mode=RBAC", "--token-auth-file=", "--tls-cert-file=", "--tls-private-key-file="} {
		if !strings.Contains(strings.Join(api.Command, " "), flag) {
			t.Errorf("the apiservers' command %q lacks %s", api.Command, flag)
		}
	}
	// Each component its own identity: a kubeconfig, never a bare --server.
	for name, s := range c.Services {
		for _, arg := range s.Command {
			if strings.HasPrefix(arg, "--server") {
				t.Errorf("%s: %s instead of its kubeconfig", name, arg)
			}
		}
	}
	for _, m := range []string{"etcd-1", "etcd-2", "etcd-3"} {
		if !strings.Contains(strings.Join(api.Command, " "), "http://"+m+":2379") {
			t.Errorf("the apiserver's command %q does not name %s", api.Command, m)
		}
	}
}

// TestPrometheusScrapesEveryDaemon checks that each default service is a
// scrape target (static, or found by DNS under its service name), and each
// target a service. The balancer (image tinykube/haproxy) has no metrics.
func TestPrometheusScrapesEveryDaemon(t *testing.T) {
	var c composeFile
	readYAML(t, "../../deploy/docker-compose.yaml", &c)
	var p promConfig
	readYAML(t, "../../deploy/prometheus/prometheus.yml", &p)
	scraped := map[string]bool{}
	for _, sc := range p.ScrapeConfigs {
		for _, st := range sc.StaticConfigs {
			for _, target := range st.Targets {
				host, _, _ := strings.Cut(target, ":")
				if host == "localhost" {
					host = "prometheus"
				}
				if _, ok := c.Services[host]; !ok {
					t.Errorf("job %s scrapes %s, which is no compose service", sc.JobName, target)
				}
				scraped[host] = true
			}
		}
		for _, sd := range sc.DNSSDConfigs {
			for _, host := range sd.Names {
				if _, ok := c.Services[host]; !ok {
					t.Errorf("job %s looks up %s, which is no compose service", sc.JobName, host)
				}
				scraped[host] = true
			}
		}
	}
	for name, s := range c.Services {
		balancer := strings.HasPrefix(s.Image, "tinykube/haproxy:")
		if balancer && scraped[name] {
			t.Errorf("job scrapes the balancer %s instead of the apiservers", name)
		}
		if len(s.Profiles) == 0 && !balancer && !scraped[name] {
			t.Errorf("service %s is not scraped", name)
		}
	}
}
