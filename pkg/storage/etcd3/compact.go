package etcd3

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"go.etcd.io/etcd/api/v3/v3rpc/rpctypes"
	clientv3 "go.etcd.io/etcd/client/v3"
	"go.uber.org/zap"

	"github.com/tinykube/tinykube/pkg/storage/metrics"
)

// CompactRevKey is the etcd key through which apiservers sharing one etcd
// agree on who compacts: its version counts the compactions started.
const CompactRevKey = "compact_rev_key"

// Compactor compacts etcd history every interval to the revision observed at
// the previous tick, so at least one interval of history always remains for
// watches to resume from. Several compactors (one per apiserver) coordinate
// through CompactRevKey: a tick compacts only if no other compactor moved
// the key since this one last saw it, so one compaction happens per interval.
type Compactor struct {
	client   *clientv3.Client
	interval time.Duration
	log      *zap.Logger

	// version and rev are the key's version and etcd's revision seen at the
	// previous tick; they are touched only by Run's goroutine.
	version int64
	rev     int64
}

// NewCompactor returns a compactor; interval 0 disables it (Run returns at once).
func NewCompactor(client *clientv3.Client, interval time.Duration, log *zap.Logger) *Compactor {
	if log == nil {
		log = zap.NewNop()
	}
	return &Compactor{client: client, interval: interval, log: log.Named("compactor")}
}

// Run compacts every interval until ctx ends.
func (c *Compactor) Run(ctx context.Context) {
	if c.interval <= 0 {
		return
	}
	t := time.NewTicker(c.interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if err := c.Tick(ctx); err != nil && ctx.Err() == nil {
				c.log.Warn("compaction failed", zap.Error(err))
			}
		}
	}
}

// Tick runs one round: claim the interval through CompactRevKey and, if
// claimed, compact to the revision seen at the previous round. Exported so
// tests can drive rounds without waiting for the interval.
func (c *Compactor) Tick(ctx context.Context) error {
	resp, err := c.client.Txn(ctx).
		If(clientv3.Compare(clientv3.Version(CompactRevKey), "=", c.version)).
		Then(clientv3.OpPut(CompactRevKey, strconv.FormatInt(c.rev, 10))).
		Else(clientv3.OpGet(CompactRevKey)).
		Commit()
	if err != nil {
		return fmt.Errorf("claim compaction: %w", err)
	}
	prevRev := c.rev
	c.rev = resp.Header.Revision
	if !resp.Succeeded {
		// Another apiserver compacted in this interval; follow its version.
		c.version = versionOf(resp)
		return nil
	}
	c.version++
	if prevRev == 0 {
		return nil // first round: nothing observed yet to compact to
	}
	start := time.Now()
	_, err = c.client.Compact(ctx, prevRev)
	metrics.ObserveEtcd("compact", "", start)
	if err != nil && !errors.Is(err, rpctypes.ErrCompacted) {
		return fmt.Errorf("compact to %d: %w", prevRev, err)
	}
	c.log.Info("compacted etcd history", zap.Int64("revision", prevRev))
	return nil
}

func versionOf(resp *clientv3.TxnResponse) int64 {
	rr := resp.Responses[0].GetResponseRange()
	if rr == nil || len(rr.Kvs) == 0 {
		return 0
	}
	return rr.Kvs[0].Version
}
