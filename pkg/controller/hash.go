package controller

import (
	"encoding/binary"
	"encoding/json"
	"fmt"
	"hash/fnv"
	"strconv"

	"github.com/tinykube/tinykube/pkg/api/core"
)

// safeAlphabet is the alphabet of generated name suffixes: no vowels (no
// words) and no look-alike characters, as Kubernetes' rand.SafeEncodeString.
const safeAlphabet = "bcdfghjklmnpqrstvwxz2456789"

// SafeEncodeString maps every byte of s into safeAlphabet.
func SafeEncodeString(s string) string {
	out := make([]byte, len(s))
	for i := 0; i < len(s); i++ {
		out[i] = safeAlphabet[int(s[i])%len(safeAlphabet)]
	}
	return string(out)
}

// ComputeHash is the pod-template-hash of a template: fnv32a of its
// canonical JSON (map keys sorted), then collisionCount as 4 little-endian
// bytes when set, written in decimal and safe-encoded. A collision with
// another ReplicaSet is resolved by bumping collisionCount.
func ComputeHash(template *core.PodTemplateSpec, collisionCount *int32) string {
	h := fnv.New32a()
	b, err := json.Marshal(template)
	if err != nil {
		// A PodTemplateSpec always marshals; reaching here is a programming error.
		panic(fmt.Sprintf("ComputeHash: marshal template: %v", err))
	}
	_, _ = h.Write(b)
	if collisionCount != nil {
		var buf [4]byte
		binary.LittleEndian.PutUint32(buf[:], uint32(*collisionCount))
		_, _ = h.Write(buf[:])
	}
	return SafeEncodeString(strconv.FormatUint(uint64(h.Sum32()), 10))
}
