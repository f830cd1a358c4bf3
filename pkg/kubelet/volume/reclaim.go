package volume

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"go.uber.org/zap"

	"github.com/tinykube/tinykube/pkg/api/core"
	apierrors "github.com/tinykube/tinykube/pkg/api/errors"
	"github.com/tinykube/tinykube/pkg/controller/volume/persistentvolume"
)

// Reclaiming provisioned host-path volumes.
//
// The persistentvolume-binder deletes a released volume whose reclaim
// policy is Delete, but the data of a tinykube.io/host-path volume is a
// directory on the nodes that mounted it, out of the controller's reach.
// So each kubelet remembers the provisioned volumes it set up (a record
// under <root>/plugins/tinykube.io~host-path/volumes, kept across
// restarts) and, every ReclaimPeriod, asks the apiserver for each: once
// the volume is gone (or replaced by one of another uid) and its last seen
// reclaim policy was Delete, the kubelet removes the directory, unless a pod
// of this node still mounts it; a Retain volume's record is dropped and its
// data kept. Only a directory named as the volume (the provisioner's
// <dir>/<pv-name>) is ever removed.

// provisionedRecord is what the kubelet remembers of a provisioned volume
// it set up.
type provisionedRecord struct {
	Name          string                             `json:"name"`
	UID           string                             `json:"uid"`
	Path          string                             `json:"path"`
	ReclaimPolicy core.PersistentVolumeReclaimPolicy `json:"reclaimPolicy"`
}

// reclaimAction is what to do with a record.
type reclaimAction int

const (
	// reclaimKeep: the volume is still there, nothing changed.
	reclaimKeep reclaimAction = iota
	// reclaimUpdate: the volume is there with another reclaim policy.
	reclaimUpdate
	// reclaimForget: the volume is gone and its data stays (Retain, or a
	// path that is not the provisioner's).
	reclaimForget
	// reclaimRemove: the volume is gone and its policy was Delete.
	reclaimRemove
	// reclaimWait: the volume is gone but a pod here still mounts it.
	reclaimWait
)

// decideReclaim decides about one record from the volume the apiserver has
// under its name (nil: none) and whether a pod of this node mounts it. It
// does no I/O.
func decideReclaim(rec provisionedRecord, pv *core.PersistentVolume, inUse bool) reclaimAction {
	if pv != nil && string(pv.UID) == rec.UID {
		if pv.Spec.PersistentVolumeReclaimPolicy != rec.ReclaimPolicy {
			return reclaimUpdate
		}
		return reclaimKeep
	}
	if rec.ReclaimPolicy != core.PersistentVolumeReclaimDelete || !provisionerPath(rec) {
		return reclaimForget
	}
	if inUse {
		return reclaimWait
	}
	return reclaimRemove
}

// provisionerPath says whether the record's path is one the host-path
// provisioner makes: absolute, clean, named as the volume, not the root.
func provisionerPath(rec provisionedRecord) bool {
	p := rec.Path
	return filepath.IsAbs(p) && filepath.Clean(p) == p && filepath.Dir(p) != p &&
		rec.Name != "" && filepath.Base(p) == rec.Name
}

// recordOf is the record of pv when it is a host-path volume provisioned
// by tinykube.io/host-path.
func recordOf(pv *core.PersistentVolume) (provisionedRecord, bool) {
	if pv == nil || pv.Spec.HostPath == nil || pv.Annotations[core.AnnDynamicallyProvisioned] != persistentvolume.HostPathProvisioner {
		return provisionedRecord{}, false
	}
	return provisionedRecord{Name: pv.Name, UID: string(pv.UID), Path: filepath.Clean(pv.Spec.HostPath.Path),
		ReclaimPolicy: pv.Spec.PersistentVolumeReclaimPolicy}, true
}

// recordsDir is where the records are.
func (m *Manager) recordsDir() string {
	return filepath.Join(m.opts.RootDir, "plugins", escapePluginName(persistentvolume.HostPathProvisioner), "volumes")
}

// remember records pv when it is a provisioned host-path volume.
func (m *Manager) remember(pv *core.PersistentVolume) error {
	rec, ok := recordOf(pv)
	if !ok {
		return nil
	}
	return m.writeRecord(rec)
}

func (m *Manager) writeRecord(rec provisionedRecord) error {
	if err := os.MkdirAll(m.recordsDir(), 0o700); err != nil {
		return fmt.Errorf("record provisioned volume %s: %w", rec.Name, err)
	}
	data, err := json.Marshal(rec)
	if err != nil {
		return err
	}
	path := filepath.Join(m.recordsDir(), rec.Name)
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, data, 0o600); err != nil {
		return fmt.Errorf("record provisioned volume %s: %w", rec.Name, err)
	}
	if err := os.Rename(tmp, path); err != nil {
		return fmt.Errorf("record provisioned volume %s: %w", rec.Name, err)
	}
	return nil
}

func (m *Manager) readRecords() ([]provisionedRecord, error) {
	entries, err := os.ReadDir(m.recordsDir())
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var out []provisionedRecord
	for _, e := range entries {
		if e.IsDir() || strings.HasSuffix(e.Name(), ".tmp") {
			continue
		}
		data, err := os.ReadFile(filepath.Join(m.recordsDir(), e.Name()))
		if err != nil {
			return nil, err
		}
		var rec provisionedRecord
		if err := json.Unmarshal(data, &rec); err != nil || rec.Name != e.Name() {
			m.log.Warn("ignoring a bad provisioned volume record", zap.String("file", e.Name()), zap.Error(err))
			continue
		}
		out = append(out, rec)
	}
	return out, nil
}

// inUse says whether a pod set up here mounts the volume.
func (m *Manager) inUse(pvName string) bool {
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, vols := range m.claims {
		for _, cv := range vols {
			if cv.PV != nil && cv.PV.Name == pvName {
				return true
			}
		}
	}
	return false
}

// Run reclaims deleted provisioned volumes' data every ReclaimPeriod
// until ctx ends.
func (m *Manager) Run(ctx context.Context) {
	t := time.NewTicker(m.opts.ReclaimPeriod)
	defer t.Stop()
	for {
		m.Reclaim(ctx)
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// Reclaim checks each recorded provisioned volume once (see the comment at
// the top of this file).
func (m *Manager) Reclaim(ctx context.Context) {
	recs, err := m.readRecords()
	if err != nil {
		m.log.Warn("reading provisioned volume records failed", zap.Error(err))
		return
	}
	for _, rec := range recs {
		if ctx.Err() != nil {
			return
		}
		if err := m.reclaim(ctx, rec); err != nil {
			m.log.Warn("reclaiming provisioned volume failed", zap.String("persistentVolume", rec.Name), zap.Error(err))
		}
	}
}

func (m *Manager) reclaim(ctx context.Context, rec provisionedRecord) error {
	if m.opts.Getter == nil {
		return nil
	}
	pv, err := m.opts.Getter.PersistentVolume(ctx, rec.Name)
	switch {
	case apierrors.IsNotFound(err):
		pv = nil
	case err != nil:
		return err
	}
	record := filepath.Join(m.recordsDir(), rec.Name)
	switch decideReclaim(rec, pv, m.inUse(rec.Name)) {
	case reclaimUpdate:
		rec.ReclaimPolicy = pv.Spec.PersistentVolumeReclaimPolicy
		return m.writeRecord(rec)
	case reclaimForget:
		m.log.Info("provisioned volume gone, data kept", zap.String("persistentVolume", rec.Name),
			zap.String("path", rec.Path), zap.String("reclaimPolicy", string(rec.ReclaimPolicy)))
		return os.Remove(record)
	case reclaimRemove:
		if err := os.RemoveAll(rec.Path); err != nil {
			return fmt.Errorf("remove data of deleted volume %s: %w", rec.Name, err)
		}
		m.log.Info("removed the data of a deleted provisioned volume", zap.String("persistentVolume", rec.Name), zap.String("path", rec.Path))
		return os.Remove(record)
	}
	return nil
}
