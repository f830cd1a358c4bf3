package meta

import (
	"encoding/json"
	"reflect"
	"sync"
	"testing"
	"time"
)

type node struct {
	Name     string
	Next     *node
	Children []*node
	Labels   map[string]string
	Extra    any
	Raw      json.RawMessage
	When     Time
	Arr      [2][]int
}

type withHidden struct {
	Visible []int
	hidden  *int
}

type selfCopying struct {
	p *int
}

func (s selfCopying) DeepCopy() selfCopying {
	if s.p == nil {
		return s
	}
	v := *s.p
	return selfCopying{p: &v}
}

func TestDeepCopyIsIndependent(t *testing.T) {
	in := &node{
		Name:     "a",
		Next:     &node{Name: "b"},
		Children: []*node{{Name: "c", Labels: map[string]string{"k": "v"}}},
		Labels:   map[string]string{"x": "y"},
		Extra:    map[string]any{"n": []any{1.0, "s"}},
		Raw:      json.RawMessage(`{"a":1}`),
		When:     Time{time.Date(2026, 1, 2, 3, 4, 5, 6, time.UTC)},
		Arr:      [2][]int{{1}, {2, 3}},
	}
	in.Next.Next = in.Next // cycles are not API values, but self-reference through the type is
	in.Next.Next = nil
	out := DeepCopy(in)
	if !reflect.DeepEqual(in, out) {
		t.Fatalf("copy differs:\n%+v\n%+v", in, out)
	}
	if out == in || out.Next == in.Next || out.Children[0] == in.Children[0] {
		t.Fatal("pointers shared")
	}
	out.Labels["x"] = "changed"
	out.Children[0].Labels["k"] = "changed"
	out.Extra.(map[string]any)["n"].([]any)[0] = 2.0
	out.Raw[2] = 'b'
	out.Arr[1][0] = 9
	if in.Labels["x"] != "y" || in.Children[0].Labels["k"] != "v" || in.Extra.(map[string]any)["n"].([]any)[0] != 1.0 ||
		string(in.Raw) != `{"a":1}` || in.Arr[1][0] != 2 {
		t.Fatalf("mutating the copy changed the original: %+v", in)
	}
}

func TestDeepCopyKeepsNilAndEmpty(t *testing.T) {
	type s struct {
		NilSlice   []string
		EmptySlice []string
		NilMap     map[string]int
		EmptyMap   map[string]int
		NilPtr     *int
		NilIface   any
	}
	out := DeepCopy(s{EmptySlice: []string{}, EmptyMap: map[string]int{}})
	if out.NilSlice != nil || out.EmptySlice == nil || out.NilMap != nil || out.EmptyMap == nil || out.NilPtr != nil || out.NilIface != nil {
		t.Fatalf("nil/empty not preserved: %#v", out)
	}
}

func TestDeepCopyInterfaceAndMethod(t *testing.T) {
	v := 5
	var o any = &selfCopying{p: &v}
	c := DeepCopy(o).(*selfCopying)
	*c.p = 6
	if v != 5 {
		t.Fatal("DeepCopy method not used: unexported pointer shared")
	}
	if DeepCopy[any](nil) != nil {
		t.Fatal("nil interface copied to non-nil")
	}
}

func TestDeepCopyRefusesHiddenReferences(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Fatal("expected a panic for an unexported pointer field without a DeepCopy method")
		}
	}()
	DeepCopy(withHidden{Visible: []int{1}})
}

// A recursive type whose plan nobody has built yet, for the race below.
type racyTree struct {
	Name     string
	Children []*racyTree
	Attrs    map[string][]string
	Next     *racyTree
}

// The first copies of a recursive type, from many goroutines at once, all
// succeed: no goroutine may run the forwarding plan that stands in for the
// type while it is built (it panicked on a nil plan, one create in 20 in
// the apiserver at start).
func TestDeepCopyFirstUseFromManyGoroutines(t *testing.T) {
	in := &racyTree{Name: "root", Children: []*racyTree{{Name: "a", Attrs: map[string][]string{"k": {"v"}}}}, Next: &racyTree{Name: "n"}}
	start := make(chan struct{})
	var wg sync.WaitGroup
	for range 16 {
		wg.Go(func() {
			<-start
			out := DeepCopy(in)
			if out == in || out.Children[0] == in.Children[0] || out.Next == in.Next || out.Children[0].Attrs["k"][0] != "v" {
				t.Error("not a deep copy")
			}
		})
	}
	close(start)
	wg.Wait()
}
