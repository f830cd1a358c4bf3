package volume

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/tinykube/tinykube/pkg/api/core"
	"github.com/tinykube/tinykube/pkg/api/meta"
)

// TestServiceAccountTokenProjection: a projected token source is written
// at its path with the projected volume's mode, asked for the pod's service
// account and bound to the pod; the token is dropped with the pod.
func TestServiceAccountTokenProjection(t *testing.T) {
	root := t.TempDir()
	m := NewManager(Options{RootDir: root, Getter: &fakeGetter{}})
	pod := &core.Pod{ObjectMeta: meta.ObjectMeta{Name: "p", Namespace: "ns", UID: "u1"}, Spec: core.PodSpec{
		ServiceAccountName: "builder",
		Volumes: []core.Volume{{Name: "tok", VolumeSource: core.VolumeSource{Projected: &core.ProjectedVolumeSource{
			DefaultMode: meta.Ptr(int32(0o600)),
			Sources: []core.VolumeProjection{{ServiceAccountToken: &core.ServiceAccountTokenProjection{
				Path: "token", Audience: "vault", ExpirationSeconds: meta.Ptr(int64(7200))}}}}}}}}}
	if err := m.SetUp(context.Background(), pod, nil); err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(Dir(root, "u1", PluginProjected, "tok"), "token")
	b, err := os.ReadFile(file)
	if err != nil || string(b) != "ns/builder@u1" {
		t.Fatalf("token file %q, %v", b, err)
	}
	if info, err := os.Stat(file); err != nil || info.Mode().Perm() != 0o600 {
		t.Fatalf("token file mode %v, %v", info.Mode(), err)
	}
	if m.tokens.Len() != 1 {
		t.Fatalf("%d tokens cached", m.tokens.Len())
	}
	if err := m.TearDown("u1"); err != nil {
		t.Fatal(err)
	}
	if m.tokens.Len() != 0 {
		t.Fatalf("%d tokens cached after the pod went", m.tokens.Len())
	}
}
