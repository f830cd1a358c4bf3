package app

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strconv"
	"sync"
	"time"

	clientv3 "go.etcd.io/etcd/client/v3"
	"go.uber.org/zap"

	"github.com/tinykube/tinykube/pkg/apiserver"
	"github.com/tinykube/tinykube/pkg/apiserver/identity"
	"github.com/tinykube/tinykube/pkg/registry"
	"github.com/tinykube/tinykube/pkg/storage"
	"github.com/tinykube/tinykube/pkg/storage/embedded"
	"github.com/tinykube/tinykube/pkg/storage/etcd3"
)

// Instance is a running apiserver.
type Instance struct {
	// URL is the base URL clients use ("http://127.0.0.1:8080").
	URL string
	// EtcdEndpoints are the etcd client URLs in use.
	EtcdEndpoints []string
	// ID is the name of this instance's identity lease in kube-system
	// ("apiserver-<id>").
	ID string

	log      *zap.Logger
	opts     *Options
	etcd     *embedded.Etcd // nil with an external cluster
	client   *clientv3.Client
	server   *apiserver.Server
	http     *http.Server
	cancel   context.CancelFunc
	wg       sync.WaitGroup
	serveErr chan error
	stopOnce sync.Once

	// scale-out: the identity lease and kubernetes Endpoints (identity.go)
	identity *identity.Controller
	stores   *storageSet
	table    *registry.Table
	port     int

	sec *security // authentication, authorization (security.go)
}

// Start starts etcd (if embedded), the stores, the HTTP server and the
// compactor, creates the system namespaces, and returns once the server
// accepts connections.
func Start(ctx context.Context, o *Options, log *zap.Logger) (_ *Instance, err error) {
	if err := o.Validate(); err != nil {
		return nil, err
	}
	if log == nil {
		log = zap.NewNop()
	}
	inst := &Instance{log: log, opts: o, serveErr: make(chan error, 1)}
	defer func() {
		if err != nil {
			inst.Stop() // release what was started before the failure
		}
	}()
	if err := inst.startEtcd(ctx); err != nil {
		return nil, err
	}
	runCtx, cancel := context.WithCancel(context.Background())
	inst.cancel = cancel
	if err := inst.startServer(ctx, runCtx); err != nil {
		return nil, err
	}
	compactor := etcd3.NewCompactor(inst.client, o.EtcdCompactionInterval, log)
	inst.wg.Add(1)
	go func() {
		defer inst.wg.Done()
		compactor.Run(runCtx)
	}()
	if err := inst.server.Bootstrap(ctx); err != nil {
		return nil, err
	}
	if err := inst.bootstrapPolicy(ctx); err != nil {
		return nil, err
	}
	if err := inst.startIdentity(runCtx, inst.table, inst.stores, inst.port, o.TLSCertFile != ""); err != nil {
		return nil, err
	}
	log.Info("apiserver started", zap.String("url", inst.URL), zap.Strings("etcd", inst.EtcdEndpoints))
	return inst, nil
}

func (inst *Instance) startEtcd(ctx context.Context) error {
	o := inst.opts
	endpoints := o.EtcdServers
	if len(endpoints) == 0 {
		e, err := embedded.Start(ctx, embedded.Config{
			DataDir:       o.DataDir,
			ClientURL:     "http://127.0.0.1:" + strconv.Itoa(o.EmbeddedEtcdClientPort),
			PeerURL:       "http://127.0.0.1:" + strconv.Itoa(o.EmbeddedEtcdPeerPort),
			Logger:        inst.log,
			UnsafeNoFsync: o.UnsafeNoFsync,
		})
		if err != nil {
			return err
		}
		inst.etcd = e
	}
	cfg := clientv3.Config{Endpoints: endpoints, DialTimeout: 5 * time.Second, Logger: inst.log.Named("etcd-client").WithOptions(zap.IncreaseLevel(zap.ErrorLevel))}
	var c *clientv3.Client
	var err error
	if inst.etcd != nil {
		// The member is in this process: reads and writes call it directly
		// instead of through gRPC over loopback.
		c, err = inst.etcd.Client(cfg)
		endpoints = inst.etcd.Endpoints()
	} else if c, err = clientv3.New(cfg); err != nil {
		err = fmt.Errorf("etcd client for %v: %w", endpoints, err)
	}
	if err != nil {
		return err
	}
	inst.EtcdEndpoints, inst.client = endpoints, c
	return nil
}

func (inst *Instance) startServer(ctx, runCtx context.Context) error {
	o := inst.opts
	cfg := apiserver.DefaultConfig()
	cfg.Resources = registry.Default()
	cfg.Logger = inst.log
	cfg.MaxRequestsInFlight = o.MaxRequestsInFlight
	cfg.MaxMutatingRequestsInFlight = o.MaxMutatingRequestsInFlight
	cfg.DefaultNotReadyTolerationSeconds = o.DefaultNotReadyTolerationSeconds
	cfg.DefaultUnreachableTolerationSeconds = o.DefaultUnreachableTolerationSeconds
	cfg.Profiling = o.Profiling
	stores := &storageSet{client: inst.client, log: inst.log, windowSize: o.WatchCacheSize}
	cfg.Storage = func(r *registry.Resource) (storage.Interface, error) {
		return stores.newStorage(runCtx, &inst.wg, r), nil
	}
	cfg.CustomStorage = func(ctx context.Context, r *registry.Resource) (storage.Interface, error) {
		return stores.newCustomStorage(ctx, &inst.wg, r), nil
	}
	cfg.Context = runCtx
	cfg.ReadyChecks = map[string]func(context.Context) error{"etcd": inst.etcdHealthy, "watch-cache": stores.ready}
	if err := inst.configureSecurity(&cfg); err != nil {
		return err
	}
	srv, err := apiserver.New(cfg)
	if err != nil {
		return err
	}
	inst.server = srv
	cfg.ReadyChecks["crd-informer-synced"] = srv.CRDsSynced
	inst.wg.Add(1)
	go func() {
		defer inst.wg.Done()
		srv.RunCRDController(runCtx)
	}()
	inst.stores, inst.table = stores, cfg.Resources
	if err := inst.startPolicyCache(runCtx); err != nil {
		return err
	}
	addr := net.JoinHostPort(o.BindAddress, strconv.Itoa(o.Port))
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", addr, err)
	}
	scheme := "http"
	if o.TLSCertFile != "" {
		cert, err := tls.LoadX509KeyPair(o.TLSCertFile, o.TLSPrivateKeyFile)
		if err != nil {
			ln.Close()
			return fmt.Errorf("load TLS key pair: %w", err)
		}
		tlsCfg := &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12, NextProtos: []string{"http/1.1"}}
		inst.sec.configureTLS(tlsCfg)
		ln = tls.NewListener(ln, tlsCfg)
		scheme = "https"
	}
	host := o.BindAddress
	if host == "" || host == "0.0.0.0" || host == "::" {
		host = "127.0.0.1"
	}
	inst.port = ln.Addr().(*net.TCPAddr).Port
	inst.URL = scheme + "://" + net.JoinHostPort(host, strconv.Itoa(inst.port))
	inst.http = &http.Server{Handler: srv.Handler(), ReadHeaderTimeout: 30 * time.Second,
		ErrorLog: zap.NewStdLog(inst.log.Named("http"))}
	inst.wg.Add(1)
	go func() {
		defer inst.wg.Done()
		if err := inst.http.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			inst.serveErr <- err
		}
	}()
	return nil
}

func (inst *Instance) etcdHealthy(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	if _, err := inst.client.Get(ctx, "health", clientv3.WithSerializable()); err != nil {
		return fmt.Errorf("etcd: %w", err)
	}
	return nil
}

// Err reports a failure of the HTTP server after Start.
func (inst *Instance) Err() <-chan error { return inst.serveErr }

// Stop shuts down gracefully: stop accepting, end watches, wait for
// in-flight requests (bounded), stop the compactor, close the etcd client
// and stop the embedded member. Safe to call more than once.
func (inst *Instance) Stop() {
	inst.stopOnce.Do(func() {
		inst.stopIdentity()
		if inst.server != nil {
			inst.server.Close()
		}
		if inst.http != nil {
			timeout := inst.opts.ShutdownTimeout
			if timeout <= 0 {
				timeout = 30 * time.Second
			}
			ctx, cancel := context.WithTimeout(context.Background(), timeout)
			if err := inst.http.Shutdown(ctx); err != nil {
				inst.log.Warn("http shutdown", zap.Error(err))
				_ = inst.http.Close()
			}
			cancel()
		}
		if inst.cancel != nil {
			inst.cancel()
		}
		inst.wg.Wait()
		if inst.client != nil {
			_ = inst.client.Close()
		}
		if inst.etcd != nil {
			inst.etcd.Stop()
		}
		inst.log.Info("apiserver stopped")
	})
}

// Run starts the apiserver and serves until ctx ends, then shuts down.
func Run(ctx context.Context, o *Options, log *zap.Logger) error {
	inst, err := Start(ctx, o, log)
	if err != nil {
		return err
	}
	defer inst.Stop()
	select {
	case <-ctx.Done():
		return nil
	case err := <-inst.Err():
		return fmt.Errorf("serve: %w", err)
	}
}
