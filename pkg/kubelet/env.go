package kubelet

import (
	"context"
	"fmt"
	"maps"
	"slices"

	"github.com/tinykube/tinykube/pkg/api/core"
	"github.com/tinykube/tinykube/pkg/api/meta"
)

// envSource reads the config maps and secrets env refers to.
type envSource interface {
	configMap(ctx context.Context, ns, name string) (map[string]string, error)
	secret(ctx context.Context, ns, name string) (map[string]string, error)
}

// containerEnv resolves a container's envFrom and env into KEY=VALUE pairs,
// as the kubelet does: envFrom keys first (in key order), then env in
// order, a later value of a name replacing an earlier one in its place;
// $(NAME) in an env value expands to a name defined before it.
// A missing config map, secret or key that is not optional is an error
// (the container waits with CreateContainerConfigError).
// serviceEnv (the `kubernetes` Service's variables) come last, each unless
// the container defines its name; $(NAME) may refer to them.
func containerEnv(ctx context.Context, src envSource, pod *core.Pod, c *core.Container, serviceEnv []core.EnvVar,
	hostIP, podIP string, allocatable core.ResourceList) (envVars, error) {
	var out envVars
	lookup := func(name string) (string, bool) {
		if v, ok := out.lookup(name); ok {
			return v, ok
		}
		for _, e := range serviceEnv {
			if e.Name == name {
				return e.Value, true
			}
		}
		return "", false
	}
	for _, ef := range c.EnvFrom {
		var data map[string]string
		var err error
		var optional *bool
		switch {
		case ef.ConfigMapRef != nil:
			optional = ef.ConfigMapRef.Optional
			data, err = src.configMap(ctx, pod.Namespace, ef.ConfigMapRef.Name)
		case ef.SecretRef != nil:
			optional = ef.SecretRef.Optional
			data, err = src.secret(ctx, pod.Namespace, ef.SecretRef.Name)
		}
		if err != nil && !isTrue(optional) {
			return envVars{}, err
		}
		keys := slices.Sorted(maps.Keys(data))
		for _, k := range keys {
			out.set(ef.Prefix+k, data[k])
		}
	}
	for _, e := range c.Env {
		v, ok, err := envValue(ctx, src, pod, c, e, hostIP, podIP, allocatable)
		if err != nil {
			return envVars{}, fmt.Errorf("env %s: %w", e.Name, err)
		}
		if e.ValueFrom == nil {
			v = expandVars(v, lookup)
		}
		if ok {
			out.set(e.Name, v)
		}
	}
	for _, e := range serviceEnv {
		if _, defined := out.lookup(e.Name); !defined {
			out.set(e.Name, e.Value)
		}
	}
	return out, nil
}

// envVars is a container's environment in the order names were first set.
type envVars struct {
	names []string
	vals  map[string]string
}

func (e *envVars) set(name, v string) {
	if e.vals == nil {
		e.vals = map[string]string{}
	}
	if _, ok := e.vals[name]; !ok {
		e.names = append(e.names, name)
	}
	e.vals[name] = v
}

func (e *envVars) lookup(name string) (string, bool) {
	v, ok := e.vals[name]
	return v, ok
}

// list is the environment as KEY=VALUE pairs.
func (e *envVars) list() []string {
	out := make([]string, len(e.names))
	for i, n := range e.names {
		out[i] = n + "=" + e.vals[n]
	}
	return out
}

// expand expands $(NAME) references of a command or its args.
func (e *envVars) expand(args []string) []string {
	out := make([]string, len(args))
	for i, a := range args {
		out[i] = expandVars(a, e.lookup)
	}
	return out
}

func envValue(ctx context.Context, src envSource, pod *core.Pod, c *core.Container, e core.EnvVar, hostIP, podIP string,
	allocatable core.ResourceList) (string, bool, error) {
	vf := e.ValueFrom
	switch {
	case vf == nil:
		return e.Value, true, nil
	case vf.FieldRef != nil:
		v, err := core.PodFieldValue(pod, vf.FieldRef.FieldPath, hostIP, podIP)
		return v, err == nil, err
	case vf.ResourceFieldRef != nil:
		v, err := core.ContainerResourceValue(vf.ResourceFieldRef, withDefaultLimits(c, allocatable))
		return v, err == nil, err
	case vf.ConfigMapKeyRef != nil:
		r := vf.ConfigMapKeyRef
		return lookupKey(ctx, src.configMap, pod.Namespace, r.Name, r.Key, r.Optional, "config map")
	case vf.SecretKeyRef != nil:
		r := vf.SecretKeyRef
		return lookupKey(ctx, src.secret, pod.Namespace, r.Name, r.Key, r.Optional, "secret")
	}
	return "", false, fmt.Errorf("unsupported valueFrom")
}

// withDefaultLimits is c with its unset limits at the node's allocatable,
// as the kubelet resolves a resourceFieldRef of a limit nobody set.
func withDefaultLimits(c *core.Container, allocatable core.ResourceList) *core.Container {
	cp := *c
	cp.Resources.Limits = core.ResourceList{}
	for name, q := range allocatable {
		cp.Resources.Limits[name] = q
	}
	for name, q := range c.Resources.Limits {
		cp.Resources.Limits[name] = q
	}
	return &cp
}

func lookupKey(ctx context.Context, get func(context.Context, string, string) (map[string]string, error),
	ns, name, key string, optional *bool, what string) (string, bool, error) {
	data, err := get(ctx, ns, name)
	if err != nil {
		if isTrue(optional) {
			return "", false, nil
		}
		return "", false, err
	}
	v, ok := data[key]
	if !ok && !isTrue(optional) {
		return "", false, fmt.Errorf("couldn't find key %s in %s %s/%s", key, what, ns, name)
	}
	return v, ok, nil
}

func isTrue(b *bool) bool { return b != nil && *b }

// apiEnvSource reads config maps and secrets from the apiserver.
type apiEnvSource struct{ k *Kubelet }

func (s apiEnvSource) configMap(ctx context.Context, ns, name string) (map[string]string, error) {
	cm, err := s.k.client.CoreV1().ConfigMaps(ns).Get(ctx, name, meta.GetOptions{})
	if err != nil {
		return nil, fmt.Errorf("config map %s/%s: %w", ns, name, err)
	}
	out := map[string]string{}
	for k, v := range cm.Data {
		out[k] = v
	}
	for k, v := range cm.BinaryData {
		out[k] = string(v)
	}
	return out, nil
}

func (s apiEnvSource) secret(ctx context.Context, ns, name string) (map[string]string, error) {
	sec, err := s.k.client.CoreV1().Secrets(ns).Get(ctx, name, meta.GetOptions{})
	if err != nil {
		return nil, fmt.Errorf("secret %s/%s: %w", ns, name, err)
	}
	out := map[string]string{}
	for k, v := range sec.Data {
		out[k] = string(v)
	}
	for k, v := range sec.StringData {
		out[k] = v
	}
	return out, nil
}
