package daemon

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/pprof"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"github.com/spf13/pflag"
	"go.uber.org/zap"
)

// ServingOptions are the flags of a daemon's own HTTP endpoint.
type ServingOptions struct {
	BindAddress     string
	Port            int
	Profiling       bool
	ShutdownTimeout time.Duration
}

// NewServingOptions returns defaults listening on all addresses at port.
func NewServingOptions(port int) *ServingOptions {
	return &ServingOptions{BindAddress: "0.0.0.0", Port: port, ShutdownTimeout: 10 * time.Second}
}

// AddFlags registers --bind-address, --port and --profiling on fs.
func (o *ServingOptions) AddFlags(fs *pflag.FlagSet) {
	fs.StringVar(&o.BindAddress, "bind-address", o.BindAddress, "the IP address to serve health and metrics on")
	fs.IntVar(&o.Port, "port", o.Port, "the port to serve health and metrics on (0 picks a free port)")
	fs.BoolVar(&o.Profiling, "profiling", o.Profiling, "serve /debug/pprof")
}

// Address is host:port to listen on.
func (o *ServingOptions) Address() string {
	return net.JoinHostPort(o.BindAddress, strconv.Itoa(o.Port))
}

// Server serves /healthz, /livez, /readyz, /metrics and, with --profiling,
// /debug/pprof. Liveness checks run under /livez and /healthz; readiness
// checks (plus the liveness ones) under /readyz, which fails as soon as
// shutdown begins so load balancers stop sending traffic.
type Server struct {
	opts     ServingOptions
	logger   *zap.Logger
	mux      *http.ServeMux
	livez    checkSet
	readyz   checkSet
	stopping atomic.Bool
	addr     atomic.Value // string, set once listening
}

// NewServer builds a server; Gatherer defaults to prometheus.DefaultGatherer.
func NewServer(opts *ServingOptions, logger *zap.Logger, gatherer prometheus.Gatherer) *Server {
	if gatherer == nil {
		gatherer = prometheus.DefaultGatherer
	}
	if logger == nil {
		logger = zap.NewNop()
	}
	s := &Server{opts: *opts, logger: logger, mux: http.NewServeMux()}
	if s.opts.ShutdownTimeout <= 0 {
		s.opts.ShutdownTimeout = 10 * time.Second
	}
	s.livez.add(PingCheck)
	s.readyz.add(Check{Name: "shutdown", Fn: func(*http.Request) error {
		if s.stopping.Load() {
			return errors.New("process is shutting down")
		}
		return nil
	}})
	ready := func() []Check { return append(s.livez.snapshot(), s.readyz.snapshot()...) }
	for _, p := range []string{"/livez", "/healthz"} {
		s.mux.Handle(p, checksHandler(p, s.livez.snapshot))
		s.mux.Handle(p+"/", checksHandler(p, s.livez.snapshot))
	}
	s.mux.Handle("/readyz", checksHandler("/readyz", ready))
	s.mux.Handle("/readyz/", checksHandler("/readyz", ready))
	s.mux.Handle("/metrics", promhttp.HandlerFor(gatherer, promhttp.HandlerOpts{}))
	if s.opts.Profiling {
		s.mux.HandleFunc("/debug/pprof/", pprof.Index)
		s.mux.HandleFunc("/debug/pprof/cmdline", pprof.Cmdline)
		s.mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
		s.mux.HandleFunc("/debug/pprof/symbol", pprof.Symbol)
		s.mux.HandleFunc("/debug/pprof/trace", pprof.Trace)
	}
	return s
}

// AddLivezCheck adds a check to /livez, /healthz and /readyz.
func (s *Server) AddLivezCheck(name string, fn func(*http.Request) error) {
	s.livez.add(Check{Name: name, Fn: fn})
}

// AddReadyzCheck adds a check to /readyz only.
func (s *Server) AddReadyzCheck(name string, fn func(*http.Request) error) {
	s.readyz.add(Check{Name: name, Fn: fn})
}

// Handle adds a handler (e.g. the kubelet's /pods) to the server's mux.
func (s *Server) Handle(pattern string, h http.Handler) { s.mux.Handle(pattern, h) }

// Handler is the server's mux, for tests and for embedding.
func (s *Server) Handler() http.Handler { return s.mux }

// Addr is the address the server listens on once Run has bound it, or "".
func (s *Server) Addr() string {
	a, _ := s.addr.Load().(string)
	return a
}

// Listen binds the configured address.
func (s *Server) Listen() (net.Listener, error) {
	ln, err := net.Listen("tcp", s.opts.Address())
	if err != nil {
		return nil, fmt.Errorf("listen on %s: %w", s.opts.Address(), err)
	}
	s.addr.Store(ln.Addr().String())
	return ln, nil
}

// Run binds and serves until ctx ends, then shuts down gracefully.
func (s *Server) Run(ctx context.Context) error {
	ln, err := s.Listen()
	if err != nil {
		return err
	}
	return s.Serve(ctx, ln)
}

// Serve serves on ln until ctx ends, then fails /readyz and shuts down
// within ShutdownTimeout.
func (s *Server) Serve(ctx context.Context, ln net.Listener) error {
	srv := &http.Server{Handler: s.mux, ReadHeaderTimeout: 10 * time.Second, Addr: ln.Addr().String()}
	s.logger.Info("serving health and metrics", zap.String("address", ln.Addr().String()))
	served := make(chan struct{})
	defer close(served)
	go func() {
		select {
		case <-ctx.Done():
			s.stopping.Store(true)
		case <-served:
		}
	}()
	err := ServeUntilDone(ctx, srv, func() error { return srv.Serve(ln) }, s.opts.ShutdownTimeout)
	s.stopping.Store(true)
	s.logger.Info("stopped serving", zap.String("address", ln.Addr().String()))
	return err
}
