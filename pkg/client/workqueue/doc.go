// Package workqueue holds the queues controllers pull work from: a
// de-duplicating FIFO (Interface) that never hands one item to two workers at
// once, a delaying queue (DelayingInterface) and a rate-limited queue
// (RateLimitingInterface) with per-item exponential back-off and an overall
// token bucket.
//
// The usual worker loop is:
//
//	for {
//		key, shutdown := q.Get()
//		if shutdown {
//			return
//		}
//		err := sync(ctx, key)
//		if err == nil {
//			q.Forget(key)
//		} else {
//			q.AddRateLimited(key)
//		}
//		q.Done(key)
//	}
//
// Get and Done must be paired: an item handed out by Get stays in the
// processing set until Done, and an Add of it meanwhile is remembered (dirty)
// and queued again by Done.
package workqueue
