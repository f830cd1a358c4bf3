package storage

import (
	"testing"

	"github.com/tinykube/tinykube/pkg/api/meta"
)

func TestFilterEvent(t *testing.T) {
	tests := []struct {
		name          string
		typ           EventType
		prev, cur     bool
		want          EventType
		usePrev, send bool
	}{
		{"added matching", meta.Added, false, true, meta.Added, false, true},
		{"added not matching", meta.Added, false, false, "", false, false},
		{"modified both", meta.Modified, true, true, meta.Modified, false, true},
		{"modified starts matching", meta.Modified, false, true, meta.Added, false, true},
		{"modified stops matching", meta.Modified, true, false, meta.Deleted, true, true},
		{"modified neither", meta.Modified, false, false, "", false, false},
		{"deleted matching", meta.Deleted, true, false, meta.Deleted, true, true},
		{"deleted not matching", meta.Deleted, false, false, meta.Deleted, true, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, usePrev, send := FilterEvent(tt.typ, tt.prev, tt.cur)
			if send != tt.send || (send && (got != tt.want || usePrev != tt.usePrev)) {
				t.Fatalf("FilterEvent(%s,%v,%v) = %q,%v,%v; want %q,%v,%v",
					tt.typ, tt.prev, tt.cur, got, usePrev, send, tt.want, tt.usePrev, tt.send)
			}
		})
	}
}

type testObj struct {
	meta.TypeMeta   `json:",inline"`
	meta.ObjectMeta `json:"metadata,omitempty"`
	Value           int `json:"value"`
}

func TestCachedObjectEncodesOnce(t *testing.T) {
	o := &testObj{ObjectMeta: meta.ObjectMeta{Name: "a", ResourceVersion: "5"}, Value: 1}
	c := NewCachedObject(o)
	b1, err := c.JSON()
	if err != nil {
		t.Fatal(err)
	}
	o.Value = 2 // a mutation after the first encoding is not seen: the bytes are cached
	b2, _ := c.JSON()
	if string(b1) != string(b2) || string(b1) != `{"metadata":{"name":"a","resourceVersion":"5","creationTimestamp":null},"value":1}` {
		t.Fatalf("got %s then %s", b1, b2)
	}
}
