package volume

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"
)

const (
	dataDirName    = "..data"
	newDataDirName = "..data_tmp"
)

// ValidatePath checks a payload path: relative, clean, not starting with
// "..", no ".." element, at most 4096 bytes, each element at most 255.
func ValidatePath(p string) error {
	switch {
	case p == "":
		return errors.New("invalid path: must not be empty")
	case len(p) > 4096:
		return fmt.Errorf("invalid path: must be less than or equal to 4096 characters")
	case filepath.IsAbs(p):
		return fmt.Errorf("invalid path %q: must be relative path", p)
	case strings.HasPrefix(p, ".."):
		return fmt.Errorf("invalid path %q: must not start with '..'", p)
	}
	for _, e := range strings.Split(p, "/") {
		if e == ".." {
			return fmt.Errorf("invalid path %q: must not contain '..'", p)
		}
		if len(e) > 255 {
			return fmt.Errorf("invalid path %q: each element must be less than or equal to 255 characters", p)
		}
	}
	return nil
}

// WriteAtomic makes dir hold exactly payload, as Kubernetes' AtomicWriter:
//
//  1. nothing happens when the files under dir/..data already equal payload;
//  2. the payload is written to a new directory dir/..<timestamp>;
//  3. a symlink ..data_tmp to it is renamed over ..data (the atomic step);
//  4. each top-level element of a payload path is a symlink into ..data;
//  5. the previous timestamped directory and the top-level symlinks of paths
//     no longer in payload are removed.
//
// It reports whether it wrote. Files get the payload's modes exactly (no
// umask); directories are 0755.
func WriteAtomic(dir string, payload Payload) (bool, error) {
	for p := range payload {
		if err := ValidatePath(p); err != nil {
			return false, err
		}
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return false, fmt.Errorf("create volume directory: %w", err)
	}
	oldTS, err := os.Readlink(filepath.Join(dir, dataDirName))
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return false, fmt.Errorf("read %s: %w", dataDirName, err)
	}
	if oldTS != "" && sameFiles(filepath.Join(dir, oldTS), payload) {
		return false, nil
	}
	tsDir, err := os.MkdirTemp(dir, time.Now().UTC().Format("..2006_01_02_15_04_05."))
	if err != nil {
		return false, fmt.Errorf("create timestamped directory: %w", err)
	}
	if err := os.Chmod(tsDir, 0o755); err != nil {
		return false, fmt.Errorf("chmod %s: %w", tsDir, err)
	}
	if err := writePayload(tsDir, payload); err != nil {
		_ = os.RemoveAll(tsDir)
		return false, err
	}
	tmpLink := filepath.Join(dir, newDataDirName)
	_ = os.Remove(tmpLink)
	if err := os.Symlink(filepath.Base(tsDir), tmpLink); err != nil {
		_ = os.RemoveAll(tsDir)
		return false, fmt.Errorf("link %s: %w", newDataDirName, err)
	}
	if err := os.Rename(tmpLink, filepath.Join(dir, dataDirName)); err != nil {
		_ = os.Remove(tmpLink)
		_ = os.RemoveAll(tsDir)
		return false, fmt.Errorf("swap %s: %w", dataDirName, err)
	}
	wanted := topLevel(payload)
	for name := range wanted {
		link := filepath.Join(dir, name)
		if _, err := os.Lstat(link); err == nil {
			continue
		}
		if err := os.Symlink(filepath.Join(dataDirName, name), link); err != nil {
			return true, fmt.Errorf("link %s: %w", name, err)
		}
	}
	if oldTS != "" {
		if err := os.RemoveAll(filepath.Join(dir, oldTS)); err != nil {
			return true, fmt.Errorf("remove previous data: %w", err)
		}
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return true, fmt.Errorf("read volume directory: %w", err)
	}
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), "..") || wanted[e.Name()] {
			continue
		}
		if err := os.RemoveAll(filepath.Join(dir, e.Name())); err != nil {
			return true, fmt.Errorf("remove stale %s: %w", e.Name(), err)
		}
	}
	return true, nil
}

// topLevel is the set of first path elements of payload's paths.
func topLevel(payload Payload) map[string]bool {
	out := map[string]bool{}
	for p := range payload {
		first, _, _ := strings.Cut(filepath.Clean(p), "/")
		out[first] = true
	}
	return out
}

func writePayload(dir string, payload Payload) error {
	for p, f := range payload {
		full := filepath.Join(dir, p)
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			return fmt.Errorf("create directory of %s: %w", p, err)
		}
		if err := os.WriteFile(full, f.Data, fs.FileMode(f.Mode)&fs.ModePerm); err != nil {
			return fmt.Errorf("write %s: %w", p, err)
		}
		if err := os.Chmod(full, fs.FileMode(f.Mode)&fs.ModePerm); err != nil {
			return fmt.Errorf("chmod %s: %w", p, err)
		}
	}
	return nil
}

// sameFiles says whether dir holds exactly payload's regular files with the
// same contents and modes.
func sameFiles(dir string, payload Payload) bool {
	n := 0
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			return nil
		}
		rel, err := filepath.Rel(dir, path)
		if err != nil {
			return err
		}
		want, ok := payload[rel]
		info, ierr := d.Info()
		if !ok || ierr != nil || !d.Type().IsRegular() || info.Mode().Perm() != fs.FileMode(want.Mode)&fs.ModePerm {
			return errors.New("differs")
		}
		got, err := os.ReadFile(path)
		if err != nil || !bytes.Equal(got, want.Data) {
			return errors.New("differs")
		}
		n++
		return nil
	})
	return err == nil && n == len(payload)
}
