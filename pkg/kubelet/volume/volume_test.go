package volume

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"

	"github.com/tinykube/tinykube/pkg/api/core"
	"github.com/tinykube/tinykube/pkg/api/meta"
	"github.com/tinykube/tinykube/pkg/kubelet/runtime"
)

func TestPath(t *testing.T) {
	for _, tc := range []struct {
		src  core.VolumeSource
		want string
	}{
		{core.VolumeSource{EmptyDir: &core.EmptyDirVolumeSource{}}, "/r/pods/u1/volumes/kubernetes.io~empty-dir/v"},
		{core.VolumeSource{ConfigMap: &core.ConfigMapVolumeSource{}}, "/r/pods/u1/volumes/kubernetes.io~configmap/v"},
		{core.VolumeSource{Secret: &core.SecretVolumeSource{}}, "/r/pods/u1/volumes/kubernetes.io~secret/v"},
		{core.VolumeSource{DownwardAPI: &core.DownwardAPIVolumeSource{}}, "/r/pods/u1/volumes/kubernetes.io~downward-api/v"},
		{core.VolumeSource{Projected: &core.ProjectedVolumeSource{}}, "/r/pods/u1/volumes/kubernetes.io~projected/v"},
		{core.VolumeSource{HostPath: &core.HostPathVolumeSource{Path: "/var/log/"}}, "/var/log"},
		{core.VolumeSource{}, ""},
	} {
		if got := Path("/r", "u1", &core.Volume{Name: "v", VolumeSource: tc.src}); got != tc.want {
			t.Errorf("Path(%+v) = %q, want %q", tc.src, got, tc.want)
		}
	}
}

func TestKeysPayload(t *testing.T) {
	data := map[string][]byte{"a": []byte("1"), "b": []byte("2")}
	for _, tc := range []struct {
		name     string
		items    []core.KeyToPath
		optional bool
		kind     string
		want     Payload
		wantErr  string
	}{
		{name: "every key", want: Payload{"a": {[]byte("1"), 0o644}, "b": {[]byte("2"), 0o644}}},
		{name: "items with paths and a mode", items: []core.KeyToPath{{Key: "a", Path: "dir/x"}, {Key: "b", Path: "y", Mode: meta.Ptr(int32(0o400))}},
			want: Payload{"dir/x": {[]byte("1"), 0o644}, "y": {[]byte("2"), 0o400}}},
		{name: "missing key", items: []core.KeyToPath{{Key: "c", Path: "c"}}, kind: "configmap",
			wantErr: "configmap references non-existent config key: c"},
		{name: "missing secret key", items: []core.KeyToPath{{Key: "c", Path: "c"}}, kind: "secret",
			wantErr: "references non-existent secret key: c"},
		{name: "missing key, optional", items: []core.KeyToPath{{Key: "c", Path: "c"}, {Key: "a", Path: "a"}}, optional: true,
			want: Payload{"a": {[]byte("1"), 0o644}}},
	} {
		got, err := KeysPayload(data, tc.items, 0o644, tc.optional, tc.kind)
		if tc.wantErr != "" {
			if err == nil || err.Error() != tc.wantErr {
				t.Errorf("%s: error %v, want %q", tc.name, err, tc.wantErr)
			}
			continue
		}
		if err != nil || !reflect.DeepEqual(got, tc.want) {
			t.Errorf("%s: got %v, %v; want %v", tc.name, got, err, tc.want)
		}
	}
}

func TestDownwardAPIPayload(t *testing.T) {
	pod := &core.Pod{ObjectMeta: meta.ObjectMeta{Name: "p", Namespace: "ns", UID: "u",
		Labels: map[string]string{"b": "2", "a": `x"y`}, Annotations: map[string]string{"k": "v"}}}
	items := []core.DownwardAPIVolumeFile{
		{Path: "labels", FieldRef: &core.ObjectFieldSelector{FieldPath: "metadata.labels"}},
		{Path: "name", FieldRef: &core.ObjectFieldSelector{FieldPath: "metadata.name"}, Mode: meta.Ptr(int32(0o600))},
		{Path: "k", FieldRef: &core.ObjectFieldSelector{FieldPath: "metadata.annotations['k']"}},
		{Path: "cpu", ResourceFieldRef: &core.ResourceFieldSelector{ContainerName: "c", Resource: "limits.cpu"}},
	}
	got, err := DownwardAPIPayload(pod, items, 0o644, func(fs *core.ResourceFieldSelector) (string, error) {
		return fs.ContainerName + "/" + fs.Resource, nil
	})
	want := Payload{"labels": {[]byte("a=\"x\\\"y\"\nb=\"2\""), 0o644}, "name": {[]byte("p"), 0o600},
		"k": {[]byte("v"), 0o644}, "cpu": {[]byte("c/limits.cpu"), 0o644}}
	if err != nil || !reflect.DeepEqual(got, want) {
		t.Fatalf("got %q, %v; want %q", got, err, want)
	}
	if _, err := DownwardAPIPayload(pod, []core.DownwardAPIVolumeFile{{Path: "x",
		FieldRef: &core.ObjectFieldSelector{FieldPath: "spec.bogus"}}}, 0o644, nil); err == nil {
		t.Fatal("an unsupported field gave no error")
	}
}

// tree lists dir: each entry's relative path, "-> target" for a symlink,
// its mode and contents for a file.
func tree(t *testing.T, dir string) []string {
	t.Helper()
	var out []string
	err := filepath.Walk(dir, func(p string, info os.FileInfo, err error) error {
		if err != nil || p == dir {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		rel = strings.ReplaceAll(rel, filepath.Base(mustReadlink(t, filepath.Join(dir, dataDirName))), "TS")
		switch {
		case info.Mode()&os.ModeSymlink != 0:
			target := strings.ReplaceAll(mustReadlink(t, p), filepath.Base(mustReadlink(t, filepath.Join(dir, dataDirName))), "TS")
			out = append(out, rel+" -> "+target)
		case info.IsDir():
			out = append(out, rel+"/")
		default:
			b, _ := os.ReadFile(p)
			out = append(out, rel+" "+info.Mode().Perm().String()+" "+string(b))
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	sort.Strings(out)
	return out
}

func mustReadlink(t *testing.T, p string) string {
	t.Helper()
	s, err := os.Readlink(p)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestWriteAtomic(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "vol")
	steps := []struct {
		payload Payload
		wrote   bool
		want    []string
	}{
		{Payload{"a": {[]byte("1"), 0o644}, "d/b": {[]byte("2"), 0o400}}, true, []string{
			"TS/", "TS/a -rw-r--r-- 1", "TS/d/", "TS/d/b -r-------- 2",
			"..data -> TS", "a -> ..data/a", "d -> ..data/d"}},
		// The same payload: nothing written.
		{Payload{"a": {[]byte("1"), 0o644}, "d/b": {[]byte("2"), 0o400}}, false, nil},
		// A changed value, a removed path, a new one: a new timestamped
		// directory, the old one and the stale link gone.
		{Payload{"a": {[]byte("one"), 0o644}, "c": {[]byte("3"), 0o644}}, true, []string{
			"TS/", "TS/a -rw-r--r-- one", "TS/c -rw-r--r-- 3",
			"..data -> TS", "a -> ..data/a", "c -> ..data/c"}},
		// Only a mode changes.
		{Payload{"a": {[]byte("one"), 0o600}, "c": {[]byte("3"), 0o644}}, true, []string{
			"TS/", "TS/a -rw------- one", "TS/c -rw-r--r-- 3",
			"..data -> TS", "a -> ..data/a", "c -> ..data/c"}},
		// Empty: only ..data stays.
		{Payload{}, true, []string{"TS/", "..data -> TS"}},
	}
	var last []string
	for i, s := range steps {
		wrote, err := WriteAtomic(dir, s.payload)
		if err != nil || wrote != s.wrote {
			t.Fatalf("step %d: wrote %v, err %v; want wrote %v", i, wrote, err, s.wrote)
		}
		want := s.want
		if want == nil {
			want = last
		}
		sort.Strings(want)
		if got := tree(t, dir); !reflect.DeepEqual(got, want) {
			t.Fatalf("step %d:\n got %q\nwant %q", i, got, want)
		}
		last = want
	}
	if _, err := WriteAtomic(dir, Payload{"../x": {}}); err == nil {
		t.Fatal("a path with .. was written")
	}
}

func TestValidatePath(t *testing.T) {
	for p, ok := range map[string]bool{"a": true, "a/b": true, "..a": false, "a/../b": false, "/a": false, "": false,
		strings.Repeat("x", 256): false} {
		if err := ValidatePath(p); (err == nil) != ok {
			t.Errorf("ValidatePath(%q) = %v, want ok %v", p, err, ok)
		}
	}
}

func TestCheckHostPathType(t *testing.T) {
	for _, tc := range []struct {
		typ     core.HostPathType
		kind    fileKind
		want    hostPathAction
		wantErr string
	}{
		{core.HostPathUnset, kindMissing, hostPathUse, ""},
		{core.HostPathDirectoryOrCreate, kindMissing, hostPathCreateDirectory, ""},
		{core.HostPathDirectoryOrCreate, kindDirectory, hostPathUse, ""},
		{core.HostPathDirectoryOrCreate, kindFile, hostPathUse, "hostPath type check failed: /p is not a directory"},
		{core.HostPathDirectory, kindMissing, hostPathUse, "hostPath type check failed: /p is not a directory"},
		{core.HostPathDirectory, kindDirectory, hostPathUse, ""},
		{core.HostPathFileOrCreate, kindMissing, hostPathCreateFile, ""},
		{core.HostPathFileOrCreate, kindDirectory, hostPathUse, "hostPath type check failed: /p is not a file"},
		{core.HostPathFile, kindFile, hostPathUse, ""},
		{core.HostPathFile, kindMissing, hostPathUse, "hostPath type check failed: /p is not a file"},
		{core.HostPathSocket, kindSocket, hostPathUse, ""},
		{core.HostPathSocket, kindFile, hostPathUse, "hostPath type check failed: /p is not a socket file"},
		{core.HostPathCharDev, kindCharDevice, hostPathUse, ""},
		{core.HostPathBlockDev, kindCharDevice, hostPathUse, "hostPath type check failed: /p is not a block device"},
		{"Bogus", kindFile, hostPathUse, `hostPath type "Bogus" is not supported`},
	} {
		got, err := checkHostPathType("/p", tc.typ, tc.kind)
		if got != tc.want || (err == nil) != (tc.wantErr == "") || (err != nil && err.Error() != tc.wantErr) {
			t.Errorf("%q on %v: %v, %v; want %v, %q", tc.typ, tc.kind, got, err, tc.want, tc.wantErr)
		}
	}
}

func TestSetUpHostPath(t *testing.T) {
	dir := t.TempDir()
	if err := setUpHostPath(&core.HostPathVolumeSource{Path: filepath.Join(dir, "d/e"), Type: meta.Ptr(core.HostPathDirectoryOrCreate)}); err != nil {
		t.Fatal(err)
	}
	f := filepath.Join(dir, "d/f")
	if err := setUpHostPath(&core.HostPathVolumeSource{Path: f, Type: meta.Ptr(core.HostPathFileOrCreate)}); err != nil {
		t.Fatal(err)
	}
	if info, err := os.Stat(f); err != nil || !info.Mode().IsRegular() {
		t.Fatalf("FileOrCreate made %v, %v", info, err)
	}
	// As Kubernetes: FileOrCreate does not make the parent directory.
	if err := setUpHostPath(&core.HostPathVolumeSource{Path: filepath.Join(dir, "x/f"), Type: meta.Ptr(core.HostPathFileOrCreate)}); err == nil {
		t.Fatal("FileOrCreate made a parent directory")
	}
}

func TestPlanMounts(t *testing.T) {
	vols := map[string]HostVolume{
		"cfg":  {Plugin: PluginConfigMap, Path: "/r/cfg"},
		"data": {Plugin: PluginEmptyDir, Path: "/r/data"},
		"host": {Plugin: PluginHostPath, Path: "/var/log"},
	}
	env := func(s string) string { return strings.ReplaceAll(s, "$(POD)", "p1") }
	for _, tc := range []struct {
		name    string
		mounts  []core.VolumeMount
		want    []MountPlan
		wantErr string
	}{
		{name: "whole volumes, parents first, API data read-only",
			mounts: []core.VolumeMount{{Name: "data", MountPath: "/srv/data/cache"}, {Name: "cfg", MountPath: "/etc/app"},
				{Name: "host", MountPath: "/srv", ReadOnly: true}},
			want: []MountPlan{
				{Mount: runtime.Mount{Source: "/var/log", Target: "/srv", ReadOnly: true}, VolumePath: "/var/log"},
				{Mount: runtime.Mount{Source: "/r/cfg", Target: "/etc/app", ReadOnly: true}, VolumePath: "/r/cfg"},
				{Mount: runtime.Mount{Source: "/r/data", Target: "/srv/data/cache"}, VolumePath: "/r/data"}}},
		{name: "subPath and subPathExpr",
			mounts: []core.VolumeMount{{Name: "cfg", MountPath: "/etc/app.conf", SubPath: "app.conf"},
				{Name: "data", MountPath: "/logs", SubPathExpr: "logs/$(POD)"}},
			want: []MountPlan{
				{Mount: runtime.Mount{Source: "/r/data/logs/p1", Target: "/logs"}, VolumePath: "/r/data", SubPath: "logs/p1"},
				{Mount: runtime.Mount{Source: "/r/cfg/app.conf", Target: "/etc/app.conf", ReadOnly: true}, VolumePath: "/r/cfg", SubPath: "app.conf"}}},
		{name: "unknown volume", mounts: []core.VolumeMount{{Name: "nope", MountPath: "/x"}},
			wantErr: `cannot find volume "nope" to mount into container "c"`},
		{name: "subPath escaping", mounts: []core.VolumeMount{{Name: "data", MountPath: "/x", SubPath: "a/../../b"}},
			wantErr: `failed to prepare subPath for volumeMount "data" of container "c": subPath "a/../../b" must not contain '..'`},
		{name: "over /", mounts: []core.VolumeMount{{Name: "data", MountPath: "/"}},
			wantErr: `volumeMount "data" of container "c": cannot mount over /`},
	} {
		got, err := PlanMounts(vols, &core.Container{Name: "c", VolumeMounts: tc.mounts}, env)
		if tc.wantErr != "" {
			if err == nil || err.Error() != tc.wantErr {
				t.Errorf("%s: error %v, want %q", tc.name, err, tc.wantErr)
			}
			continue
		}
		if err != nil || !reflect.DeepEqual(got, tc.want) {
			t.Errorf("%s:\n got %+v, %v\nwant %+v", tc.name, got, err, tc.want)
		}
	}
}

func TestPrepareMounts(t *testing.T) {
	vol := t.TempDir()
	if err := os.Symlink("/etc", filepath.Join(vol, "out")); err != nil {
		t.Fatal(err)
	}
	// A missing subPath is made a directory.
	m, err := PrepareMounts([]MountPlan{{Mount: runtime.Mount{Source: filepath.Join(vol, "a/b"), Target: "/x"}, VolumePath: vol, SubPath: "a/b"}})
	if err != nil || len(m) != 1 {
		t.Fatalf("got %v, %v", m, err)
	}
	if info, err := os.Stat(filepath.Join(vol, "a/b")); err != nil || !info.IsDir() {
		t.Fatalf("subPath not made: %v", err)
	}
	// One that a symlink leads out of the volume is refused.
	_, err = PrepareMounts([]MountPlan{{Mount: runtime.Mount{Source: filepath.Join(vol, "out"), Target: "/x"}, VolumePath: vol, SubPath: "out"}})
	if err == nil || !strings.Contains(err.Error(), "outside its volume") {
		t.Fatalf("escaping subPath: %v", err)
	}
}

func TestSetUpErrorMessage(t *testing.T) {
	err := error(&SetUpError{Volume: "cfg", Err: errors.New(`configmap "app" not found`)})
	if got := err.Error(); got != `MountVolume.SetUp failed for volume "cfg" : configmap "app" not found` {
		t.Fatal(got)
	}
}

// TestManagerRelativeRoot: a relative root directory (make run passes
// one) still gives absolute volume paths, which a container init running
// in / resolves as mount sources.
func TestManagerRelativeRoot(t *testing.T) {
	t.Chdir(t.TempDir())
	m := NewManager(Options{RootDir: "kubelet/node-1"})
	pod := &core.Pod{ObjectMeta: meta.ObjectMeta{UID: "u1"}, Spec: core.PodSpec{Volumes: []core.Volume{
		{Name: "scratch", VolumeSource: core.VolumeSource{EmptyDir: &core.EmptyDirVolumeSource{}}}}}}
	hv, ok := m.Volumes(pod)["scratch"]
	if !ok || !filepath.IsAbs(hv.Path) {
		t.Fatalf("volume path %q (found %v), want absolute", hv.Path, ok)
	}
}
