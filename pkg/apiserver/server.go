// Package apiserver serves the Kubernetes REST API over the resources of a
// registry.Table and their storage: routes, handlers for every verb,
// subresources, watch streaming, discovery, admission, limits, metrics and
// health. It knows nothing of etcd: the caller passes one storage.Interface
// per resource.
//
// A request flows: withRecover -> withMetricsAndLogging (parses the
// RequestInfo) -> withTimeout -> withAuthentication -> withInFlightLimit ->
// withAuthorization -> resourceRoute (the mux for all but resource
// requests) -> serveResource -> the verb's handler (get, list, watch,
// create, update, patch, delete, deleteCollection, or a subresource). Create and update run the strategy of
// the resource's registry entry (prepare, admit, default, validate) and
// write through storage.GuaranteedUpdate. Extension points for later issues:
// checkAccept (Table output), applyPatch (strategic merge and apply
// patches), admitCreate (more admission plugins).
package apiserver

import (
	"context"
	"fmt"
	"net/http"
	"path"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gorilla/mux"
	"github.com/prometheus/client_golang/prometheus"
	"go.uber.org/zap"

	"github.com/tinykube/tinykube/pkg/api/apiextensions"
	"github.com/tinykube/tinykube/pkg/api/meta"
	"github.com/tinykube/tinykube/pkg/apiserver/authentication"
	"github.com/tinykube/tinykube/pkg/apiserver/authorization"
	"github.com/tinykube/tinykube/pkg/registry"
	"github.com/tinykube/tinykube/pkg/storage"
)

// Config wires a Server.
type Config struct {
	// Resources is the table served.
	Resources *registry.Table
	// Storage returns the storage of one resource; it is called once per
	// resource by New.
	Storage func(r *registry.Resource) (storage.Interface, error)
	// CustomStorage returns the storage of a custom resource (every served
	// version of one CustomResourceDefinition shares it), which runs until
	// ctx ends: when the resource is no longer served, or the server's
	// Context ends. Nil: custom resources cannot be served.
	CustomStorage func(ctx context.Context, r *registry.Resource) (storage.Interface, error)
	// Context is the server's lifetime (custom resources' storage stops
	// with it); nil: context.Background().
	Context context.Context
	Logger  *zap.Logger

	MaxRequestsInFlight         int // 0 = no limit
	MaxMutatingRequestsInFlight int // 0 = no limit
	// InFlightQueueWait is how long a request finding every slot of its
	// kind taken waits in line for one (at most as many waiting as there are
	// slots) before it gets 429 with Retry-After; 0 answers 429 at once.
	// Kubernetes' priority and fairness queues requests likewise instead of
	// refusing a burst outright, for up to a quarter of the request timeout
	// (the default here and what the apiserver command sets).
	InFlightQueueWait time.Duration

	DefaultNotReadyTolerationSeconds    int64
	DefaultUnreachableTolerationSeconds int64

	// ReadyChecks are run by /readyz (name -> check); /readyz fails with 500
	// while one fails (for example etcd unreachable).
	ReadyChecks map[string]func(ctx context.Context) error

	// Profiling serves /debug/pprof (--profiling), behind authentication
	// and authorization as the other non-resource URLs are.
	Profiling bool

	// Registerer and Gatherer for /metrics; nil means Prometheus' defaults.
	Registerer prometheus.Registerer
	Gatherer   prometheus.Gatherer

	// Now is the clock (nil: time.Now).
	Now func() time.Time

	// Security (security.go, timeout.go).
	// Authenticator finds the user of a request; nil: every request is
	// system:anonymous.
	Authenticator authentication.Request
	// Authorizer decides on every request; nil: AlwaysAllow.
	Authorizer authorization.Authorizer
	// WriteAdmission, when set, is called on every create (old nil) and
	// update of an object with the request's context (which carries the
	// user), after the server's preparation and before validation; an error
	// refuses the write (RBAC escalation checks).
	WriteAdmission func(ctx context.Context, res *registry.Resource, obj, old meta.Object) error
	// RequestTimeout bounds requests other than watches (0: none); 504 after.
	RequestTimeout time.Duration
	// ServiceAccountTokens, when set, serves serviceaccounts/{name}/token
	// and the issuer discovery documents (serviceaccount_token.go).
	ServiceAccountTokens *ServiceAccountTokenConfig
}

// DefaultRequestTimeout is kube-apiserver's --request-timeout default.
const DefaultRequestTimeout = 60 * time.Second

// DefaultConfig returns Kubernetes' defaults for the limits and tolerations.
func DefaultConfig() Config {
	return Config{
		MaxRequestsInFlight:                 400,
		MaxMutatingRequestsInFlight:         200,
		InFlightQueueWait:                   DefaultRequestTimeout / 4,
		DefaultNotReadyTolerationSeconds:    300,
		DefaultUnreachableTolerationSeconds: 300,
	}
}

// Server is the HTTP face of the API.
type Server struct {
	cfg    Config
	log    *zap.Logger
	stores map[*registry.Resource]storage.Interface // built-in resources, fixed by New
	custom customResources                          // custom resources: custom.go
	// lifetime is Config.Context.
	lifetime context.Context
	// crdSynced: the CRD controller served the definitions stored at start.
	crdSynced atomic.Bool
	metrics   *metrics
	now       func() time.Time
	handler   http.Handler
	// kubeletClient proxies pods/log to the kubelets.
	kubeletClient *http.Client
	// recentlyDeleted are namespaces whose admission reads etcd, not the cache.
	recentlyDeleted namespaceSet

	// stopCtx ends when Close is called: open watches end with it.
	stopCtx context.Context
	stop    context.CancelFunc
	once    sync.Once
}

// New builds a Server; it opens no listener.
func New(cfg Config) (*Server, error) {
	if cfg.Resources == nil || cfg.Storage == nil {
		return nil, fmt.Errorf("apiserver: Resources and Storage are required")
	}
	if cfg.Logger == nil {
		cfg.Logger = zap.NewNop()
	}
	if cfg.Registerer == nil {
		cfg.Registerer = prometheus.DefaultRegisterer
	}
	if cfg.Gatherer == nil {
		cfg.Gatherer = prometheus.DefaultGatherer
	}
	s := &Server{cfg: cfg, log: cfg.Logger, stores: map[*registry.Resource]storage.Interface{}, now: cfg.Now,
		kubeletClient: newKubeletClient()}
	if s.now == nil {
		s.now = time.Now
	}
	s.lifetime = cfg.Context
	if s.lifetime == nil {
		s.lifetime = context.Background()
	}
	if res, ok := cfg.Resources.Lookup(apiextensions.GroupName, apiextensions.Version, "customresourcedefinitions"); ok {
		crdDeletion(res) // crd_controller.go
	}
	for _, r := range cfg.Resources.All() {
		st, err := cfg.Storage(r)
		if err != nil {
			return nil, fmt.Errorf("storage for %s: %w", r.GroupResource(), err)
		}
		s.stores[r] = st
	}
	m, err := registerMetrics(cfg.Registerer)
	if err != nil {
		return nil, err
	}
	s.metrics = m
	s.stopCtx, s.stop = context.WithCancel(context.Background())
	s.handler = s.buildHandler()
	return s, nil
}

// Handler is the full HTTP handler (API, discovery, health, metrics).
func (s *Server) Handler() http.Handler { return s.handler }

// Close ends every open watch; in-flight requests finish on their own.
func (s *Server) Close() { s.once.Do(s.stop) }

// StopContext is done once Close was called.
func (s *Server) StopContext() context.Context { return s.stopCtx }

func (s *Server) buildHandler() http.Handler {
	var h http.Handler = resourceRoute{resource: http.HandlerFunc(s.serveResource), mux: s.newRouter()}
	h = s.withAuthorization(h)
	h = s.withInFlightLimit(h)
	h = s.withAuthentication(h)
	h = s.withTimeout(h)
	h = s.withMetricsAndLogging(h)
	h = s.withRecover(h)
	return h
}

// newRouter routes every path: health, discovery, OpenAPI and the resources.
func (s *Server) newRouter() *mux.Router {
	r := mux.NewRouter()
	r.UseEncodedPath()
	s.installHealth(r)
	s.installDiscovery(r)
	s.installOpenAPI(r) // kubectl compatibility: openapi.go
	s.installServiceAccountIssuerDiscovery(r)
	r.PathPrefix("/api/").HandlerFunc(s.serveResource)
	r.PathPrefix("/apis/").HandlerFunc(s.serveResource)
	r.NotFoundHandler = http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		writeError(w, req, notFoundPath(req.URL.Path))
	})
	r.MethodNotAllowedHandler = http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		writeError(w, req, methodNotAllowed(req.Method, req.URL.Path))
	})
	return r
}

// resourceRoute sends a resource request (one the filters parsed a
// RequestInfo for) whose path is clean straight to its handler, as the
// router's /api/ and /apis/ prefixes would, without the router's regular
// expressions and the two request copies it makes to carry route and vars
// nobody reads; everything else, including a path the router would
// redirect to its clean form, goes through the router.
type resourceRoute struct {
	resource http.Handler
	mux      http.Handler
}

func (rr resourceRoute) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	if _, ok := requestInfoFrom(req.Context()); ok && isCleanPath(req.URL.EscapedPath()) {
		rr.resource.ServeHTTP(w, req)
		return
	}
	rr.mux.ServeHTTP(w, req)
}

// isCleanPath reports whether the router would serve p as it is rather
// than redirect to its clean form (gorilla/mux's cleanPath: path.Clean,
// keeping a trailing slash).
func isCleanPath(p string) bool {
	if p == "" || p[0] != '/' {
		return false
	}
	np := path.Clean(p)
	if p[len(p)-1] == '/' && np != "/" {
		np += "/"
	}
	return np == p
}
