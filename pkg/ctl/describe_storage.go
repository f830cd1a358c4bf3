package ctl

import (
	"fmt"
	"strings"

	"github.com/tinykube/tinykube/pkg/api/core"
	"github.com/tinykube/tinykube/pkg/api/storage"
	"github.com/tinykube/tinykube/pkg/apiserver/tableconvert"
)

// persistentVolume prints a volume as kubectl's PersistentVolumeDescriber.
func (d *describer) persistentVolume(pv *core.PersistentVolume) {
	d.line(0, "Name", pv.Name)
	d.mapLines("Labels", pv.Labels)
	d.annotations("Annotations", pv.Annotations)
	d.line(0, "Finalizers", fmt.Sprint(pv.Finalizers))
	d.line(0, "StorageClass", pv.Spec.StorageClassName)
	if pv.DeletionTimestamp != nil {
		d.line(0, "Status", "Terminating (lasts "+tableconvert.HumanDuration(d.now.Sub(pv.DeletionTimestamp.Time))+")")
	} else {
		d.line(0, "Status", pv.Status.Phase)
	}
	claim := ""
	if ref := pv.Spec.ClaimRef; ref != nil {
		claim = ref.Namespace + "/" + ref.Name
	}
	d.line(0, "Claim", claim)
	d.line(0, "Reclaim Policy", pv.Spec.PersistentVolumeReclaimPolicy)
	d.line(0, "Access Modes", tableconvert.AccessModesString(pv.Spec.AccessModes))
	if pv.Spec.VolumeMode != nil {
		d.line(0, "VolumeMode", *pv.Spec.VolumeMode)
	}
	capacity := pv.Spec.Capacity[core.ResourceStorage]
	d.line(0, "Capacity", capacity.String())
	d.volumeNodeAffinity(pv.Spec.NodeAffinity)
	d.line(0, "Message", pv.Status.Message)
	d.text(0, "Source:")
	switch src := pv.Spec.PersistentVolumeSource; {
	case src.HostPath != nil:
		t := "<none>"
		if src.HostPath.Type != nil {
			t = string(*src.HostPath.Type)
		}
		d.line(2, "Type", "HostPath (bare host directory volume)")
		d.line(2, "Path", src.HostPath.Path)
		d.line(2, "HostPathType", t)
	case src.Local != nil:
		d.line(2, "Type", "LocalVolume (a persistent volume backed by local storage on a node)")
		d.line(2, "Path", src.Local.Path)
	}
}

// volumeNodeAffinity prints a volume's required node affinity, one line a
// term, as kubectl's printVolumeNodeAffinity.
func (d *describer) volumeNodeAffinity(a *core.VolumeNodeAffinity) {
	if a == nil || a.Required == nil {
		d.line(0, "Node Affinity", "<none>")
		return
	}
	d.line(0, "Node Affinity", "")
	terms := a.Required.NodeSelectorTerms
	if len(terms) == 0 {
		d.line(1, "Required Terms", "<none>")
		return
	}
	d.line(1, "Required Terms", "")
	for i, term := range terms {
		exprs := make([]string, 0, len(term.MatchExpressions))
		for _, r := range term.MatchExpressions {
			e := r.Key + " " + strings.ToLower(string(r.Operator))
			if len(r.Values) > 0 {
				e += " [" + strings.Join(r.Values, ", ") + "]"
			}
			exprs = append(exprs, e)
		}
		d.termLines(2, fmt.Sprintf("Term %d", i), exprs)
	}
}

// termLines prints title and its expressions, one a line under it (kubectl's
// printNodeSelectorTermsMultilineWithIndent), or <none>.
func (d *describer) termLines(indent int, title string, exprs []string) {
	if len(exprs) == 0 {
		d.line(indent, title, "<none>")
		return
	}
	for i, e := range exprs {
		if i == 0 {
			d.line(indent, title, e)
		} else {
			fmt.Fprintf(d.tw, "%s\t%s\n", strings.Repeat("  ", indent), e)
		}
	}
}

// storageClass prints a class as kubectl's StorageClassDescriber.
func (d *describer) storageClass(sc *storage.StorageClass) {
	d.line(0, "Name", sc.Name)
	isDefault := "No"
	if storage.IsDefaultAnnotation(sc) {
		isDefault = "Yes"
	}
	d.line(0, "IsDefaultClass", isDefault)
	d.line(0, "Annotations", labelsString(sc.Annotations))
	d.line(0, "Provisioner", sc.Provisioner)
	d.line(0, "Parameters", labelsString(sc.Parameters))
	expansion := "<unset>"
	if sc.AllowVolumeExpansion != nil {
		expansion = "False"
		if *sc.AllowVolumeExpansion {
			expansion = "True"
		}
	}
	d.line(0, "AllowVolumeExpansion", expansion)
	if len(sc.MountOptions) == 0 {
		d.line(0, "MountOptions", "<none>")
	} else {
		d.text(0, "MountOptions:")
		for _, o := range sc.MountOptions {
			d.text(1, o)
		}
	}
	if sc.ReclaimPolicy != nil {
		d.line(0, "ReclaimPolicy", *sc.ReclaimPolicy)
	}
	if sc.VolumeBindingMode != nil {
		d.line(0, "VolumeBindingMode", *sc.VolumeBindingMode)
	}
	if sc.AllowedTopologies != nil {
		if len(sc.AllowedTopologies) == 0 {
			d.line(0, "AllowedTopologies", "<none>")
		} else {
			d.line(0, "AllowedTopologies", "")
		}
		for i, term := range sc.AllowedTopologies {
			exprs := make([]string, 0, len(term.MatchLabelExpressions))
			for _, r := range term.MatchLabelExpressions {
				e := r.Key + " in"
				if len(r.Values) > 0 {
					e += " [" + strings.Join(r.Values, ", ") + "]"
				}
				exprs = append(exprs, e)
			}
			d.termLines(1, fmt.Sprintf("Term %d", i), exprs)
		}
	}
}
