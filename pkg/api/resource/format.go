package resource

import (
	"math"
	"math/big"
	"strconv"
	"strings"
)

var binarySuffixByExp = []string{"", "Ki", "Mi", "Gi", "Ti", "Pi", "Ei"}

var big1024 = big.NewInt(1024)

// String renders the canonical form: the largest suffix that keeps an
// integer mantissa ("1536Mi", "500m", "1e3"); 0 is "0". Binary values
// below 1024 or with a fraction print in decimal SI, as Kubernetes does.
func (q Quantity) String() string {
	var buf [32]byte
	return string(q.AppendString(buf[:0]))
}

// AppendString appends String's canonical form to b.
func (q Quantity) AppendString(b []byte) []byte {
	if q.IsZero() {
		return append(b, '0')
	}
	if q.nanos.IsInt64() {
		if n := q.nanos.Int64(); n != math.MinInt64 {
			return appendSmall(b, n, q.Format)
		}
	}
	return append(b, q.bigString()...)
}

// appendSmall is String for a nonzero value of n nanos (n != MinInt64) in
// int64 arithmetic; bigString computes the same in math/big, and
// FuzzAppendSmallAgreesWithBig holds the two to the same results.
func appendSmall(b []byte, n int64, format Format) []byte {
	switch format {
	case DecimalExponent, DecimalSI:
	case BinarySI:
		if (n > -1024e9 && n < 1024e9) || n%1e9 != 0 {
			format = DecimalSI
		}
	default:
		format = DecimalExponent
	}
	if n < 0 {
		b = append(b, '-')
		n = -n
	}
	if format == BinarySI {
		m, exp := n/1e9, 0
		for exp < len(binarySuffixByExp)-1 && m%1024 == 0 {
			m /= 1024
			exp++
		}
		b = strconv.AppendInt(b, m, 10)
		return append(b, binarySuffixByExp[exp]...)
	}
	// value = n * 10^exp; strip trailing zeros, then back off to a multiple
	// of 3 (never past the original n, as -9 is one).
	exp := -9
	for n%10 == 0 {
		n /= 10
		exp++
	}
	for exp%3 != 0 {
		n *= 10
		exp--
	}
	b = strconv.AppendInt(b, n, 10)
	if format == DecimalExponent {
		if exp == 0 {
			return b
		}
		b = append(b, 'e')
		return strconv.AppendInt(b, int64(exp), 10)
	}
	// |n| < 2^63 nanos, so exp <= 9 and every exponent has an SI suffix.
	return append(b, decimalSISuffix(exp)...)
}

// decimalSISuffix returns the SI suffix of 10^exp, exp a multiple of 3 in
// [-9, 18].
func decimalSISuffix(exp int) string {
	return decimalSuffixes3[(exp+9)/3]
}

var decimalSuffixes3 = [...]string{"n", "u", "m", "", "k", "M", "G", "T", "P", "E"}

// bigString is String in math/big arithmetic, for any nonzero value.
func (q Quantity) bigString() string {
	format := q.Format
	switch format {
	case DecimalExponent, DecimalSI:
	case BinarySI:
		if q.CmpInt64(-1024) > 0 && q.CmpInt64(1024) < 0 {
			format = DecimalSI
		} else if new(big.Int).Rem(q.nanos, bigBillion).Sign() != 0 {
			format = DecimalSI
		}
	default:
		format = DecimalExponent
	}
	if format == BinarySI {
		return q.binaryString()
	}
	mantissa, exp := q.canonicalDecimal()
	if format == DecimalExponent {
		if exp == 0 {
			return mantissa.String()
		}
		return mantissa.String() + "e" + strconv.Itoa(exp)
	}
	if exp > 18 {
		mantissa.Mul(mantissa, new(big.Int).Exp(bigTen, big.NewInt(int64(exp-18)), nil))
		exp = 18
	}
	return mantissa.String() + decimalSISuffix(exp)
}

// canonicalDecimal returns m and e with value = m * 10^e, e a multiple of 3
// and m free of trailing zero groups.
func (q Quantity) canonicalDecimal() (*big.Int, int) {
	m := new(big.Int).Set(q.nanos)
	exp := -9
	var quo, rem big.Int
	for {
		quo.QuoRem(m, bigTen, &rem)
		if rem.Sign() != 0 {
			break
		}
		m.Set(&quo)
		exp++
	}
	for exp%3 != 0 {
		m.Mul(m, bigTen)
		exp--
	}
	return m, exp
}

func (q Quantity) binaryString() string {
	m := new(big.Int).Quo(q.nanos, bigBillion)
	exp := 0
	var quo, rem big.Int
	for exp < len(binarySuffixByExp)-1 {
		quo.QuoRem(m, big1024, &rem)
		if rem.Sign() != 0 {
			break
		}
		m.Set(&quo)
		exp++
	}
	return m.String() + binarySuffixByExp[exp]
}

// IsZero reports whether q is 0.
func (q Quantity) IsZero() bool { return q.nanos == nil || q.nanos.Sign() == 0 }

// Sign returns -1, 0 or 1.
func (q Quantity) Sign() int {
	if q.nanos == nil {
		return 0
	}
	return q.nanos.Sign()
}

func (q Quantity) n() *big.Int {
	if q.nanos == nil {
		return new(big.Int)
	}
	return q.nanos
}

// Cmp returns -1, 0 or 1 as q is less than, equal to or greater than y.
func (q Quantity) Cmp(y Quantity) int { return q.n().Cmp(y.n()) }

// CmpInt64 compares q with the integer y.
func (q Quantity) CmpInt64(y int64) int {
	return q.n().Cmp(new(big.Int).Mul(big.NewInt(y), bigBillion))
}

// Equal reports whether q and y are the same number.
func (q Quantity) Equal(y Quantity) bool { return q.Cmp(y) == 0 }

// Add sets q to q+y. A zero q takes y's format.
func (q *Quantity) Add(y Quantity) {
	if q.IsZero() {
		q.Format = y.Format
	}
	if a, b, ok := int64s(q.nanos, y.nanos); ok {
		if r := a + b; r != 0 && (r > a) == (b > 0) {
			q.nanos = newInt(r)
			return
		}
	}
	q.nanos = new(big.Int).Add(q.n(), y.n())
}

// Sub sets q to q-y. A zero q takes y's format.
func (q *Quantity) Sub(y Quantity) {
	if q.IsZero() {
		q.Format = y.Format
	}
	if a, b, ok := int64s(q.nanos, y.nanos); ok {
		if r := a - b; r != 0 && (r < a) == (b > 0) {
			q.nanos = newInt(r)
			return
		}
	}
	q.nanos = new(big.Int).Sub(q.n(), y.n())
}

// int64s returns x and y (nil is 0) when both fit an int64. The int64 fast
// paths of Add, Sub and DeepCopy build with newInt the same *big.Int
// math/big would, except that a zero result keeps math/big's path.
func int64s(x, y *big.Int) (a, b int64, ok bool) {
	if x != nil {
		if !x.IsInt64() {
			return 0, 0, false
		}
		a = x.Int64()
	}
	if y != nil {
		if !y.IsInt64() {
			return 0, 0, false
		}
		b = y.Int64()
	}
	return a, b, true
}

// Neg sets q to -q.
func (q *Quantity) Neg() { q.nanos = new(big.Int).Neg(q.n()) }

// DeepCopy returns an independent copy.
func (q Quantity) DeepCopy() Quantity {
	if q.nanos == nil {
		return q
	}
	if q.nanos.IsInt64() {
		return Quantity{nanos: newInt(q.nanos.Int64()), Format: q.Format}
	}
	return Quantity{nanos: new(big.Int).Set(q.nanos), Format: q.Format}
}

// Value returns q rounded up (away from zero) to an integer, saturating at
// the int64 bounds.
func (q Quantity) Value() int64 { return q.ScaledValue(0) }

// MilliValue returns q*1000 rounded up (away from zero), saturating.
func (q Quantity) MilliValue() int64 { return q.ScaledValue(-3) }

// ScaledValue returns q in units of 10^scale rounded up (away from zero),
// saturating at the int64 bounds. scale must be >= -9.
func (q Quantity) ScaledValue(scale int) int64 {
	n := q.n()
	if shift := scale + 9; shift >= 0 && shift < len(pow10) && n.IsInt64() {
		return scaledInt64(n.Int64(), pow10[shift])
	}
	div := new(big.Int).Exp(bigTen, big.NewInt(int64(scale+9)), nil)
	var quo, rem big.Int
	quo.QuoRem(n, div, &rem)
	if rem.Sign() != 0 {
		quo.Add(&quo, big.NewInt(int64(n.Sign())))
	}
	if !quo.IsInt64() {
		if quo.Sign() > 0 {
			return math.MaxInt64
		}
		return math.MinInt64
	}
	return quo.Int64()
}

// AsApproximateFloat64 returns q as a float64.
func (q Quantity) AsApproximateFloat64() float64 {
	f, _ := new(big.Rat).SetFrac(q.n(), bigBillion).Float64()
	return f
}

// MarshalJSON writes the canonical string.
func (q Quantity) MarshalJSON() ([]byte, error) {
	// The canonical form holds no character JSON escapes.
	b := make([]byte, 0, 24)
	b = append(b, '"')
	b = q.AppendString(b)
	return append(b, '"'), nil
}

// UnmarshalJSON reads a string (or a bare JSON number) in quantity syntax;
// null is zero.
func (q *Quantity) UnmarshalJSON(b []byte) error {
	s := string(b)
	if s == "null" {
		*q = Quantity{}
		return nil
	}
	if len(s) >= 2 && s[0] == '"' && s[len(s)-1] == '"' && !strings.ContainsRune(s, '\\') {
		s = s[1 : len(s)-1] // no escapes: the usual case
	} else if len(s) >= 2 && s[0] == '"' && s[len(s)-1] == '"' {
		u, err := strconv.Unquote(s)
		if err != nil {
			return err
		}
		s = u
	}
	parsed, err := ParseQuantity(trimSpace(s))
	if err != nil {
		return err
	}
	*q = parsed
	return nil
}

func trimSpace(s string) string {
	for len(s) > 0 && (s[0] == ' ' || s[0] == '\t' || s[0] == '\n' || s[0] == '\r') {
		s = s[1:]
	}
	for len(s) > 0 && (s[len(s)-1] == ' ' || s[len(s)-1] == '\t' || s[len(s)-1] == '\n' || s[len(s)-1] == '\r') {
		s = s[:len(s)-1]
	}
	return s
}

// pow10[i] is 10^i for the int64 fast paths of ScaledValue and ParseQuantity.
var pow10 = func() []int64 {
	p := make([]int64, 19)
	p[0] = 1
	for i := 1; i < len(p); i++ {
		p[i] = p[i-1] * 10
	}
	return p
}()

// scaledInt64 divides n by div rounding away from zero.
func scaledInt64(n, div int64) int64 {
	q, r := n/div, n%div
	if r > 0 {
		q++
	} else if r < 0 {
		q--
	}
	return q
}
