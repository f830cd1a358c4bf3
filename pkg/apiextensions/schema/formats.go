package schema

import (
	"encoding/base64"
	"net"
	"net/mail"
	"net/url"
	"regexp"
	"strings"
	"time"

	"github.com/tinykube/tinykube/pkg/api/validation/names"
)

var (
	uuidRE        = regexp.MustCompile(`^(?i)[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}$`)
	uuid3RE       = regexp.MustCompile(`^(?i)[0-9a-f]{8}-?[0-9a-f]{4}-?3[0-9a-f]{3}-?[0-9a-f]{4}-?[0-9a-f]{12}$`)
	uuid4RE       = regexp.MustCompile(`^(?i)[0-9a-f]{8}-?[0-9a-f]{4}-?4[0-9a-f]{3}-?[89ab][0-9a-f]{3}-?[0-9a-f]{12}$`)
	uuid5RE       = regexp.MustCompile(`^(?i)[0-9a-f]{8}-?[0-9a-f]{4}-?5[0-9a-f]{3}-?[89ab][0-9a-f]{3}-?[0-9a-f]{12}$`)
	hexColorRE    = regexp.MustCompile(`^#?([0-9a-fA-F]{3}|[0-9a-fA-F]{6})$`)
	rgbColorRE    = regexp.MustCompile(`^rgb\(\s*(0|[1-9]\d?|1\d\d?|2[0-4]\d|25[0-5])\s*,\s*(0|[1-9]\d?|1\d\d?|2[0-4]\d|25[0-5])\s*,\s*(0|[1-9]\d?|1\d\d?|2[0-4]\d|25[0-5])\s*\)$`)
	bsonObjectRE  = regexp.MustCompile(`^[0-9a-fA-F]{24}$`)
	durationRE    = regexp.MustCompile(`^((\d+)\s*(ns|us|µs|ms|s|m|h|d|w)\s*)+$`)
	durationLongR = regexp.MustCompile(`^(\d+)\s*(nanoseconds?|microseconds?|milliseconds?|seconds?|minutes?|hours?|days?|weeks?|sec|min|hr)$`)
)

// dateTimeLayouts are the RFC 3339 forms strfmt accepts for date-time.
var dateTimeLayouts = []string{
	time.RFC3339Nano,
	"2006-01-02T15:04:05.999999999Z0700",
	"2006-01-02T15:04:05Z0700",
}

// validFormat reports whether str is valid for the OpenAPI format f, for
// the string formats Kubernetes' format registry knows; an unknown format
// (int32, int64, double, a made-up one) accepts everything.
func validFormat(f, str string) bool {
	switch f {
	case "date-time", "datetime":
		for _, l := range dateTimeLayouts {
			if _, err := time.Parse(l, str); err == nil {
				return true
			}
		}
		return false
	case "date":
		_, err := time.Parse("2006-01-02", str)
		return err == nil
	case "byte":
		_, err := base64.StdEncoding.DecodeString(str)
		return err == nil
	case "uuid":
		return uuidRE.MatchString(str)
	case "uuid3":
		return uuid3RE.MatchString(str)
	case "uuid4":
		return uuid4RE.MatchString(str)
	case "uuid5":
		return uuid5RE.MatchString(str)
	case "email":
		_, err := mail.ParseAddress(str)
		return err == nil
	case "hostname":
		return len(str) <= 255 && len(names.IsDNS1123Subdomain(strings.ToLower(strings.TrimSuffix(str, ".")))) == 0
	case "ipv4":
		ip := net.ParseIP(str)
		return ip != nil && ip.To4() != nil && !strings.Contains(str, ":")
	case "ipv6":
		ip := net.ParseIP(str)
		return ip != nil && strings.Contains(str, ":")
	case "cidr":
		_, _, err := net.ParseCIDR(str)
		return err == nil
	case "mac":
		_, err := net.ParseMAC(str)
		return err == nil
	case "uri":
		u, err := url.Parse(str)
		return err == nil && u.Scheme != ""
	case "duration":
		if _, err := time.ParseDuration(str); err == nil {
			return true
		}
		return durationRE.MatchString(str) || durationLongR.MatchString(str)
	case "hexcolor":
		return hexColorRE.MatchString(str)
	case "rgbcolor":
		return rgbColorRE.MatchString(str)
	case "bsonobjectid":
		return bsonObjectRE.MatchString(str)
	}
	return true
}
