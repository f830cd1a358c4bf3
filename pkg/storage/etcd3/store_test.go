package etcd3

import (
	"strings"
	"testing"

	apierrors "github.com/tinykube/tinykube/pkg/api/errors"
	"github.com/tinykube/tinykube/pkg/api/meta"
	"github.com/tinykube/tinykube/pkg/storage"
)

type widget struct {
	meta.TypeMeta   `json:",inline"`
	meta.ObjectMeta `json:"metadata,omitempty"`
	Size            int `json:"size"`
}

func newTestStore() *Store {
	return New(nil, "apps", "widgets", "/registry/", func() meta.Object { return &widget{} }, nil)
}

func TestContinueRoundTrip(t *testing.T) {
	tok, err := EncodeContinue("ns/b\x00", 42)
	if err != nil {
		t.Fatal(err)
	}
	key, rev, err := DecodeContinue(tok)
	if err != nil || key != "ns/b\x00" || rev != 42 {
		t.Fatalf("DecodeContinue = %q, %d, %v", key, rev, err)
	}
}

func TestDecodeContinueRejects(t *testing.T) {
	bad, _ := EncodeContinue("../x", 3)
	zero, _ := EncodeContinue("a", 0)
	for _, tok := range []string{"!!", "eyJ9", bad, zero} {
		if _, _, err := DecodeContinue(tok); !apierrors.IsBadRequest(err) {
			t.Errorf("DecodeContinue(%q) = %v, want BadRequest", tok, err)
		}
	}
}

func TestKeysAndNames(t *testing.T) {
	s := newTestStore()
	if got := s.EtcdKey("/widgets/ns/a"); got != "/registry/widgets/ns/a" {
		t.Errorf("EtcdKey = %q", got)
	}
	if got := s.EtcdKey("widgets/"); got != "/registry/widgets/" {
		t.Errorf("EtcdKey prefix = %q", got)
	}
	if got := nameOf("/widgets/ns/a"); got != "a" {
		t.Errorf("nameOf = %q", got)
	}
	if got := s.QualifiedResource(); got != "widgets.apps" {
		t.Errorf("QualifiedResource = %q", got)
	}
}

func TestEncodeDropsResourceVersion(t *testing.T) {
	s := newTestStore()
	w := &widget{ObjectMeta: meta.ObjectMeta{Name: "a", ResourceVersion: "7"}, Size: 3}
	data, err := encode(w)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(data), "resourceVersion") || w.ResourceVersion != "7" {
		t.Fatalf("encode = %s (object rv %q)", data, w.ResourceVersion)
	}
	obj, err := s.Decode(data, 12)
	if err != nil || obj.GetObjectMeta().ResourceVersion != "12" || obj.(*widget).Size != 3 {
		t.Fatalf("Decode = %+v, %v", obj, err)
	}
}

func TestCheckPreconditions(t *testing.T) {
	obj := &widget{ObjectMeta: meta.ObjectMeta{UID: "u1", ResourceVersion: "5"}}
	tests := []struct {
		name string
		p    *meta.Preconditions
		ok   bool
	}{
		{"none", nil, true},
		{"uid match", &meta.Preconditions{UID: meta.Ptr("u1")}, true},
		{"uid mismatch", &meta.Preconditions{UID: meta.Ptr("u2")}, false},
		{"rv match", &meta.Preconditions{ResourceVersion: meta.Ptr("5")}, true},
		{"rv mismatch", &meta.Preconditions{ResourceVersion: meta.Ptr("4")}, false},
	}
	for _, tt := range tests {
		if err := checkPreconditions(tt.p, obj); (err == nil) != tt.ok {
			t.Errorf("%s: err = %v", tt.name, err)
		}
	}
}

func TestPlanList(t *testing.T) {
	s := newTestStore()
	tok, _ := EncodeContinue("ns/b\x00", 9)
	tests := []struct {
		name      string
		opts      storage.ListOptions
		wantStart string
		wantRev   int64
		wantErr   bool
	}{
		{"latest", storage.ListOptions{}, "/registry/widgets/", 0, false},
		{"not older than", storage.ListOptions{ResourceVersion: "5"}, "/registry/widgets/", 0, false},
		{"exact", storage.ListOptions{ResourceVersion: "5", ResourceVersionMatch: meta.ResourceVersionMatchExact}, "/registry/widgets/", 5, false},
		{"exact zero", storage.ListOptions{ResourceVersion: "0", ResourceVersionMatch: meta.ResourceVersionMatchExact}, "", 0, true},
		{"continue", storage.ListOptions{Continue: tok}, "/registry/widgets/ns/b\x00", 9, false},
		{"bad rv", storage.ListOptions{ResourceVersion: "x"}, "", 0, true},
	}
	for _, tt := range tests {
		p, err := s.planList("/widgets/", tt.opts)
		if (err != nil) != tt.wantErr || (!tt.wantErr && (p.start != tt.wantStart || p.rev != tt.wantRev)) {
			t.Errorf("%s: plan = %+v, %v", tt.name, p, err)
		}
	}
}
