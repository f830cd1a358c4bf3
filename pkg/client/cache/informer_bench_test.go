package cache

import (
	"context"
	"fmt"
	"testing"
)

// BenchmarkInformerStoreUpdate is the informer's part of one watch MODIFIED
// event: the cache write (namespace and field indexes) and the hand-off to a
// handler's goroutine. One op is one event.
func BenchmarkInformerStoreUpdate(b *testing.B) {
	const n = 5000
	ctx, cancel := context.WithCancel(context.Background())
	s := NewSharedIndexInformer[*testObj](nil, InformerOptions[*testObj]{Indexers: Indexers[*testObj]{
		NamespaceIndex: MetaNamespaceIndexFunc[*testObj],
		NodeNameIndex:  FieldIndexFunc(func(o *testObj) string { return o.Value }),
	}}).(*sharedIndexInformer[*testObj])
	s.runCtx = ctx
	done := make(chan struct{}, 1)
	var seen int
	if _, err := s.AddEventHandler(ResourceEventHandlerFuncs[*testObj]{UpdateFunc: func(_, _ *testObj) {
		if seen++; seen == b.N {
			done <- struct{}{}
		}
	}}); err != nil {
		b.Fatal(err)
	}
	var versions [2][]*testObj
	for v := range versions {
		for i := range n {
			o := obj("default", fmt.Sprint("pod-", i), fmt.Sprint("node-", i%500))
			o.ResourceVersion = fmt.Sprint(v)
			versions[v] = append(versions[v], o)
		}
	}
	st := informerStore[*testObj]{s}
	if err := st.Replace(versions[1], "1"); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := range b.N {
		if err := st.Update(versions[(i/n)%2][i%n]); err != nil {
			b.Fatal(err)
		}
	}
	<-done
	b.StopTimer()
	cancel()
	s.wg.Wait()
}
