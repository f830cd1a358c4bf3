package ctl

import (
	"context"
	"crypto/tls"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"

	"github.com/spf13/pflag"

	"github.com/tinykube/tinykube/pkg/api/core"
	apierrors "github.com/tinykube/tinykube/pkg/api/errors"
	"github.com/tinykube/tinykube/pkg/api/intstr"
	"github.com/tinykube/tinykube/pkg/api/labels"
	"github.com/tinykube/tinykube/pkg/api/meta"
	"github.com/tinykube/tinykube/pkg/portforward"
)

type portForwardOptions struct {
	addresses []string
}

func portForwardCommand() *command {
	o := &portForwardOptions{}
	return &command{
		name: "port-forward", short: "Forward one or more local ports to a pod",
		usage: "port-forward (POD | TYPE/NAME) [--address ADDR] [LOCAL_PORT:]REMOTE_PORT [...[LOCAL_PORT_N:]REMOTE_PORT_N]",
		flags: func(fs *pflag.FlagSet) {
			fs.StringSliceVar(&o.addresses, "address", []string{"localhost"},
				"Addresses to listen on (comma separated). Only accepts IP addresses or localhost as a value. When localhost is supplied, ctl will try to bind on both 127.0.0.1 and ::1 and will fail if neither of these addresses are available to bind.")
		},
		run: o.run,
	}
}

func (o *portForwardOptions) run(ctx context.Context, env *Env, args []string) error {
	if len(args) < 2 {
		return usageError("TYPE/NAME and list of ports are required for port-forward")
	}
	addrs, err := portforward.ParseAddresses(o.addresses)
	if err != nil {
		return err
	}
	ns, err := env.Namespace()
	if err != nil {
		return err
	}
	pod, specs, err := forwardTarget(ctx, env, ns, args[0], args[1:])
	if err != nil {
		return err
	}
	if pod.Status.Phase != core.PodRunning {
		return fmt.Errorf("unable to forward port because pod is not running. Current status=%v", pod.Status.Phase)
	}
	ports, err := portforward.ParsePorts(specs)
	if err != nil {
		return err
	}
	rc, err := env.REST()
	if err != nil {
		return err
	}
	tlsCfg, hdr, err := streamingDialConfig(env)
	if err != nil {
		return fmt.Errorf("port-forward: %w", err)
	}
	u := rc.Base()
	u.Path += "/api/v1/namespaces/" + url.PathEscape(ns) + "/pods/" + url.PathEscape(pod.Name) + "/portforward"
	conn, err := portforward.Dial(ctx, u, tlsCfg, hdr)
	if err != nil {
		var ue *portforward.UpgradeError
		if errors.As(err, &ue) {
			var st meta.Status
			if json.Unmarshal(ue.Body, &st) == nil && st.Message != "" {
				err = apierrors.FromStatus(st)
			}
		}
		return fmt.Errorf("error upgrading connection: %w", err)
	}
	sc, err := portforward.NewClientConnection(conn)
	if err != nil {
		return err
	}
	// Closing the connection ends the SPDY session (its streams are reset
	// by then): no GOAWAY handshake to wait for.
	defer conn.Close()
	f := &portforward.Forwarder{Conn: sc, Addresses: addrs, Ports: ports, Out: env.Streams.Out, ErrOut: env.Streams.ErrOut}
	return f.Run(ctx)
}

// streamingDialConfig is the TLS configuration and the headers (user agent,
// bearer token) of an upgraded request (exec, port-forward).
func streamingDialConfig(env *Env) (*tls.Config, http.Header, error) {
	cfg, err := env.Client.RESTConfig()
	if err != nil {
		return nil, nil, err
	}
	tlsCfg, err := cfg.TLSClientConfig.TLSConfig()
	if err != nil {
		return nil, nil, err
	}
	token, err := cfg.Token()
	if err != nil {
		return nil, nil, err
	}
	hdr := http.Header{"User-Agent": {"ctl"}}
	if token != "" {
		hdr.Set("Authorization", "Bearer "+token)
	}
	return tlsCfg, hdr, nil
}

// forwardTarget finds the pod that POD or TYPE/NAME means and the port specs
// to forward to it. As kubectl: a service's pod is one its selector
// matches, and the service's ports become the pod's target ports; a
// workload's pod is one its selector matches; a named remote port is the
// pod's container port of that name.
func forwardTarget(ctx context.Context, env *Env, ns, arg string, specs []string) (*core.Pod, []string, error) {
	cs, err := env.Clientset()
	if err != nil {
		return nil, nil, err
	}
	typ, name, ok := strings.Cut(arg, "/")
	if !ok {
		typ, name = "pod", arg
	}
	r, err := env.resolve(ctx, typ)
	if err != nil {
		return nil, nil, err
	}
	if r.Kind == "Service" && r.Group == "" {
		svc, err := cs.CoreV1().Services(ns).Get(ctx, name, meta.GetOptions{})
		if err != nil {
			return nil, nil, err
		}
		if len(svc.Spec.Selector) == 0 {
			return nil, nil, fmt.Errorf("invalid service '%s': Service is defined without a selector", name)
		}
		pod, err := firstPod(ctx, env, ns, labels.SelectorFromSet(svc.Spec.Selector).String(), ResourceRef(r, name))
		if err != nil {
			return nil, nil, err
		}
		specs, err = servicePortsToTargetPorts(specs, svc, pod)
		return pod, specs, err
	}
	podName, err := podOf(ctx, env, r, ns, name)
	if err != nil {
		return nil, nil, err
	}
	pod, err := cs.CoreV1().Pods(ns).Get(ctx, podName, meta.GetOptions{})
	if err != nil {
		return nil, nil, err
	}
	specs, err = namedPortsToNumbers(specs, pod)
	return pod, specs, err
}

// firstPod is the first (by name) running pod matching selector, else the
// first pod.
func firstPod(ctx context.Context, env *Env, ns, selector, what string) (*core.Pod, error) {
	cs, err := env.Clientset()
	if err != nil {
		return nil, err
	}
	pods, err := cs.CoreV1().Pods(ns).List(ctx, meta.ListOptions{LabelSelector: selector})
	if err != nil {
		return nil, err
	}
	if len(pods.Items) == 0 {
		return nil, fmt.Errorf("no pods found for %s", what)
	}
	sort.SliceStable(pods.Items, func(i, j int) bool {
		a, b := pods.Items[i].Status.Phase == core.PodRunning, pods.Items[j].Status.Phase == core.PodRunning
		if a != b {
			return a
		}
		return pods.Items[i].Name < pods.Items[j].Name
	})
	return &pods.Items[0], nil
}

// splitPortSpec is a spec's local and remote parts ("80" is 80 and 80).
func splitPortSpec(spec string) (local, remote string) {
	local, remote, ok := strings.Cut(spec, ":")
	if !ok {
		remote = local
	}
	return local, remote
}

// namedPortsToNumbers replaces a remote port name by the pod's container
// port of that name ("8080:http" -> "8080:80", "http" -> "80:80").
func namedPortsToNumbers(specs []string, pod *core.Pod) ([]string, error) {
	out := make([]string, 0, len(specs))
	for _, spec := range specs {
		local, remote := splitPortSpec(spec)
		if _, err := strconv.Atoi(remote); err == nil || strings.Contains(remote, ":") {
			out = append(out, spec)
			continue
		}
		n, ok := containerPortByName(pod, remote)
		if !ok {
			return nil, fmt.Errorf("Pod '%s' does not have a named port '%s'", pod.Name, remote)
		}
		if local == remote {
			local = strconv.Itoa(int(n))
		}
		out = append(out, local+":"+strconv.Itoa(int(n)))
	}
	return out, nil
}

func containerPortByName(pod *core.Pod, name string) (int32, bool) {
	for _, c := range pod.Spec.Containers {
		for _, p := range c.Ports {
			if p.Name == name {
				return p.ContainerPort, true
			}
		}
	}
	return 0, false
}

// servicePortsToTargetPorts replaces each remote service port by the port
// it targets on pod; a spec without a local port keeps the service port
// as the local one ("80" -> "80:8080").
func servicePortsToTargetPorts(specs []string, svc *core.Service, pod *core.Pod) ([]string, error) {
	out := make([]string, 0, len(specs))
	for _, spec := range specs {
		local, remote := splitPortSpec(spec)
		n, err := strconv.Atoi(remote)
		if err != nil {
			return nil, fmt.Errorf("error parsing remote port '%s': %w", remote, err)
		}
		target, err := serviceTargetPort(svc, pod, int32(n))
		if err != nil {
			return nil, err
		}
		remote = strconv.Itoa(int(target))
		if local == remote {
			out = append(out, remote)
		} else {
			out = append(out, local+":"+remote)
		}
	}
	return out, nil
}

// serviceTargetPort is the container port of pod that the service's port
// targets.
func serviceTargetPort(svc *core.Service, pod *core.Pod, port int32) (int32, error) {
	for _, sp := range svc.Spec.Ports {
		if sp.Port != port {
			continue
		}
		if sp.TargetPort.Type == intstr.String {
			n, ok := containerPortByName(pod, sp.TargetPort.StrVal)
			if !ok {
				return 0, fmt.Errorf("cannot find containerPort named %s in pod %s", sp.TargetPort.StrVal, pod.Name)
			}
			return n, nil
		}
		if sp.TargetPort.IntVal == 0 {
			return port, nil
		}
		return sp.TargetPort.IntVal, nil
	}
	return 0, fmt.Errorf("Service %s does not have a service port %d", svc.Name, port)
}
