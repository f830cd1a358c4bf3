package apiserver

import (
	"fmt"
	"net/http"
	"net/url"
	"strconv"

	apierrors "github.com/tinykube/tinykube/pkg/api/errors"
	"github.com/tinykube/tinykube/pkg/api/meta"
)

func boolParam(q url.Values, name string) (bool, error) {
	v := q.Get(name)
	switch v {
	case "", "false", "0":
		return false, nil
	case "true", "1":
		return true, nil
	}
	return false, apierrors.NewBadRequest(fmt.Sprintf("invalid value %q for %s: must be true or false", v, name))
}

func intParam(q url.Values, name string) (*int64, error) {
	v := q.Get(name)
	if v == "" {
		return nil, nil
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil {
		return nil, apierrors.NewBadRequest(fmt.Sprintf("invalid value %q for %s: must be an integer", v, name))
	}
	return &n, nil
}

// parseListOptions reads the query of a LIST or WATCH.
func parseListOptions(q url.Values) (meta.ListOptions, error) {
	var o meta.ListOptions
	var err error
	o.LabelSelector = q.Get("labelSelector")
	o.FieldSelector = q.Get("fieldSelector")
	if o.Watch, err = boolParam(q, "watch"); err != nil {
		return o, err
	}
	if o.AllowWatchBookmarks, err = boolParam(q, "allowWatchBookmarks"); err != nil {
		return o, err
	}
	o.ResourceVersion = q.Get("resourceVersion")
	o.ResourceVersionMatch = q.Get("resourceVersionMatch")
	if o.TimeoutSeconds, err = intParam(q, "timeoutSeconds"); err != nil {
		return o, err
	}
	limit, err := intParam(q, "limit")
	if err != nil {
		return o, err
	}
	if limit != nil {
		o.Limit = capListLimit(*limit)
	}
	o.Continue = q.Get("continue")
	if v := q.Get("sendInitialEvents"); v != "" {
		b, err := boolParam(q, "sendInitialEvents")
		if err != nil {
			return o, err
		}
		o.SendInitialEvents = &b
	}
	return o, validateListOptions(&o)
}

// validateListOptions applies Kubernetes' rules on resourceVersion,
// resourceVersionMatch, limit and continue.
func validateListOptions(o *meta.ListOptions) error {
	if o.ResourceVersion != "" && o.ResourceVersion != "0" {
		if _, err := strconv.ParseUint(o.ResourceVersion, 10, 64); err != nil {
			return apierrors.NewBadRequest(fmt.Sprintf("invalid resource version %q", o.ResourceVersion))
		}
	}
	switch o.ResourceVersionMatch {
	case "":
	case meta.ResourceVersionMatchNotOlderThan, meta.ResourceVersionMatchExact:
		watchList := o.Watch && o.SendInitialEvents != nil && *o.SendInitialEvents &&
			o.ResourceVersionMatch == meta.ResourceVersionMatchNotOlderThan
		if watchList {
			break // a watch-list: initial state, then changes
		}
		if o.Watch {
			return apierrors.NewBadRequest("resourceVersionMatch is forbidden for watch unless sendInitialEvents is true")
		}
		if o.ResourceVersion == "" {
			return apierrors.NewBadRequest("resourceVersionMatch is forbidden unless resourceVersion is provided")
		}
		if o.ResourceVersionMatch == meta.ResourceVersionMatchExact && o.ResourceVersion == "0" {
			return apierrors.NewBadRequest("resourceVersionMatch \"Exact\" is forbidden for resourceVersion \"0\"")
		}
	default:
		return apierrors.NewBadRequest(fmt.Sprintf("unsupported resourceVersionMatch %q", o.ResourceVersionMatch))
	}
	if o.Limit < 0 {
		return apierrors.NewBadRequest("limit must be a non-negative integer")
	}
	if o.Continue != "" && o.ResourceVersion != "" && !o.Watch {
		return apierrors.NewBadRequest("specifying resource version is not allowed when using continue")
	}
	return nil
}

// writeOptions are the query parameters of create, update and patch.
type writeOptions struct {
	DryRun bool
	Strict bool
	Warn   bool // fieldValidation=Warn
}

// fields is the field validation of the write, warning in h.
func (o writeOptions) fields(h http.Header) fieldValidation {
	fv := fieldValidation{strict: o.Strict}
	if o.Warn {
		fv.warnings = h
	}
	return fv
}

func parseWriteOptions(q url.Values) (writeOptions, error) {
	var o writeOptions
	for _, d := range q["dryRun"] {
		if d != "All" {
			return o, apierrors.NewBadRequest(fmt.Sprintf("unsupported dryRun value %q: supported values: \"All\"", d))
		}
		o.DryRun = true
	}
	switch fv := q.Get("fieldValidation"); fv {
	case "", "Ignore":
	case "Warn":
		o.Warn = true
	case "Strict":
		o.Strict = true
	default:
		return o, apierrors.NewBadRequest(fmt.Sprintf("invalid fieldValidation %q: must be Ignore, Warn or Strict", fv))
	}
	return o, nil
}

// parseDeleteOptions reads DeleteOptions from the body (if any), then lets
// query parameters fill what the body left unset.
func parseDeleteOptions(req *http.Request) (*meta.DeleteOptions, error) {
	opts := &meta.DeleteOptions{}
	b, err := readBody(req)
	if err != nil {
		return nil, err
	}
	if len(b) > 0 {
		if err := decodeInto(b, opts, "DeleteOptions"); err != nil {
			return nil, err
		}
	}
	q := req.URL.Query()
	if opts.GracePeriodSeconds == nil {
		if opts.GracePeriodSeconds, err = intParam(q, "gracePeriodSeconds"); err != nil {
			return nil, err
		}
	}
	if opts.PropagationPolicy == nil {
		if p := q.Get("propagationPolicy"); p != "" {
			pp := meta.DeletionPropagation(p)
			opts.PropagationPolicy = &pp
		}
	}
	if opts.OrphanDependents == nil && q.Get("orphanDependents") != "" {
		b, err := boolParam(q, "orphanDependents")
		if err != nil {
			return nil, err
		}
		opts.OrphanDependents = &b
	}
	if len(opts.DryRun) == 0 {
		opts.DryRun = q["dryRun"]
	}
	return opts, validateDeleteOptions(opts)
}

func validateDeleteOptions(o *meta.DeleteOptions) error {
	if o.PropagationPolicy != nil {
		switch *o.PropagationPolicy {
		case meta.DeletePropagationOrphan, meta.DeletePropagationBackground, meta.DeletePropagationForeground:
		default:
			return apierrors.NewBadRequest(fmt.Sprintf("unsupported propagationPolicy %q: must be Orphan, Background or Foreground", *o.PropagationPolicy))
		}
		if o.OrphanDependents != nil {
			return apierrors.NewBadRequest("orphanDependents and propagationPolicy may not both be set")
		}
	}
	if o.GracePeriodSeconds != nil && *o.GracePeriodSeconds < 0 {
		return apierrors.NewBadRequest("gracePeriodSeconds must be non-negative")
	}
	for _, d := range o.DryRun {
		if d != "All" {
			return apierrors.NewBadRequest(fmt.Sprintf("unsupported dryRun value %q", d))
		}
	}
	return nil
}
