package apiserver

import (
	"context"
	"fmt"
	"strings"

	"github.com/tinykube/tinykube/pkg/api/core"
	apierrors "github.com/tinykube/tinykube/pkg/api/errors"
	"github.com/tinykube/tinykube/pkg/api/meta"
	"github.com/tinykube/tinykube/pkg/api/scheduling"
	"github.com/tinykube/tinykube/pkg/registry"
	"github.com/tinykube/tinykube/pkg/storage"
)

// admitPriority is Kubernetes' Priority admission on create: a pod gets
// spec.priority and spec.preemptionPolicy from the PriorityClass it names
// (the global default class, else priority 0, when it names none); a
// PriorityClass may not become a second global default.
func (s *Server) admitPriority(ctx context.Context, res *registry.Resource, obj meta.Object) error {
	switch o := obj.(type) {
	case *core.Pod:
		if res.Group != "" || res.Resource != "pods" {
			return nil
		}
		classes, err := s.priorityClasses(ctx)
		if err != nil {
			return err
		}
		if name := o.Spec.PriorityClassName; name != "" && findPriorityClass(classes, name) == nil {
			// The watch cache may not show a class made a moment ago.
			if pc, err := s.storedPriorityClass(ctx, name); err != nil {
				return err
			} else if pc != nil {
				classes = append(classes, pc)
			}
		}
		if err := ResolvePodPriority(&o.Spec, classes); err != nil {
			return apierrors.NewForbidden(res.Group, res.Resource, o.Name, err)
		}
	case *scheduling.PriorityClass:
		if !o.GlobalDefault {
			return nil
		}
		classes, err := s.priorityClasses(ctx)
		if err != nil {
			return err
		}
		if err := CheckSingleGlobalDefault(o, classes); err != nil {
			return apierrors.NewForbidden(res.Group, res.Resource, o.Name, err)
		}
	}
	return nil
}

// ResolvePodPriority sets a new pod's priority class name, priority and
// preemption policy from classes, as Kubernetes' Priority admission does:
// the named class, or with no name the global default class (the lowest
// valued if several), else priority 0 and PreemptLowerPriority. A pod that
// names an unknown class, or sets a priority or preemption policy other
// than the class's, is refused with the returned error.
func ResolvePodPriority(spec *core.PodSpec, classes []*scheduling.PriorityClass) error {
	priority := scheduling.DefaultPriorityWhenNoDefaultClassExists
	policy := core.PreemptLowerPriority
	preemption := &policy
	if spec.PriorityClassName == "" {
		if pc := globalDefaultClass(classes); pc != nil {
			spec.PriorityClassName, priority, preemption = pc.Name, pc.Value, pc.PreemptionPolicy
		}
	} else {
		pc := findPriorityClass(classes, spec.PriorityClassName)
		if pc == nil {
			return fmt.Errorf("no PriorityClass with name %s was found", spec.PriorityClassName)
		}
		priority, preemption = pc.Value, pc.PreemptionPolicy
	}
	if spec.Priority != nil && *spec.Priority != priority {
		return fmt.Errorf("the integer value of priority (%d) must not be provided in pod spec; "+
			"priority admission controller computed %d from the given PriorityClass name", *spec.Priority, priority)
	}
	spec.Priority = &priority
	if preemption != nil {
		if spec.PreemptionPolicy != nil && *spec.PreemptionPolicy != *preemption {
			return fmt.Errorf("the string value of PreemptionPolicy (%s) must not be provided in pod spec; "+
				"priority admission controller computed %s from the given PriorityClass name", *spec.PreemptionPolicy, *preemption)
		}
		p := *preemption
		spec.PreemptionPolicy = &p
	}
	return nil
}

// CheckSingleGlobalDefault refuses a global-default class when another
// class already is the default.
func CheckSingleGlobalDefault(pc *scheduling.PriorityClass, classes []*scheduling.PriorityClass) error {
	if !pc.GlobalDefault {
		return nil
	}
	for _, c := range classes {
		if c.GlobalDefault && c.Name != pc.Name {
			return fmt.Errorf("PriorityClass %s is already marked as default. Only one default can exist", c.Name)
		}
	}
	return nil
}

func findPriorityClass(classes []*scheduling.PriorityClass, name string) *scheduling.PriorityClass {
	for _, c := range classes {
		if c.Name == name {
			return c
		}
	}
	return nil
}

// globalDefaultClass is the global default class with the lowest value
// (ties: the first name), nil when there is none.
func globalDefaultClass(classes []*scheduling.PriorityClass) *scheduling.PriorityClass {
	var best *scheduling.PriorityClass
	for _, c := range classes {
		if !c.GlobalDefault {
			continue
		}
		if best == nil || c.Value < best.Value || (c.Value == best.Value && strings.Compare(c.Name, best.Name) < 0) {
			best = c
		}
	}
	return best
}

func (s *Server) priorityClassResource() (*registry.Resource, storage.Interface) {
	res, ok := s.cfg.Resources.Lookup(scheduling.GroupName, scheduling.Version, "priorityclasses")
	if !ok {
		return nil, nil
	}
	return res, s.stores[res]
}

// priorityClasses reads the classes from the watch cache, as Kubernetes'
// admission reads its informer.
func (s *Server) priorityClasses(ctx context.Context) ([]*scheduling.PriorityClass, error) {
	res, st := s.priorityClassResource()
	if st == nil {
		return nil, nil
	}
	list, err := st.List(ctx, res.Prefix(""), storage.ListOptions{ResourceVersion: "0"})
	if err != nil {
		return nil, fmt.Errorf("priority classes: %w", err)
	}
	out := make([]*scheduling.PriorityClass, 0, len(list.Items))
	for _, o := range list.Items {
		if pc, ok := o.(*scheduling.PriorityClass); ok {
			out = append(out, pc)
		}
	}
	return out, nil
}

// storedPriorityClass reads one class from etcd; nil when there is none.
func (s *Server) storedPriorityClass(ctx context.Context, name string) (*scheduling.PriorityClass, error) {
	res, st := s.priorityClassResource()
	if st == nil {
		return nil, nil
	}
	o, err := st.Get(ctx, res.Key("", name), storage.GetOptions{})
	if apierrors.IsNotFound(err) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("priority class %s: %w", name, err)
	}
	pc, _ := o.(*scheduling.PriorityClass)
	return pc, nil
}

// bootstrapPriorityClasses creates the built-in classes that are missing
// (system-node-critical, system-cluster-critical), as Kubernetes'
// apiserver does at start; idempotent across apiservers.
func (s *Server) bootstrapPriorityClasses(ctx context.Context) error {
	res, st := s.priorityClassResource()
	if st == nil {
		return nil
	}
	for _, pc := range scheduling.SystemPriorityClasses() {
		_, err := s.createObject(ctx, res, st, pc, &RequestInfo{}, false)
		if err != nil && !apierrors.IsAlreadyExists(err) {
			return fmt.Errorf("bootstrap priority class %s: %w", pc.Name, err)
		}
	}
	return nil
}
