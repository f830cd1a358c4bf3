package record

import (
	"container/list"
	"strconv"
	"strings"
	"time"

	"github.com/tinykube/tinykube/pkg/api/core"
	"github.com/tinykube/tinykube/pkg/api/meta"
)

// The correlator's defaults are client-go's (tools/record/events_cache.go).
const (
	// MaxCacheEntries bounds each of the correlator's caches (least
	// recently used entries go first).
	MaxCacheEntries = 4096

	// AggregateMaxEvents similar events (differing only in their message)
	// within AggregateInterval of each other make an aggregate event.
	AggregateMaxEvents = 10
	AggregateInterval  = 10 * time.Minute

	// AggregatePrefix starts the message of an aggregate event.
	AggregatePrefix = "(combined from similar events): "

	// SpamBurst events about one object from one source pass at once; the
	// bucket then refills with one event per SpamRefill, so an object that
	// is always failing does not post forever.
	SpamBurst  = 25
	SpamRefill = 5 * time.Minute
)

// eventKeys are the cache keys of an event, each a prefix of the next:
// spam (source, object, type), aggregate (+ reason, reporting controller
// and instance) and event (+ field path and message: identical events).
// Fields are separated by NUL, which none of them holds in practice.
type eventKeys struct {
	spam, aggregate, event string
}

func keysOf(ev *core.Event) eventKeys {
	ref := &ev.InvolvedObject
	var b strings.Builder
	b.Grow(len(ev.Source.Component) + len(ev.Source.Host) + len(ref.Kind) + len(ref.Namespace) + len(ref.Name) +
		len(ref.UID) + len(ref.APIVersion) + len(ev.Type) + len(ev.Reason) + len(ev.ReportingController) +
		len(ev.ReportingInstance) + len(ref.FieldPath) + len(ev.Message) + 12)
	field := func(s string) {
		if b.Len() > 0 {
			b.WriteByte(0)
		}
		b.WriteString(s)
	}
	for _, s := range [...]string{ev.Source.Component, ev.Source.Host, ref.Kind, ref.Namespace, ref.Name,
		ref.UID, ref.APIVersion, ev.Type} {
		field(s)
	}
	spam := b.Len()
	field(ev.Reason)
	field(ev.ReportingController)
	field(ev.ReportingInstance)
	aggregate := b.Len()
	field(ref.FieldPath)
	field(ev.Message)
	all := b.String()
	return eventKeys{spam: all[:spam], aggregate: all[:aggregate], event: all}
}

// aggregateRecord is what the correlator knows of the similar events of
// one aggregate key: the distinct messages seen (at most
// AggregateMaxEvents-1 kept, oldest first) and when the last came.
type aggregateRecord struct {
	messages []string
	last     time.Time
}

// observation is the event last written for a key: its name (the one
// that later repeats update), first time and count.
type observation struct {
	name  string
	first meta.Time
	count int32
}

// tokenBucket holds up to SpamBurst tokens and gains one per SpamRefill.
type tokenBucket struct {
	tokens float64
	last   time.Time
}

func newTokenBucket(now time.Time) *tokenBucket {
	return &tokenBucket{tokens: SpamBurst, last: now}
}

// take takes a token at now if there is one.
func (b *tokenBucket) take(now time.Time) bool {
	if elapsed := now.Sub(b.last); elapsed > 0 {
		b.tokens = min(SpamBurst, b.tokens+float64(elapsed)/float64(SpamRefill))
		b.last = now
	}
	if b.tokens < 1 {
		return false
	}
	b.tokens--
	return true
}

// correlator decides what to write for each event, as client-go's
// EventCorrelator does: aggregate similar events, count identical ones
// onto the event already written, and filter a source's spam about an
// object. It does no I/O and reads no clock (callers pass now); it is not
// safe for concurrent use (the Recorder's Run goroutine owns it).
type correlator struct {
	aggregates   *lru[*aggregateRecord]
	observations *lru[observation]
	spam         *lru[*tokenBucket]
}

func newCorrelator(size int) *correlator {
	return &correlator{
		aggregates:   newLRU[*aggregateRecord](size),
		observations: newLRU[observation](size),
		spam:         newLRU[*tokenBucket](size),
	}
}

// correlation is the correlator's answer for one event.
type correlation struct {
	// event is what to write: the event itself, or an aggregate of it,
	// and for a repeat the name, first time and count of the event
	// written first.
	event *core.Event
	// update: event repeats one already written; update its count, last
	// time and message (or create it if it is gone).
	update bool
	// skip: the spam filter dropped the event.
	skip bool
}

// correlate decides, at now, what to write for ev. It may change ev.
func (c *correlator) correlate(ev *core.Event, now time.Time) correlation {
	keys := keysOf(ev)
	ev, key := c.aggregate(ev, keys, now)
	update := c.observe(ev, key)
	// The spam filter sees every event (client-go's order): an object
	// that keeps failing the same way is counted, and then throttled.
	bucket, ok := c.spam.get(keys.spam)
	if !ok {
		bucket = newTokenBucket(now)
		c.spam.add(keys.spam, bucket)
	}
	if !bucket.take(now) {
		return correlation{skip: true}
	}
	return correlation{event: ev, update: update}
}

// aggregate records ev among the events similar to it. Below
// AggregateMaxEvents distinct messages within AggregateInterval it returns
// ev and its identity key; from then on, an aggregate event (whose message
// is AggregatePrefix and ev's) and the aggregate key, so that later
// similar events count onto that one aggregate.
func (c *correlator) aggregate(ev *core.Event, keys eventKeys, now time.Time) (*core.Event, string) {
	rec, ok := c.aggregates.get(keys.aggregate)
	if !ok || now.Sub(rec.last) > AggregateInterval {
		rec = &aggregateRecord{}
		c.aggregates.add(keys.aggregate, rec)
	}
	rec.last = now
	seen := false
	for _, m := range rec.messages {
		if m == ev.Message {
			seen = true
			break
		}
	}
	if seen || len(rec.messages)+1 < AggregateMaxEvents {
		if !seen {
			rec.messages = append(rec.messages, ev.Message)
		}
		return ev, keys.event
	}
	// The new message is the AggregateMaxEvents-th: aggregate, and keep
	// the set one short of the threshold (forget the oldest) so that each
	// further new message aggregates too.
	rec.messages = append(rec.messages[1:], ev.Message)
	t := meta.NewTime(now.UTC().Truncate(time.Second))
	agg := &core.Event{
		ObjectMeta: meta.ObjectMeta{
			Name:      ev.InvolvedObject.Name + "." + strconv.FormatInt(now.UnixNano(), 16),
			Namespace: ev.Namespace,
		},
		InvolvedObject: ev.InvolvedObject,
		Reason:         ev.Reason,
		Message:        AggregatePrefix + ev.Message,
		Source:         ev.Source,
		FirstTimestamp: t, LastTimestamp: t, Count: 1,
		Type:                ev.Type,
		ReportingController: ev.ReportingController,
		ReportingInstance:   ev.ReportingInstance,
	}
	return agg, keys.aggregate
}

// observe records ev under key. When an event was written under key
// before, ev takes its name, first time and count+1, and observe reports
// that ev updates it.
func (c *correlator) observe(ev *core.Event, key string) bool {
	prev, ok := c.observations.get(key)
	if ok {
		ev.Name, ev.FirstTimestamp, ev.Count = prev.name, prev.first, prev.count+1
	}
	c.observations.add(key, observation{name: ev.Name, first: ev.FirstTimestamp, count: ev.Count})
	return ok
}

// lru is a map of at most max entries that drops the least recently used
// (read or written) entry to make room.
type lru[V any] struct {
	max   int
	order list.List // of *lruEntry[V], most recent first
	items map[string]*list.Element
}

type lruEntry[V any] struct {
	key   string
	value V
}

func newLRU[V any](max int) *lru[V] {
	return &lru[V]{max: max, items: make(map[string]*list.Element)}
}

func (l *lru[V]) get(key string) (V, bool) {
	e, ok := l.items[key]
	if !ok {
		var zero V
		return zero, false
	}
	l.order.MoveToFront(e)
	return e.Value.(*lruEntry[V]).value, true
}

func (l *lru[V]) add(key string, v V) {
	if e, ok := l.items[key]; ok {
		e.Value.(*lruEntry[V]).value = v
		l.order.MoveToFront(e)
		return
	}
	if l.order.Len() >= l.max {
		oldest := l.order.Back()
		delete(l.items, oldest.Value.(*lruEntry[V]).key)
		l.order.Remove(oldest)
	}
	l.items[key] = l.order.PushFront(&lruEntry[V]{key: key, value: v})
}

func (l *lru[V]) len() int { return l.order.Len() }
