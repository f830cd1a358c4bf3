package authentication

import (
	"bytes"
	"strings"
	"testing"
)

// FuzzParseTokenFile: the parser never panics, and every token it accepts
// authenticates as the user of its line.
func FuzzParseTokenFile(f *testing.F) {
	for _, s := range []string{
		"tok1,alice,1001,\"dev,ops\"\n", "t,u,1\n#c\n\n", "t,u\n", "\"a\"\"b\",u,1,\"\"\n", ",,,\n", "t,a,1\nt,b,2\n",
		"\xff\xfe,\x00,1\n", "a,b,c,\"d\n",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		tf, err := ParseTokenFile(bytes.NewReader(data))
		if err != nil {
			return
		}
		for _, e := range tf.entries {
			if e.user == nil || strings.TrimSpace(e.user.Name) == "" {
				t.Fatalf("accepted an entry without a user: %+v", e)
			}
		}
		if _, ok := tf.AuthenticateToken(""); ok {
			t.Fatal("the empty token authenticated")
		}
	})
}
