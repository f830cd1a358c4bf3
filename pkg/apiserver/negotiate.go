package apiserver

import (
	"fmt"
	"mime"
	"net/http"
	"strings"

	apierrors "github.com/tinykube/tinykube/pkg/api/errors"
)

// checkAccept answers 406 unless the Accept header admits plain JSON (the
// only encoding served; Table output comes with kubectl compatibility).
func checkAccept(req *http.Request) error {
	accept := req.Header.Get("Accept")
	switch accept {
	case "", "application/json", "*/*", "application/json, */*":
		return nil // what clients send most, accepted below too
	}
	for _, part := range strings.Split(accept, ",") {
		mt, params, err := mime.ParseMediaType(strings.TrimSpace(part))
		if err != nil {
			continue
		}
		if _, ok := params["as"]; ok {
			continue // a Table or other view: not served yet
		}
		switch mt {
		case "application/json", "application/*", "*/*", "application/json;stream=watch":
			return nil
		}
	}
	return apierrors.NewNotAcceptable(fmt.Sprintf(
		"only the following media types are accepted: application/json (got %q)", accept))
}
