package authentication

import (
	"crypto/sha256"
	"crypto/subtle"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"

	"github.com/tinykube/tinykube/pkg/apiserver/authentication/user"
)

// ErrInvalidToken is returned for a bearer token no entry matches.
var ErrInvalidToken = errors.New("invalid bearer token")

// tokenEntry is one line of a token file; only the token's digest is kept,
// so that comparisons take the same time whatever the token's length.
type tokenEntry struct {
	digest [sha256.Size]byte
	user   *user.Info
}

// TokenFile authenticates bearer tokens listed in a CSV file in
// kube-apiserver's format: token,user,uid[,"group1,group2"] per line.
type TokenFile struct {
	entries []tokenEntry
}

// NewTokenFileFromPath reads and parses a token file.
func NewTokenFileFromPath(path string) (*TokenFile, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("token file: %w", err)
	}
	defer f.Close()
	tf, err := ParseTokenFile(f)
	if err != nil {
		return nil, fmt.Errorf("token file %s: %w", path, err)
	}
	return tf, nil
}

// ParseTokenFile parses token file content. Blank lines and lines starting
// with '#' are skipped; a line needs at least token, user and uid; a token
// may appear only once.
func ParseTokenFile(r io.Reader) (*TokenFile, error) {
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = -1
	cr.TrimLeadingSpace = true
	cr.Comment = '#'
	tf := &TokenFile{}
	seen := map[[sha256.Size]byte]int{}
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			return tf, nil
		}
		if err != nil {
			return nil, fmt.Errorf("parse: %w", err)
		}
		line, _ := cr.FieldPos(0)
		e, err := parseTokenRecord(rec)
		if err != nil {
			return nil, fmt.Errorf("line %d: %w", line, err)
		}
		if prev, dup := seen[e.digest]; dup {
			return nil, fmt.Errorf("line %d: duplicate token (first on line %d)", line, prev)
		}
		seen[e.digest] = line
		tf.entries = append(tf.entries, e)
	}
}

func parseTokenRecord(rec []string) (tokenEntry, error) {
	if len(rec) < 3 {
		return tokenEntry{}, fmt.Errorf("need at least 3 columns (token,user,uid), got %d", len(rec))
	}
	token, name, uid := strings.TrimSpace(rec[0]), strings.TrimSpace(rec[1]), strings.TrimSpace(rec[2])
	if token == "" {
		return tokenEntry{}, errors.New("empty token")
	}
	if name == "" {
		return tokenEntry{}, errors.New("empty user name")
	}
	u := &user.Info{Name: name, UID: uid}
	if len(rec) >= 4 {
		for _, g := range strings.Split(rec[3], ",") {
			if g = strings.TrimSpace(g); g != "" {
				u.Groups = append(u.Groups, g)
			}
		}
	}
	return tokenEntry{digest: sha256.Sum256([]byte(token)), user: u}, nil
}

// Len is the number of tokens.
func (tf *TokenFile) Len() int { return len(tf.entries) }

// AuthenticateToken finds the user of token. Every entry is compared, in
// constant time, so the answer's timing says nothing about which bytes or
// which entry matched.
func (tf *TokenFile) AuthenticateToken(token string) (*user.Info, bool) {
	d := sha256.Sum256([]byte(token))
	var found *user.Info
	for i := range tf.entries {
		if subtle.ConstantTimeCompare(d[:], tf.entries[i].digest[:]) == 1 {
			found = tf.entries[i].user
		}
	}
	if found == nil {
		return nil, false
	}
	cp := *found
	cp.Groups = append([]string(nil), found.Groups...)
	return &cp, true
}

// AuthenticateRequest implements Request for "Authorization: Bearer <token>".
func (tf *TokenFile) AuthenticateRequest(req *http.Request) (*user.Info, bool, error) {
	token, ok := BearerToken(req)
	if !ok {
		return nil, false, nil
	}
	u, ok := tf.AuthenticateToken(token)
	if !ok {
		return nil, false, ErrInvalidToken
	}
	return u, true, nil
}

// BearerToken returns the token of an "Authorization: Bearer" header.
func BearerToken(req *http.Request) (string, bool) {
	h := strings.TrimSpace(req.Header.Get("Authorization"))
	scheme, token, found := strings.Cut(h, " ")
	if !found || !strings.EqualFold(scheme, "bearer") {
		return "", false
	}
	token = strings.TrimSpace(token)
	return token, token != ""
}
