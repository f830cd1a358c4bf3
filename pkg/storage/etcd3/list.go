package etcd3

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"go.etcd.io/etcd/api/v3/v3rpc/rpctypes"
	clientv3 "go.etcd.io/etcd/client/v3"

	apierrors "github.com/tinykube/tinykube/pkg/api/errors"
	"github.com/tinykube/tinykube/pkg/api/meta"
	"github.com/tinykube/tinykube/pkg/storage"
)

// continueToken is the decoded form of a list's continue parameter: the
// revision every page is read at and the key (relative to the listed
// prefix) the next page starts at.
type continueToken struct {
	APIVersion      string `json:"v"`
	ResourceVersion int64  `json:"rv"`
	StartKey        string `json:"start"`
}

const continueTokenVersion = "meta.k8s.io/v1"

// EncodeContinue returns the continue token for a list read at rev whose
// next page starts at nextKey (relative to the list's prefix).
func EncodeContinue(nextKey string, rev int64) (string, error) {
	b, err := json.Marshal(continueToken{APIVersion: continueTokenVersion, ResourceVersion: rev, StartKey: nextKey})
	if err != nil {
		return "", fmt.Errorf("encode continue token: %w", err)
	}
	return base64.RawURLEncoding.EncodeToString(b), nil
}

// DecodeContinue parses a continue token into the next key (relative to the
// prefix) and the list's revision; a malformed token is a 400.
func DecodeContinue(token string) (nextKey string, rev int64, err error) {
	bad := func(why string) error {
		return apierrors.NewBadRequest(fmt.Sprintf("continue key is not valid: %s", why))
	}
	b, err := base64.RawURLEncoding.DecodeString(token)
	if err != nil {
		return "", 0, bad("incorrect encoding")
	}
	var t continueToken
	if err := json.Unmarshal(b, &t); err != nil {
		return "", 0, bad("incorrect encoding")
	}
	if t.APIVersion != continueTokenVersion {
		return "", 0, bad("server does not recognize this encoding")
	}
	if t.ResourceVersion <= 0 {
		return "", 0, bad("incorrect resource version")
	}
	if strings.Contains(t.StartKey, "..") || strings.HasPrefix(t.StartKey, "/") {
		return "", 0, bad("invalid start key")
	}
	return t.StartKey, t.ResourceVersion, nil
}

// listPlan is where a List reads: from which key at which revision (0: now).
type listPlan struct {
	start string
	rev   int64
}

func (s *Store) planList(prefix string, opts storage.ListOptions) (listPlan, error) {
	p := listPlan{start: s.EtcdKey(prefix)}
	if opts.Continue != "" {
		next, rev, err := DecodeContinue(opts.Continue)
		if err != nil {
			return p, err
		}
		p.start, p.rev = p.start+next, rev
		return p, nil
	}
	rv, err := ParseResourceVersion(opts.ResourceVersion)
	if err != nil {
		return p, err
	}
	if opts.ResourceVersionMatch == meta.ResourceVersionMatchExact {
		if rv == 0 {
			return p, apierrors.NewBadRequest("resourceVersionMatch=Exact requires a non-zero resourceVersion")
		}
		p.rev = rv
	}
	return p, nil
}

// List implements storage.Interface on etcd: pages are read at one revision
// (the first page's, carried by the continue token), the Predicate is applied
// and reading goes on until Limit matching items or the end of the prefix.
func (s *Store) List(ctx context.Context, prefix string, opts storage.ListOptions) (*storage.ListResult, error) {
	plan, err := s.planList(prefix, opts)
	if err != nil {
		return nil, err
	}
	base := s.EtcdKey(prefix)
	end := clientv3.GetPrefixRangeEnd(base)
	res := &storage.ListResult{}
	pageSize := opts.Limit
	start, rev := plan.start, plan.rev
	defer s.observe("list", time.Now())
	for {
		ropts := []clientv3.OpOption{clientv3.WithRange(end)}
		if rev > 0 {
			ropts = append(ropts, clientv3.WithRev(rev))
		}
		if pageSize > 0 {
			ropts = append(ropts, clientv3.WithLimit(pageSize))
		}
		resp, err := s.client.Get(ctx, start, ropts...)
		if err != nil {
			return nil, s.listError(err, opts, rev)
		}
		if rev == 0 {
			rev = resp.Header.Revision
		}
		for i, kv := range resp.Kvs {
			obj, err := s.Decode(kv.Value, kv.ModRevision)
			if err != nil {
				return nil, err
			}
			if opts.Predicate != nil && !opts.Predicate(obj) {
				continue
			}
			res.Items = append(res.Items, obj)
			if opts.Limit > 0 && int64(len(res.Items)) == opts.Limit {
				more := resp.More || i < len(resp.Kvs)-1
				if more {
					next := string(kv.Key) + "\x00"
					if res.Continue, err = EncodeContinue(strings.TrimPrefix(next, base), rev); err != nil {
						return nil, err
					}
					if opts.Predicate == nil {
						remaining := resp.Count - int64(i+1)
						res.RemainingItemCount = &remaining
					}
				}
				res.ResourceVersion = strconv.FormatInt(rev, 10)
				return res, nil
			}
		}
		if !resp.More || len(resp.Kvs) == 0 {
			break
		}
		start = string(resp.Kvs[len(resp.Kvs)-1].Key) + "\x00"
		if pageSize < 10000 {
			pageSize *= 2 // the predicate filtered items out: read larger pages
		}
	}
	res.ResourceVersion = strconv.FormatInt(rev, 10)
	return res, nil
}

// listError maps a compacted revision to 410 Gone.
func (s *Store) listError(err error, opts storage.ListOptions, rev int64) error {
	if !errors.Is(err, rpctypes.ErrCompacted) {
		return fmt.Errorf("list %s: %w", s.QualifiedResource(), err)
	}
	if opts.Continue != "" {
		return apierrors.NewGone("The provided continue parameter is too old to display a consistent list result. " +
			"You can start a new list without the continue parameter.")
	}
	return apierrors.NewGone(fmt.Sprintf("too old resource version: %d", rev))
}
