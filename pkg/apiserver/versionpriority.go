package apiserver

import (
	"regexp"
	"strconv"
	"strings"
)

// kubeVersion matches Kubernetes-like version names: v<major>, optionally
// alpha<minor> or beta<minor>.
var kubeVersion = regexp.MustCompile(`^v([1-9][0-9]*)(?:(alpha|beta)([1-9][0-9]*))?$`)

// CompareKubeAwareVersions orders version names by Kubernetes' discovery
// priority: kube-like versions before the others; among them GA before
// beta before alpha, then the higher major, then the higher minor; the
// others by name. It returns >0 when a has priority over b, <0 when b has,
// 0 when equal.
func CompareKubeAwareVersions(a, b string) int {
	ka, kb := kubeVersionKey(a), kubeVersionKey(b)
	switch {
	case ka == nil && kb == nil:
		return -strings.Compare(a, b) // lexicographically smaller first
	case ka == nil:
		return -1
	case kb == nil:
		return 1
	}
	for i := range ka {
		if ka[i] != kb[i] {
			if ka[i] > kb[i] {
				return 1
			}
			return -1
		}
	}
	return 0
}

// kubeVersionKey is (stability, major, minor) of a kube-like version, with
// stability 2 for GA, 1 beta, 0 alpha; nil for other names.
func kubeVersionKey(v string) []int {
	m := kubeVersion.FindStringSubmatch(v)
	if m == nil {
		return nil
	}
	major, _ := strconv.Atoi(m[1])
	minor, _ := strconv.Atoi(m[3])
	stability := 2
	switch m[2] {
	case "beta":
		stability = 1
	case "alpha":
		stability = 0
	}
	return []int{stability, major, minor}
}
