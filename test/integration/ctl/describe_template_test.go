package ctl

import (
	"context"
	"strings"
	"testing"

	"github.com/tinykube/tinykube/pkg/api/core"
	"github.com/tinykube/tinykube/pkg/api/meta"
)

// A Job whose pod template uses what kubectl's DescribePodTemplate prints:
// labels and annotations, a service account, an init container, ports with
// and without a host port, command and args, limits and requests, the
// three probes, every kind of env source, envFrom, mounts, volumes, node
// selectors and tolerations.
const describeTemplateYAML = `apiVersion: batch/v1
kind: Job
metadata:
  name: tmpl
  namespace: demo
spec:
  suspend: true
  template:
    metadata:
      labels: {app: tmpl, tier: batch}
      annotations:
        note: hello
        long: "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
        multi: "line one\nline two\n"
    spec:
      restartPolicy: Never
      serviceAccountName: runner
      nodeSelector: {disk: ssd, zone: a}
      tolerations:
      - {key: node.kubernetes.io/unreachable, operator: Exists, effect: NoExecute, tolerationSeconds: 30}
      - {key: dedicated, operator: Equal, value: batch, effect: NoSchedule}
      - {operator: Exists}
      initContainers:
      - name: setup
        image: busybox
        command: [sh, -c, "echo ready"]
      containers:
      - name: main
        image: busybox
        command: [sh, -c]
        args: ["exec sleep 3600"]
        ports:
        - {containerPort: 80}
        - {containerPort: 53, hostPort: 5353, protocol: UDP}
        resources:
          limits: {cpu: 500m, memory: 128Mi}
          requests: {cpu: 250m, memory: 64Mi}
        livenessProbe:
          httpGet: {path: /healthz, port: 8080, scheme: HTTPS, host: 10.0.0.1}
          initialDelaySeconds: 3
        readinessProbe:
          exec: {command: [sh, -c, "test -f /tmp/ready"]}
          periodSeconds: 2
        startupProbe:
          tcpSocket: {port: 80}
          failureThreshold: 30
        env:
        - {name: PLAIN, value: v1}
        - name: FROM_CM
          valueFrom: {configMapKeyRef: {name: cfg, key: k1}}
        - name: FROM_SECRET
          valueFrom: {secretKeyRef: {name: sec, key: k2, optional: true}}
        - name: POD_NAME
          valueFrom: {fieldRef: {fieldPath: metadata.name}}
        - name: CPU_LIMIT
          valueFrom: {resourceFieldRef: {resource: limits.cpu}}
        - name: MEM_REQUEST
          valueFrom: {resourceFieldRef: {resource: requests.memory, divisor: 1Mi}}
        - name: EPHEMERAL
          valueFrom: {resourceFieldRef: {resource: limits.ephemeral-storage}}
        - name: APP
          valueFrom: {fieldRef: {fieldPath: "metadata.labels['app']"}}
        envFrom:
        - configMapRef: {name: cfg}
        - secretRef: {name: sec}
          prefix: S_
        volumeMounts:
        - {name: scratch, mountPath: /scratch}
        - {name: scratch, mountPath: /logs, subPath: logs}
        - {name: conf, mountPath: /etc/conf, readOnly: true}
      volumes:
      - name: scratch
        emptyDir: {medium: Memory, sizeLimit: 64Mi}
      - name: plain
        emptyDir: {}
      - name: conf
        configMap: {name: cfg}
      - name: creds
        secret: {secretName: sec}
      - name: host
        hostPath: {path: /var/log}
`

// TestDescribePodTemplateMatchesKubectl: the pod template block of ctl
// describe is the real kubectl's, byte for byte.
func TestDescribePodTemplateMatchesKubectl(t *testing.T) {
	bin := findKubectl(t)
	c := startCluster(t)
	k := kubectlRunner{bin: bin, kubeconfig: c.kubeconfig, cacheDir: t.TempDir()}
	if _, err := c.cs.CoreV1().Namespaces().Create(context.Background(), &core.Namespace{ObjectMeta: meta.ObjectMeta{Name: "demo"}}, meta.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	contains(t, "create", k.run(t, describeTemplateYAML, "create", "-f", "-").out, "job.batch/tmpl created")
	want := podTemplateBlock(k.must(t, "-n", "demo", "describe", "job", "tmpl"))
	got := podTemplateBlock(c.mustCtl(t, "-n", "demo", "describe", "job", "tmpl"))
	if want == "" || got != want {
		t.Errorf("pod template of ctl describe job differs from kubectl's:\nctl:\n%s\nkubectl:\n%s", got, want)
	}
}

// podTemplateBlock is the "Pod Template:" line of a description and the
// indented lines after it.
func podTemplateBlock(out string) string {
	var b strings.Builder
	in := false
	for _, l := range strings.Split(out, "\n") {
		switch {
		case l == "Pod Template:":
			in = true
		case in && !strings.HasPrefix(l, " ") && !strings.HasPrefix(l, "\t"):
			return b.String()
		}
		if in {
			b.WriteString(l + "\n")
		}
	}
	return b.String()
}
