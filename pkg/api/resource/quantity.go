// Package resource holds Quantity, the fixed-point number of resource
// requests and capacities ("100m", "1.5Gi", "2", "1e3"), parsed, rounded and
// printed as Kubernetes does, and ResourceList.
package resource

import (
	"errors"
	"fmt"
	"math"
	"math/big"
	"math/bits"
	"strconv"
	"strings"
)

// Format is how a Quantity prints: decimal SI suffixes (k, M, m), binary
// suffixes (Ki, Mi) or a decimal exponent (e3).
type Format string

// The three formats, as Kubernetes names them.
const (
	DecimalExponent Format = "DecimalExponent"
	BinarySI        Format = "BinarySI"
	DecimalSI       Format = "DecimalSI"
)

// Errors returned by ParseQuantity.
var (
	ErrFormatWrong = errors.New("quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'")
	ErrNumeric     = errors.New("unable to parse numeric part of quantity")
	ErrSuffix      = errors.New("unable to parse quantity's suffix")
)

// maxExponent bounds the decimal magnitude we accept (Kubernetes has no
// practical bound; we refuse absurd exponents so parsing stays cheap).
const maxExponent = 1000

// Quantity is a decimal number with nano precision. The zero value is 0.
// Compare with Cmp, never with ==. A Quantity is immutable except through
// Add, Sub and Neg, which replace its value.
type Quantity struct {
	nanos  *big.Int // value * 10^9; nil means zero
	Format Format
}

var (
	bigTen      = big.NewInt(10)
	bigBillion  = big.NewInt(1_000_000_000)
	bigMaxInt64 = big.NewInt(math.MaxInt64)
	bigMaxNanos = new(big.Int).Mul(bigMaxInt64, bigBillion) // binary cap, in nanos
)

// MustParse parses s or panics; for constants and tests.
func MustParse(s string) Quantity {
	q, err := ParseQuantity(s)
	if err != nil {
		panic(fmt.Errorf("cannot parse %q: %w", s, err))
	}
	return q
}

// NewQuantity returns value in the given format.
func NewQuantity(value int64, format Format) *Quantity {
	n := new(big.Int).Mul(big.NewInt(value), bigBillion)
	return &Quantity{nanos: n, Format: format}
}

// NewMilliQuantity returns milli/1000 in the given format.
func NewMilliQuantity(milli int64, format Format) *Quantity {
	n := new(big.Int).Mul(big.NewInt(milli), big.NewInt(1_000_000))
	return &Quantity{nanos: n, Format: format}
}

// NewScaledQuantity returns value * 10^scale in DecimalSI.
func NewScaledQuantity(value int64, scale int) *Quantity {
	return &Quantity{nanos: scaleToNanos(big.NewInt(value), scale), Format: DecimalSI}
}

// ParseQuantity parses the Kubernetes quantity syntax: an optional sign,
// digits with an optional fraction, and a suffix (n u m "" k M G T P E,
// Ki Mi Gi Ti Pi Ei, or e<N>/E<N>). Precision finer than 1n rounds up
// (away from zero); binary values are capped at 2^63-1.
func ParseQuantity(str string) (Quantity, error) {
	if str == "" {
		return Quantity{}, ErrFormatWrong
	}
	if str == "0" {
		return Quantity{Format: DecimalSI}, nil
	}
	positive, num, denom, suf, err := parseQuantityString(str)
	if err != nil {
		return Quantity{}, err
	}
	base, exponent, format, ok := interpretSuffix(suf)
	if !ok {
		return Quantity{}, ErrSuffix
	}
	if q, ok := parseSmall(positive, num, denom, base, exponent, format); ok {
		return q, nil
	}
	return parseBig(positive, num, denom, base, exponent, format)
}

// parseSmall is ParseQuantity's arithmetic in int64 for the quantities
// objects carry ("100m", "128Mi", "2"); ok is false when a step could
// overflow, and parseBig then computes the same value with math/big.
// FuzzParseSmallAgreesWithBig holds the two to the same results.
func parseSmall(positive bool, num, denom string, base, exponent int, format Format) (Quantity, bool) {
	if len(num)+len(denom) > 18 || len(num)+len(denom) == 0 {
		return Quantity{}, false
	}
	var d int64
	for _, part := range [2]string{num, denom} {
		for i := 0; i < len(part); i++ {
			if !isDigit(part[i]) {
				return Quantity{}, false
			}
			d = d*10 + int64(part[i]-'0')
		}
	}
	scale := -len(denom)
	if base == 2 {
		if exponent < 0 || exponent > 62 || d > math.MaxInt64>>uint(exponent) {
			return Quantity{}, false
		}
		d <<= uint(exponent)
	} else {
		scale += exponent
	}
	var nanos int64
	switch shift := scale + 9; {
	case shift >= 0 && shift < len(pow10):
		if d > math.MaxInt64/pow10[shift] {
			return Quantity{}, false
		}
		nanos = d * pow10[shift]
	case shift < 0 && -shift < len(pow10):
		p := pow10[-shift]
		nanos = d / p
		if d%p != 0 {
			nanos++ // finer than 1n rounds up (away from zero)
		}
	default:
		return Quantity{}, false
	}
	if base == 2 && nanos > 0 && nanos < 1_000_000_000 {
		format = DecimalSI
	}
	if !positive {
		nanos = -nanos
	}
	return Quantity{nanos: newInt(nanos), Format: format}, true
}

// newInt is big.NewInt(x) (the same value and representation, so
// reflect.DeepEqual sees no difference) in one allocation instead of two:
// the Int's single word lives next to it.
func newInt(x int64) *big.Int {
	if x == 0 || x == math.MinInt64 || bits.UintSize != 64 {
		return big.NewInt(x)
	}
	w := &intWord{}
	if x < 0 {
		w.w[0] = big.Word(-x)
		w.i.SetBits(w.w[:])
		return w.i.Neg(&w.i)
	}
	w.w[0] = big.Word(x)
	return w.i.SetBits(w.w[:])
}

type intWord struct {
	i big.Int
	w [1]big.Word
}

// parseBig is ParseQuantity's arithmetic in math/big.
func parseBig(positive bool, num, denom string, base, exponent int, format Format) (Quantity, error) {
	digits, ok := new(big.Int).SetString(num+denom, 10)
	if !ok {
		return Quantity{}, ErrNumeric
	}
	scale := -len(denom)
	var nanos *big.Int
	if base == 10 {
		if exponent > maxExponent || exponent < -maxExponent {
			return Quantity{}, ErrNumeric
		}
		scale += exponent
		if digits.Sign() != 0 && len(digits.String())+scale > maxExponent {
			return Quantity{}, ErrNumeric
		}
		nanos = scaleToNanos(digits, scale)
	} else {
		digits.Lsh(digits, uint(exponent))
		nanos = scaleToNanos(digits, scale)
		if nanos.Cmp(bigMaxNanos) > 0 {
			nanos.Set(bigMaxNanos)
		}
		if nanos.Sign() > 0 && nanos.Cmp(bigBillion) < 0 {
			format = DecimalSI
		}
	}
	if !positive {
		nanos.Neg(nanos)
	}
	return Quantity{nanos: nanos, Format: format}, nil
}

// scaleToNanos returns ceil(|d| * 10^(scale+9)) for d >= 0.
func scaleToNanos(d *big.Int, scale int) *big.Int {
	shift := scale + 9
	out := new(big.Int).Set(d)
	if shift >= 0 {
		return out.Mul(out, new(big.Int).Exp(bigTen, big.NewInt(int64(shift)), nil))
	}
	if d.Sign() == 0 {
		return out
	}
	if -shift > len(d.String())+1 {
		// Far below one nano: rounds up to exactly 1n (sign applied by caller).
		return out.SetInt64(int64(d.Sign()))
	}
	div := new(big.Int).Exp(bigTen, big.NewInt(int64(-shift)), nil)
	var rem big.Int
	out.QuoRem(out, div, &rem)
	if rem.Sign() != 0 {
		out.Add(out, big.NewInt(int64(d.Sign())))
	}
	return out
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

// parseQuantityString splits str into sign, integer digits, fraction digits
// and suffix, following Kubernetes' scanner (so ".5" and "5." are numbers).
func parseQuantityString(str string) (positive bool, num, denom, suffix string, err error) {
	positive = true
	pos, end := 0, len(str)
	switch str[0] {
	case '-':
		positive = false
		pos++
	case '+':
		pos++
	}
	for pos < end && str[pos] == '0' {
		pos++
	}
	if pos >= end {
		return positive, "0", "", "", nil
	}
	start := pos
	for pos < end && isDigit(str[pos]) {
		pos++
	}
	num = str[start:pos]
	if num == "" {
		num = "0"
	}
	if pos < end && str[pos] == '.' {
		pos++
		start = pos
		for pos < end && isDigit(str[pos]) {
			pos++
		}
		denom = str[start:pos]
	}
	suffixStart := pos
	for pos < end && strings.IndexByte("eEinumkKMGTP", str[pos]) >= 0 {
		pos++
	}
	if pos < end && (str[pos] == '-' || str[pos] == '+') {
		pos++
	}
	for pos < end && isDigit(str[pos]) {
		pos++
	}
	if pos < end {
		return false, "", "", "", ErrFormatWrong
	}
	return positive, num, denom, str[suffixStart:], nil
}

// interpretSuffix returns the base (10 or 2), the exponent and the format.
func interpretSuffix(s string) (base, exponent int, format Format, ok bool) {
	switch len(s) {
	case 0:
		return 10, 0, DecimalSI, true
	case 1:
		if e := decimalExp[s[0]]; e != 0 {
			return 10, int(e), DecimalSI, true
		}
	case 2:
		if s[1] == 'i' {
			if e := binaryExp[s[0]]; e != 0 {
				return 2, int(e), BinarySI, true
			}
		}
	}
	if len(s) > 1 && (s[0] == 'e' || s[0] == 'E') {
		e, err := strconv.ParseInt(s[1:], 10, 32)
		if err != nil {
			return 0, 0, "", false
		}
		return 10, int(e), DecimalExponent, true
	}
	return 0, 0, "", false
}

// decimalExp and binaryExp map a one-letter SI suffix (and the letter before
// a binary suffix's 'i') to its exponent; 0 means none.
var (
	decimalExp = [256]int8{'n': -9, 'u': -6, 'm': -3, 'k': 3, 'M': 6, 'G': 9, 'T': 12, 'P': 15, 'E': 18}
	binaryExp  = [256]int8{'K': 10, 'M': 20, 'G': 30, 'T': 40, 'P': 50, 'E': 60}
)
