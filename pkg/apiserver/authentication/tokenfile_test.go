package authentication

import (
	"errors"
	"net/http"
	"reflect"
	"strings"
	"testing"

	"github.com/tinykube/tinykube/pkg/apiserver/authentication/user"
)

func TestParseTokenFile(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		wantErr string
		check   map[string]*user.Info
	}{
		{name: "kubernetes format", in: "tok1,alice,1001,\"dev,ops\"\ntok2,bob,1002\n",
			check: map[string]*user.Info{
				"tok1": {Name: "alice", UID: "1001", Groups: []string{"dev", "ops"}},
				"tok2": {Name: "bob", UID: "1002"},
			}},
		{name: "comments blank lines and spaces", in: "# a comment\n\n tok3, carol , 7, \"g1, g2\"\n",
			check: map[string]*user.Info{"tok3": {Name: "carol", UID: "7", Groups: []string{"g1", "g2"}}}},
		{name: "single group unquoted", in: "t,system:kube-scheduler,s,system:masters\n",
			check: map[string]*user.Info{"t": {Name: "system:kube-scheduler", UID: "s", Groups: []string{"system:masters"}}}},
		{name: "extra columns ignored", in: "t,u,1,g,extra\n", check: map[string]*user.Info{"t": {Name: "u", UID: "1", Groups: []string{"g"}}}},
		{name: "too few columns", in: "tok,alice\n", wantErr: "line 1: need at least 3 columns"},
		{name: "empty token", in: ",alice,1\n", wantErr: "empty token"},
		{name: "empty user", in: "t,,1\n", wantErr: "empty user name"},
		{name: "duplicate token", in: "t,a,1\nt,b,2\n", wantErr: "line 2: duplicate token (first on line 1)"},
		{name: "bad quoting", in: "t,a,1,\"g\n", wantErr: "parse"},
		{name: "empty file", in: "", check: map[string]*user.Info{}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tf, err := ParseTokenFile(strings.NewReader(tc.in))
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("err = %v, want %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if tf.Len() != len(tc.check) {
				t.Fatalf("Len = %d, want %d", tf.Len(), len(tc.check))
			}
			for tok, want := range tc.check {
				got, ok := tf.AuthenticateToken(tok)
				if !ok || !reflect.DeepEqual(got, want) {
					t.Errorf("token %q: got %+v %v, want %+v", tok, got, ok, want)
				}
			}
			if _, ok := tf.AuthenticateToken("not-a-token"); ok {
				t.Error("unknown token authenticated")
			}
		})
	}
}

func TestTokenFileAuthenticateRequest(t *testing.T) {
	tf, err := ParseTokenFile(strings.NewReader("secret,alice,1,dev\n"))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		header string
		ok     bool
		err    error
	}{
		{"", false, nil},
		{"Basic abc", false, nil},
		{"Bearer", false, nil},
		{"Bearer ", false, nil},
		{"Bearer secret", true, nil},
		{"bearer secret", true, nil},
		{"Bearer secre", false, ErrInvalidToken},
		{"Bearer secretx", false, ErrInvalidToken},
	}
	for _, tc := range tests {
		req, _ := http.NewRequest(http.MethodGet, "/api", nil)
		if tc.header != "" {
			req.Header.Set("Authorization", tc.header)
		}
		u, ok, err := tf.AuthenticateRequest(req)
		if ok != tc.ok || !errors.Is(err, tc.err) && !(err == nil && tc.err == nil) {
			t.Errorf("%q: ok=%v err=%v, want ok=%v err=%v", tc.header, ok, err, tc.ok, tc.err)
		}
		if ok && u.Name != "alice" {
			t.Errorf("%q: user %q", tc.header, u.Name)
		}
	}
}

func TestAuthenticatedTokenIsACopy(t *testing.T) {
	tf, _ := ParseTokenFile(strings.NewReader("t,alice,1,dev\n"))
	u, _ := tf.AuthenticateToken("t")
	u.Groups[0] = "system:masters"
	u2, _ := tf.AuthenticateToken("t")
	if u2.Groups[0] != "dev" {
		t.Fatalf("caller changed the stored groups: %v", u2.Groups)
	}
}

func TestUnionAndAuthenticatedGroup(t *testing.T) {
	fail := RequestFunc(func(*http.Request) (*user.Info, bool, error) { return nil, false, errors.New("bad cert") })
	none := RequestFunc(func(*http.Request) (*user.Info, bool, error) { return nil, false, nil })
	bob := RequestFunc(func(*http.Request) (*user.Info, bool, error) { return &user.Info{Name: "bob"}, true, nil })
	req, _ := http.NewRequest(http.MethodGet, "/", nil)
	if u, ok, err := (Union{fail, bob}).AuthenticateRequest(req); !ok || err != nil || u.Name != "bob" {
		t.Errorf("fail,bob: %v %v %v", u, ok, err)
	}
	if _, ok, err := (Union{none, fail}).AuthenticateRequest(req); ok || err == nil {
		t.Errorf("none,fail: ok=%v err=%v, want an error", ok, err)
	}
	if _, ok, err := (Union{none}).AuthenticateRequest(req); ok || err != nil {
		t.Errorf("none: ok=%v err=%v", ok, err)
	}
	u := WithAuthenticatedGroup(&user.Info{Name: "bob", Groups: []string{"dev"}})
	if !reflect.DeepEqual(u.Groups, []string{"dev", user.AllAuthenticated}) {
		t.Errorf("groups %v", u.Groups)
	}
	if a := WithAuthenticatedGroup(user.AnonymousUser()); a.InGroup(user.AllAuthenticated) {
		t.Error("anonymous got system:authenticated")
	}
}
