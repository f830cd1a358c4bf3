// Package names holds the string checks Kubernetes applies to names, label
// keys and values, ports and keys (util/validation in Kubernetes). Each
// returns the list of problems as Kubernetes words them; empty means valid.
// It has no dependencies so that labels, fields and validation can share it.
package names

import (
	"fmt"
	"net"
	"strings"
)

// Length limits.
const (
	DNS1123LabelMaxLength     = 63
	DNS1123SubdomainMaxLength = 253
	DNS1035LabelMaxLength     = 63
	QualifiedNameMaxLength    = 63
	LabelValueMaxLength       = 63
	ConfigMapKeyMaxLength     = 253
)

// MaxLenError is the message for a value longer than n.
func MaxLenError(n int) string { return fmt.Sprintf("must be no more than %d characters", n) }

// EmptyError is the message for an empty value.
func EmptyError() string { return "must be non-empty" }

// RegexError describes a regular expression a value failed, with examples.
func RegexError(msg, format string, examples ...string) string {
	if len(examples) == 0 {
		return msg + " (regex used for validation is '" + format + "')"
	}
	msg += " (e.g. "
	for i, e := range examples {
		if i > 0 {
			msg += " or "
		}
		msg += "'" + e + "', "
	}
	return msg + "regex used for validation is '" + format + "')"
}

func prefixEach(msgs []string, prefix string) []string {
	for i := range msgs {
		msgs[i] = prefix + msgs[i]
	}
	return msgs
}

const (
	dns1123LabelFmt     = "[a-z0-9]([-a-z0-9]*[a-z0-9])?"
	dns1123LabelErrMsg  = "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character"
	dns1123SubdomainFmt = dns1123LabelFmt + "(\\." + dns1123LabelFmt + ")*"
	dns1123SubdomainMsg = "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character"
	dns1035LabelFmt     = "[a-z]([-a-z0-9]*[a-z0-9])?"
	dns1035LabelErrMsg  = "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character"
	qualifiedNameFmt    = "([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]"
	qualifiedNameErrMsg = "must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character"
	labelValueFmt       = "(" + qualifiedNameFmt + ")?"
	labelValueErrMsg    = "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character"
	envVarNameFmt       = "[-._a-zA-Z][-._a-zA-Z0-9]*"
	envVarNameErrMsg    = "a valid environment variable name must consist of alphabetic characters, digits, '_', '-', or '.', and must not start with a digit"
	configMapKeyFmt     = "[-._a-zA-Z0-9]+"
	configMapKeyErrMsg  = "a valid config key must consist of alphanumeric characters, '-', '_' or '.'"
)

// The formats above are what the messages quote (as Kubernetes does); the
// checks are hand-written matchers of the same languages (regexp matching
// was 10% of a pod create's CPU). matchers_test.go holds them to the
// regular expressions.
var (
	dns1123LabelRe     = matcher(isDNS1123Label)
	dns1123SubdomainRe = matcher(isDNS1123Subdomain)
	dns1035LabelRe     = matcher(isDNS1035Label)
	qualifiedNameRe    = matcher(isQualifiedNameChars)
	labelValueRe       = matcher(func(s string) bool { return s == "" || isQualifiedNameChars(s) })
	envVarNameRe       = matcher(isEnvVarName)
	configMapKeyRe     = matcher(isConfigMapKey)
	portNameCharsetRe  = matcher(func(s string) bool { return s != "" && all(s, isLowerAlnumOrDash) })
	portNameOneLetter  = matcher(func(s string) bool { return strings.IndexFunc(s, isLower) >= 0 })
)

// matcher adapts a predicate to the MatchString the checks call.
type matcher func(string) bool

func (m matcher) MatchString(s string) bool { return m(s) }

func isLower(r rune) bool { return 'a' <= r && r <= 'z' }
func isDigit(r rune) bool { return '0' <= r && r <= '9' }
func isAlpha(r rune) bool { return isLower(r) || 'A' <= r && r <= 'Z' }
func isLowerAlnum(r rune) bool {
	return isLower(r) || isDigit(r)
}
func isLowerAlnumOrDash(r rune) bool { return isLowerAlnum(r) || r == '-' }
func isAlnum(r rune) bool            { return isAlpha(r) || isDigit(r) }

func all(s string, ok func(rune) bool) bool {
	for _, r := range s {
		if !ok(r) {
			return false
		}
	}
	return true
}

// edges checks s is non-empty, its first byte passes first, its last
// last, and every byte between middle.
func edges(s string, first, middle, last func(rune) bool) bool {
	n := len(s)
	if n == 0 || !first(rune(s[0])) || !last(rune(s[n-1])) {
		return false
	}
	for i := 1; i < n-1; i++ {
		if !middle(rune(s[i])) {
			return false
		}
	}
	return true
}

// isDNS1123Label: [a-z0-9]([-a-z0-9]*[a-z0-9])?
func isDNS1123Label(s string) bool {
	return edges(s, isLowerAlnum, isLowerAlnumOrDash, isLowerAlnum)
}

// isDNS1123Subdomain: labels joined by '.'.
func isDNS1123Subdomain(s string) bool {
	for {
		i := strings.IndexByte(s, '.')
		if i < 0 {
			return isDNS1123Label(s)
		}
		if !isDNS1123Label(s[:i]) {
			return false
		}
		s = s[i+1:]
	}
}

// isDNS1035Label: [a-z]([-a-z0-9]*[a-z0-9])?
func isDNS1035Label(s string) bool {
	return edges(s, isLower, isLowerAlnumOrDash, isLowerAlnum)
}

// isQualifiedNameChars: ([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]
func isQualifiedNameChars(s string) bool {
	return edges(s, isAlnum, func(r rune) bool { return isAlnum(r) || r == '-' || r == '_' || r == '.' }, isAlnum)
}

// isEnvVarName: [-._a-zA-Z][-._a-zA-Z0-9]*
func isEnvVarName(s string) bool {
	sym := func(r rune) bool { return r == '-' || r == '.' || r == '_' }
	return s != "" && (isAlpha(rune(s[0])) || sym(rune(s[0]))) && all(s, func(r rune) bool { return isAlnum(r) || sym(r) })
}

// isConfigMapKey: [-._a-zA-Z0-9]+
func isConfigMapKey(s string) bool {
	return s != "" && all(s, func(r rune) bool { return isAlnum(r) || r == '-' || r == '.' || r == '_' })
}

// IsDNS1123Label checks a lowercase RFC 1123 label (namespace names, container names).
func IsDNS1123Label(value string) []string {
	var errs []string
	if len(value) > DNS1123LabelMaxLength {
		errs = append(errs, MaxLenError(DNS1123LabelMaxLength))
	}
	if !dns1123LabelRe.MatchString(value) {
		errs = append(errs, RegexError(dns1123LabelErrMsg, dns1123LabelFmt, "my-name", "123-abc"))
	}
	return errs
}

// IsDNS1123Subdomain checks a lowercase RFC 1123 subdomain (most object names).
func IsDNS1123Subdomain(value string) []string {
	var errs []string
	if len(value) > DNS1123SubdomainMaxLength {
		errs = append(errs, MaxLenError(DNS1123SubdomainMaxLength))
	}
	if !dns1123SubdomainRe.MatchString(value) {
		errs = append(errs, RegexError(dns1123SubdomainMsg, dns1123SubdomainFmt, "example.com"))
	}
	return errs
}

// IsDNS1035Label checks an RFC 1035 label (service names).
func IsDNS1035Label(value string) []string {
	var errs []string
	if len(value) > DNS1035LabelMaxLength {
		errs = append(errs, MaxLenError(DNS1035LabelMaxLength))
	}
	if !dns1035LabelRe.MatchString(value) {
		errs = append(errs, RegexError(dns1035LabelErrMsg, dns1035LabelFmt, "my-name", "abc-123"))
	}
	return errs
}

// IsQualifiedName checks a label or annotation key: an optional DNS
// subdomain prefix and "/", then a name of at most 63 characters.
func IsQualifiedName(value string) []string {
	var errs []string
	parts := strings.Split(value, "/")
	var name string
	switch len(parts) {
	case 1:
		name = parts[0]
	case 2:
		var prefix string
		prefix, name = parts[0], parts[1]
		if prefix == "" {
			errs = append(errs, "prefix part "+EmptyError())
		} else if msgs := IsDNS1123Subdomain(prefix); len(msgs) != 0 {
			errs = append(errs, prefixEach(msgs, "prefix part ")...)
		}
	default:
		return append(errs, "a qualified name "+RegexError(qualifiedNameErrMsg, qualifiedNameFmt, "MyName", "my.name", "123-abc")+
			" with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')")
	}
	if name == "" {
		errs = append(errs, "name part "+EmptyError())
	} else if len(name) > QualifiedNameMaxLength {
		errs = append(errs, "name part "+MaxLenError(QualifiedNameMaxLength))
	}
	if !qualifiedNameRe.MatchString(name) {
		errs = append(errs, "name part "+RegexError(qualifiedNameErrMsg, qualifiedNameFmt, "MyName", "my.name", "123-abc"))
	}
	return errs
}

// IsValidLabelValue checks a label value: empty, or up to 63 characters of
// alphanumerics, '-', '_', '.' starting and ending alphanumeric.
func IsValidLabelValue(value string) []string {
	var errs []string
	if len(value) > LabelValueMaxLength {
		errs = append(errs, MaxLenError(LabelValueMaxLength))
	}
	if !labelValueRe.MatchString(value) {
		errs = append(errs, RegexError(labelValueErrMsg, labelValueFmt, "MyValue", "my_value", "12345"))
	}
	return errs
}

// IsEnvVarName checks an environment variable name.
func IsEnvVarName(value string) []string {
	var errs []string
	if !envVarNameRe.MatchString(value) {
		errs = append(errs, RegexError(envVarNameErrMsg, envVarNameFmt, "my.env-name", "MY_ENV.NAME", "MyEnvName1"))
	}
	return errs
}

// IsConfigMapKey checks a ConfigMap or Secret data key.
func IsConfigMapKey(value string) []string {
	var errs []string
	if len(value) > ConfigMapKeyMaxLength {
		errs = append(errs, MaxLenError(ConfigMapKeyMaxLength))
	}
	if !configMapKeyRe.MatchString(value) {
		errs = append(errs, RegexError(configMapKeyErrMsg, configMapKeyFmt, "key.name", "KEY_NAME", "key-name"))
	}
	switch {
	case value == ".":
		errs = append(errs, "must not be '.'")
	case value == "..":
		errs = append(errs, "must not be '..'")
	case strings.HasPrefix(value, ".."):
		errs = append(errs, "must not start with '..'")
	}
	return errs
}

// IsValidPortNum checks 1..65535.
func IsValidPortNum(port int) []string {
	if port < 1 || port > 65535 {
		return []string{"must be between 1 and 65535, inclusive"}
	}
	return nil
}

// IsValidPortName checks an IANA service name (container and service port names).
func IsValidPortName(port string) []string {
	var errs []string
	if len(port) > 15 {
		errs = append(errs, MaxLenError(15))
	}
	if !portNameCharsetRe.MatchString(port) {
		errs = append(errs, "must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)")
	}
	if !portNameOneLetter.MatchString(port) {
		errs = append(errs, "must contain at least one letter (a-z)")
	}
	if strings.Contains(port, "--") {
		errs = append(errs, "must not contain consecutive hyphens")
	}
	if port != "" && (port[0] == '-' || port[len(port)-1] == '-') {
		errs = append(errs, "must not begin or end with a hyphen")
	}
	return errs
}

// IsValidIP checks an IPv4 or IPv6 address.
func IsValidIP(value string) []string {
	if net.ParseIP(value) == nil {
		return []string{"must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)"}
	}
	return nil
}
