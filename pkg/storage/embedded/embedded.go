// Package embedded runs one etcd member inside the process
// (go.etcd.io/etcd/server/v3/embed), for the apiserver when --etcd-servers
// is empty and for integration tests. Data lives in Config.DataDir and
// survives a restart on the same directory.
//
//	e, err := embedded.Start(ctx, embedded.Config{DataDir: dir, Logger: log})
//	defer e.Stop()
//	client, err := e.Client(clientv3.Config{}) // KV in process, the rest over gRPC
package embedded

import (
	"context"
	"fmt"
	"net"
	"net/url"
	"time"

	clientv3 "go.etcd.io/etcd/client/v3"
	"go.etcd.io/etcd/server/v3/embed"
	"go.etcd.io/etcd/server/v3/etcdserver/api/v3rpc"
	"go.etcd.io/etcd/server/v3/proxy/grpcproxy/adapter"
	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"
)

// Config says where the member keeps its data and listens.
type Config struct {
	// DataDir holds the member's data (required).
	DataDir string
	// Name of the member; default "default".
	Name string
	// ClientURL and PeerURL, as "http://127.0.0.1:2379"; empty picks a free
	// port on 127.0.0.1 (note: a restart then gets new ports).
	ClientURL string
	PeerURL   string
	// Logger receives etcd's logs at warn level and above; nil discards them.
	Logger *zap.Logger
	// ProgressNotifyInterval is etcd's periodic watch progress notification
	// interval (etcd's default, 10m, when zero).
	ProgressNotifyInterval time.Duration
	// StartTimeout bounds the wait for the member to serve; default 60s.
	StartTimeout time.Duration
	// UnsafeNoFsync disables fsync (tests only: a crash loses data).
	UnsafeNoFsync bool
}

// Etcd is a running member.
type Etcd struct {
	e         *embed.Etcd
	endpoints []string
}

// Start starts the member and waits until it serves clients.
func Start(ctx context.Context, cfg Config) (*Etcd, error) {
	ec, err := embedConfig(cfg)
	if err != nil {
		return nil, err
	}
	e, err := embed.StartEtcd(ec)
	if err != nil {
		return nil, fmt.Errorf("start embedded etcd in %s: %w", cfg.DataDir, err)
	}
	timeout := cfg.StartTimeout
	if timeout == 0 {
		timeout = 60 * time.Second
	}
	t := time.NewTimer(timeout)
	defer t.Stop()
	select {
	case <-e.Server.ReadyNotify():
	case err := <-e.Err():
		e.Close()
		return nil, fmt.Errorf("embedded etcd failed: %w", err)
	case <-t.C:
		e.Close()
		return nil, fmt.Errorf("embedded etcd not ready after %s", timeout)
	case <-ctx.Done():
		e.Close()
		return nil, fmt.Errorf("start embedded etcd: %w", ctx.Err())
	}
	eps := make([]string, 0, len(ec.ListenClientUrls))
	for _, u := range ec.ListenClientUrls {
		eps = append(eps, u.String())
	}
	return &Etcd{e: e, endpoints: eps}, nil
}

func embedConfig(cfg Config) (*embed.Config, error) {
	if cfg.DataDir == "" {
		return nil, fmt.Errorf("embedded etcd: DataDir is required")
	}
	ec := embed.NewConfig()
	ec.Dir = cfg.DataDir
	if cfg.Name != "" {
		ec.Name = cfg.Name
	}
	curl, err := urlOrFree(cfg.ClientURL)
	if err != nil {
		return nil, err
	}
	purl, err := urlOrFree(cfg.PeerURL)
	if err != nil {
		return nil, err
	}
	ec.ListenClientUrls, ec.AdvertiseClientUrls = []url.URL{*curl}, []url.URL{*curl}
	ec.ListenPeerUrls, ec.AdvertisePeerUrls = []url.URL{*purl}, []url.URL{*purl}
	ec.InitialCluster = ec.InitialClusterFromName(ec.Name)
	lg := cfg.Logger
	if lg == nil {
		lg = zap.NewNop()
	}
	lg = lg.Named("etcd").WithOptions(zap.IncreaseLevel(zapcore.WarnLevel))
	ec.ZapLoggerBuilder = embed.NewZapLoggerBuilder(lg)
	ec.LogLevel = "warn"
	if cfg.ProgressNotifyInterval > 0 {
		ec.WatchProgressNotifyInterval = cfg.ProgressNotifyInterval
	}
	ec.UnsafeNoFsync = cfg.UnsafeNoFsync
	return ec, nil
}

func urlOrFree(s string) (*url.URL, error) {
	if s == "" {
		var err error
		if s, err = FreeURL(); err != nil {
			return nil, err
		}
	}
	u, err := url.Parse(s)
	if err != nil {
		return nil, fmt.Errorf("embedded etcd: parse URL %q: %w", s, err)
	}
	return u, nil
}

// Endpoints returns the client URLs, for clientv3.Config.Endpoints.
func (e *Etcd) Endpoints() []string { return e.endpoints }

// Client returns a client of the member (cfg's Endpoints are set to the
// member's) whose KV requests (Range, Put, Delete, Txn, Compact) call the
// member's KV service in process, as etcd's v3client does: no gRPC, socket
// or protobuf encoding for the requests an apiserver makes per write. Its
// watches, leases and maintenance calls go through gRPC like any client's:
// v3client's in-process watch stream can block a watch cancel that races
// the stream's end until the client closes, and a cache that waits for its
// watches to end before closing the client then never stops. Close it
// before Stop.
func (e *Etcd) Client(cfg clientv3.Config) (*clientv3.Client, error) {
	cfg.Endpoints = e.endpoints
	c, err := clientv3.New(cfg)
	if err != nil {
		return nil, fmt.Errorf("etcd client for %v: %w", e.endpoints, err)
	}
	c.KV = clientv3.NewKVFromKVClient(adapter.KvServerToKvClient(v3rpc.NewQuotaKVServer(e.e.Server)), c)
	return c, nil
}

// Stop stops the member and waits until it has released its ports and data.
func (e *Etcd) Stop() { e.e.Close() }

// FreePort returns a TCP port on 127.0.0.1 that was free a moment ago.
func FreePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, fmt.Errorf("find a free port: %w", err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// FreeURL returns "http://127.0.0.1:<free port>".
func FreeURL() (string, error) {
	p, err := FreePort()
	if err != nil {
		return "", err
	}
	return fmt.Sprintf("http://127.0.0.1:%d", p), nil
}
