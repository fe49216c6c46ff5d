// Package money holds the exact decimal type every price, cost, tax and total in openbss uses,
// its half-up rounding to a currency's precision, and its storage form: an int64 count of
// micro-units (scale 6), the same on SQLite and PostgreSQL. It never uses float64.
package money

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"math/big"
	"reflect"

	"github.com/govalues/decimal"
)

// StoreScale is the number of decimals kept at rest: enough for unit prices that carry more
// decimals than their currency (0.000125 per API call) while fitting int64 comfortably.
const StoreScale = 6

// Decimal is an exact decimal number. The zero value is 0.
type Decimal struct{ d decimal.Decimal }

// Zero is the decimal 0.
var Zero = Decimal{}

// ErrOverflow is returned when a value does not fit the storage scale.
var ErrOverflow = errors.New("money: value out of range")

// Parse reads a decimal written like "20.84", "-1" or "1.5e2" (JSON allows exponents). Text
// that does not fit 19 significant digits exactly ("1e-20", "0.12345678901234567890123") is
// refused rather than silently rounded.
func Parse(s string) (Decimal, error) {
	d, err := decimal.Parse(s)
	if err != nil {
		return Zero, fmt.Errorf("money: %q is not a decimal number", s)
	}
	if !exact(s, d) {
		return Zero, fmt.Errorf("money: %q has more than 19 significant digits", s)
	}
	return Decimal{d}, nil
}

// exact reports whether d is exactly the number s writes. govalues rounds to 19 digits; an
// exact rational comparison catches it. Plain short input skips the comparison.
func exact(s string, d decimal.Decimal) bool {
	if len(s) <= 19 && !bytes.ContainsAny([]byte(s), "eE") {
		return true
	}
	want, ok := new(big.Rat).SetString(s)
	if !ok {
		return false
	}
	got, ok := new(big.Rat).SetString(d.String())
	return ok && want.Cmp(got) == 0
}

// MustParse is Parse for constants in code and tests.
func MustParse(s string) Decimal {
	d, err := Parse(s)
	if err != nil {
		panic(err)
	}
	return d
}

// FromInt returns the integer n as a decimal.
func FromInt(n int64) Decimal { return Decimal{decimal.MustNew(n, 0)} }

// FromMicros turns the stored integer form back into a decimal.
func FromMicros(m int64) Decimal { return Decimal{decimal.MustNew(m, StoreScale).Trim(0)} }

// Micros is the stored integer form. Values with more than StoreScale decimals are rounded
// half-up first; the caller decides whether that is acceptable (catalog input validates it).
func (a Decimal) Micros() (int64, error) {
	whole, frac, ok := a.RoundHalfUp(StoreScale).d.Int64(StoreScale)
	if !ok || whole > math.MaxInt64/1_000_000 || whole < math.MinInt64/1_000_000 {
		return 0, ErrOverflow
	}
	m := whole*1_000_000 + frac
	if (whole > 0 && m < 0) || (whole < 0 && m > 0) {
		return 0, ErrOverflow
	}
	return m, nil
}

// MustMicros is Micros for values known to be in range (already validated).
func (a Decimal) MustMicros() int64 {
	m, err := a.Micros()
	if err != nil {
		panic(err)
	}
	return m
}

// RoundHalfUp rounds to scale decimals, halves away from zero (1.425 → 1.43, -1.425 → -1.43),
// the rule the seed's numbers need. govalues rounds half-even, hence this helper.
func (a Decimal) RoundHalfUp(scale int) Decimal {
	if a.d.Scale() <= scale {
		return a
	}
	t := a.d.Trunc(scale)
	rest, err := a.d.Sub(t)
	if err != nil {
		return a
	}
	half := decimal.MustNew(5, scale+1)
	if rest.Abs().Cmp(half) >= 0 {
		ulp := decimal.MustNew(1, scale)
		if a.d.IsNeg() {
			ulp = ulp.Neg()
		}
		if r, err := t.Add(ulp); err == nil {
			t = r
		}
	}
	return Decimal{t}
}

// Add returns a+b. Overflow is beyond any real price (10^19) and panics.
func (a Decimal) Add(b Decimal) Decimal { return Decimal{must(a.d.Add(b.d))} }

// Sub returns a-b.
func (a Decimal) Sub(b Decimal) Decimal { return Decimal{must(a.d.Sub(b.d))} }

// Mul returns a×b exactly (up to 19 significant digits).
func (a Decimal) Mul(b Decimal) Decimal { return Decimal{must(a.d.Mul(b.d))} }

// Quo returns a÷b with up to 19 significant digits; b must not be zero.
func (a Decimal) Quo(b Decimal) (Decimal, error) {
	q, err := a.d.Quo(b.d)
	if err != nil {
		return Zero, fmt.Errorf("money: %v / %v: %w", a, b, err)
	}
	return Decimal{q}, nil
}

// Neg returns -a.
func (a Decimal) Neg() Decimal { return Decimal{a.d.Neg()} }

// Cmp compares a and b: -1, 0 or +1.
func (a Decimal) Cmp(b Decimal) int { return a.d.Cmp(b.d) }

// Sign is -1, 0 or +1.
func (a Decimal) Sign() int { return a.d.Sign() }

// IsZero reports a == 0.
func (a Decimal) IsZero() bool { return a.d.IsZero() }

// Scale is the number of decimals written.
func (a Decimal) Scale() int { return a.d.Scale() }

// String writes the value without trailing zeros beyond one decimal ("20.84", "4.0").
func (a Decimal) String() string { return a.display().String() }

// display keeps at least one decimal, as the seed prints "199.0" and "0.0".
func (a Decimal) display() decimal.Decimal {
	d := a.d.Trim(0)
	if d.Scale() == 0 {
		return d.Pad(1)
	}
	return d
}

// MarshalJSON writes a JSON number: 20.84, never 20.839999999999996.
func (a Decimal) MarshalJSON() ([]byte, error) { return []byte(a.String()), nil }

// UnmarshalJSON accepts a JSON number or a string holding one ("10.0"), as the seed sends both.
// null leaves the value unchanged, as encoding/json does for its own types.
func (a *Decimal) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	if string(b) == "null" {
		return nil
	}
	text := b
	if len(b) > 0 && b[0] == '"' {
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		text = []byte(s)
	}
	d, err := Parse(string(text))
	if err != nil {
		// An UnmarshalTypeError lets encoding/json name the field ("products.resources.amount").
		return &json.UnmarshalTypeError{Value: string(b), Type: reflect.TypeFor[Decimal]()}
	}
	*a = d
	return nil
}

func must(d decimal.Decimal, err error) decimal.Decimal {
	if err != nil {
		panic(fmt.Errorf("money: arithmetic overflow: %w", err))
	}
	return d
}
