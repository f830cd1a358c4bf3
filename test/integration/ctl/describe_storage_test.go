package ctl

import (
	"testing"
)

const describeStorageYAML = `apiVersion: storage.k8s.io/v1
kind: StorageClass
metadata:
  name: fast
  annotations:
    storageclass.kubernetes.io/is-default-class: "true"
provisioner: tinykube.io/host-path
reclaimPolicy: Retain
volumeBindingMode: WaitForFirstConsumer
parameters:
  tier: ssd
mountOptions: [noatime]
---
apiVersion: storage.k8s.io/v1
kind: StorageClass
metadata: {name: zoned}
provisioner: example.com/nfs
allowVolumeExpansion: true
allowedTopologies:
- matchLabelExpressions:
  - {key: topology.kubernetes.io/zone, values: [a, b]}
  - {key: kubernetes.io/hostname, values: [node-1]}
---
apiVersion: v1
kind: PersistentVolume
metadata: {name: disk-2}
spec:
  capacity: {storage: 1Gi}
  accessModes: [ReadWriteMany]
  local: {path: /mnt/disks/ssd1}
  nodeAffinity:
    required:
      nodeSelectorTerms:
      - matchExpressions:
        - {key: kubernetes.io/hostname, operator: In, values: [node-1, node-2]}
        - {key: disk, operator: Exists}
      - matchExpressions:
        - {key: zone, operator: NotIn, values: [c]}
---
apiVersion: v1
kind: PersistentVolume
metadata:
  name: disk-1
  labels: {tier: ssd}
spec:
  capacity: {storage: 5Gi}
  accessModes: [ReadWriteOnce, ReadOnlyMany]
  storageClassName: fast
  persistentVolumeReclaimPolicy: Retain
  hostPath: {path: /srv/disk-1, type: DirectoryOrCreate}
  nodeAffinity:
    required:
      nodeSelectorTerms:
      - matchExpressions:
        - {key: kubernetes.io/hostname, operator: In, values: [node-1]}
`

// TestDescribeStorageMatchesKubectl: ctl describes StorageClasses and
// PersistentVolumes (hostPath and local, node affinity, topologies) byte
// for byte as kubectl 1.32 does.
func TestDescribeStorageMatchesKubectl(t *testing.T) {
	bin := findKubectl(t)
	t.Setenv("TZ", "UTC")
	c := startCluster(t)
	k := kubectlRunner{bin: bin, kubeconfig: c.kubeconfig, cacheDir: t.TempDir()}
	if r := k.run(t, describeStorageYAML, "create", "-f", "-"); r.code != 0 {
		t.Fatalf("kubectl create: %s %s", r.out, r.err)
	}
	for _, args := range [][]string{{"storageclass", "fast"}, {"sc", "zoned"}, {"pv", "disk-1"}, {"pv", "disk-2"}} {
		want := k.must(t, append([]string{"describe"}, args...)...)
		got := c.mustCtl(t, append([]string{"describe"}, args...)...)
		if got != want {
			t.Errorf("ctl describe %v differs from kubectl:\nctl:\n%s\nkubectl:\n%s", args, got, want)
		}
	}
}
