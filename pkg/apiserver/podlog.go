package apiserver

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/tinykube/tinykube/pkg/api/core"
	apierrors "github.com/tinykube/tinykube/pkg/api/errors"
	"github.com/tinykube/tinykube/pkg/storage"
)

// podLogParams are the query parameters of pods/{name}/log passed on to the
// kubelet's /containerLogs endpoint unchanged.
var podLogParams = []string{"follow", "previous", "timestamps", "tailLines", "limitBytes", "sinceSeconds", "sinceTime"}

// podLog serves GET pods/{name}/log by proxying to the kubelet of the pod's
// node, found through the Node object (InternalIP and the kubelet endpoint
// port), as the kube-apiserver does.
func (s *Server) podLog(w http.ResponseWriter, req *http.Request, r *request) error {
	if r.ri.Verb != "GET" {
		return s.notAllowed(r, r.ri.Verb)
	}
	ctx := req.Context()
	obj, err := r.store.Get(ctx, r.res.Key(r.ri.Namespace, r.ri.Name), storage.GetOptions{})
	if err != nil {
		return fmt.Errorf("pod log: %w", err)
	}
	pod, ok := obj.(*core.Pod)
	if !ok {
		return apierrors.NewInternalError(fmt.Errorf("pod log: stored object is %T", obj))
	}
	q := req.URL.Query()
	container, err := logContainer(pod, q.Get("container"))
	if err != nil {
		return err
	}
	if pod.Spec.NodeName == "" {
		return apierrors.NewBadRequest(fmt.Sprintf("pod %s does not have a host assigned", pod.Name))
	}
	target, err := s.kubeletURL(ctx, pod, container, q)
	if err != nil {
		return err
	}
	return s.proxyLog(w, req, target)
}

// logContainer picks the container whose log is asked for: the named one,
// or the only one; with several and none named it is a 400 as Kubernetes.
func logContainer(pod *core.Pod, name string) (string, error) {
	var names []string
	for _, c := range pod.Spec.InitContainers {
		names = append(names, c.Name)
	}
	for _, c := range pod.Spec.Containers {
		names = append(names, c.Name)
	}
	if name == "" {
		if len(pod.Spec.Containers) == 1 {
			return pod.Spec.Containers[0].Name, nil
		}
		var cs []string
		for _, c := range pod.Spec.Containers {
			cs = append(cs, c.Name)
		}
		return "", apierrors.NewBadRequest(fmt.Sprintf("a container name must be specified for pod %s, choose one of: [%s]",
			pod.Name, strings.Join(cs, " ")))
	}
	for _, n := range names {
		if n == name {
			return name, nil
		}
	}
	return "", apierrors.NewBadRequest(fmt.Sprintf("container %s is not valid for pod %s", name, pod.Name))
}

// kubeletURL builds the kubelet /containerLogs URL for a pod's container.
func (s *Server) kubeletURL(ctx context.Context, pod *core.Pod, container string, q url.Values) (*url.URL, error) {
	nodes, ok := s.cfg.Resources.Lookup("", "v1", "nodes")
	if !ok || s.stores[nodes] == nil {
		return nil, apierrors.NewInternalError(fmt.Errorf("nodes are not served"))
	}
	obj, err := s.stores[nodes].Get(ctx, nodes.Key("", pod.Spec.NodeName), storage.GetOptions{ResourceVersion: "0"})
	if err != nil {
		if apierrors.IsNotFound(err) {
			return nil, apierrors.NewBadRequest(fmt.Sprintf("node %q of pod %s does not exist", pod.Spec.NodeName, pod.Name))
		}
		return nil, fmt.Errorf("pod log: get node: %w", err)
	}
	node, ok := obj.(*core.Node)
	if !ok {
		return nil, apierrors.NewInternalError(fmt.Errorf("pod log: stored node is %T", obj))
	}
	host, err := core.GetNodeHostIP(node)
	if err != nil {
		for _, a := range node.Status.Addresses {
			if a.Type == core.NodeHostName && a.Address != "" {
				host, err = a.Address, nil
				break
			}
		}
	}
	port := node.Status.DaemonEndpoints.KubeletEndpoint.Port
	if err != nil || port == 0 {
		return nil, apierrors.NewBadRequest(fmt.Sprintf("node %q has no kubelet address to read logs from", node.Name))
	}
	out := url.Values{}
	for _, p := range podLogParams {
		if v := q.Get(p); v != "" {
			out.Set(p, v)
		}
	}
	return &url.URL{
		Scheme:   "http",
		Host:     net.JoinHostPort(host, strconv.Itoa(int(port))),
		Path:     "/containerLogs/" + pod.Namespace + "/" + pod.Name + "/" + container,
		RawQuery: out.Encode(),
	}, nil
}

// proxyLog streams the kubelet's answer to the client, flushing as data
// arrives; the proxied request ends when the client goes away.
func (s *Server) proxyLog(w http.ResponseWriter, req *http.Request, target *url.URL) error {
	preq, err := http.NewRequestWithContext(req.Context(), http.MethodGet, target.String(), nil)
	if err != nil {
		return apierrors.NewInternalError(fmt.Errorf("pod log: %w", err))
	}
	resp, err := s.kubeletClient.Do(preq)
	if err != nil {
		return apierrors.NewServiceUnavailable(fmt.Sprintf("cannot reach the kubelet at %s: %v", target.Host, err))
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		msg, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
		text := strings.TrimSpace(string(msg))
		switch resp.StatusCode {
		case http.StatusNotFound:
			return apierrors.NewNotFound("", "pods/log", text)
		case http.StatusBadRequest:
			return apierrors.NewBadRequest(text)
		default:
			return apierrors.NewInternalError(fmt.Errorf("kubelet answered %d: %s", resp.StatusCode, text))
		}
	}
	w.Header().Set("Content-Type", "text/plain")
	w.WriteHeader(http.StatusOK)
	flusher, _ := w.(http.Flusher)
	buf := make([]byte, 32*1024)
	for {
		n, rerr := resp.Body.Read(buf)
		if n > 0 {
			if _, werr := w.Write(buf[:n]); werr != nil {
				return nil // the client went away
			}
			if flusher != nil {
				flusher.Flush()
			}
		}
		if rerr != nil {
			return nil // io.EOF, or the stream broke after the header went out
		}
	}
}

// newKubeletClient is the HTTP client of the pods/log proxy: bounded dial and
// header waits, no overall timeout (follow streams last).
func newKubeletClient() *http.Client {
	return &http.Client{Transport: &http.Transport{
		DialContext:           (&net.Dialer{Timeout: 5 * time.Second}).DialContext,
		ResponseHeaderTimeout: 30 * time.Second,
		MaxIdleConnsPerHost:   4,
	}}
}
