package money

import "fmt"

var hundred = FromInt(100)

// Percent is p percent of a, exact: 4.25 × 25% = 1.0625. Round it where the rule says so.
func (a Decimal) Percent(p Decimal) Decimal {
	// a×p/100 is exact: dividing by 100 only shifts the scale, unless 19 digits overflow,
	// in which case Quo rounds to 19 significant digits (far below any currency's precision).
	q, err := a.Mul(p).Quo(hundred)
	if err != nil {
		panic(err) // dividing by a non-zero constant cannot fail
	}
	return q
}

// MulRatio is a×num/den with 19 significant digits, for proration (unused days / days in the
// period). The result must be rounded by the caller; den must be positive.
func (a Decimal) MulRatio(num, den int64) (Decimal, error) {
	if den <= 0 {
		return Zero, fmt.Errorf("money: ratio %d/%d: denominator must be positive", num, den)
	}
	return a.Mul(FromInt(num)).Quo(FromInt(den))
}

// Abs is |a|.
func (a Decimal) Abs() Decimal { return Decimal{a.d.Abs()} }

// Min is the smaller of a and b.
func Min(a, b Decimal) Decimal {
	if a.Cmp(b) <= 0 {
		return a
	}
	return b
}

// Max is the larger of a and b.
func Max(a, b Decimal) Decimal {
	if a.Cmp(b) >= 0 {
		return a
	}
	return b
}

// Sum adds the values.
func Sum(vs ...Decimal) Decimal {
	s := Zero
	for _, v := range vs {
		s = s.Add(v)
	}
	return s
}

// IsInt reports whether a has no fractional part.
func (a Decimal) IsInt() bool { return a.d.IsInt() }

// Equal reports a == b numerically (1.5 equals 1.50).
func (a Decimal) Equal(b Decimal) bool { return a.Cmp(b) == 0 }
