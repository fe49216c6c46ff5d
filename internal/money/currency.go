package money

import (
	"encoding/json"
	"fmt"
	"strings"
)

// DefaultPrecision is the number of decimals of a currency this package does not list.
const DefaultPrecision = 2

// minorUnits are ISO 4217 minor units of the currencies whose precision is not 2.
var minorUnits = map[string]int{
	"BIF": 0, "CLP": 0, "DJF": 0, "GNF": 0, "ISK": 0, "JPY": 0, "KMF": 0, "KRW": 0, "PYG": 0,
	"RWF": 0, "UGX": 0, "UYI": 0, "VND": 0, "VUV": 0, "XAF": 0, "XOF": 0, "XPF": 0,
	"BHD": 3, "IQD": 3, "JOD": 3, "KWD": 3, "LYD": 3, "OMR": 3, "TND": 3,
	"CLF": 4, "UYW": 4,
}

// Precision is the number of decimals amounts in the currency are rounded to: its ISO 4217 minor
// unit (USD, EUR, GBP, CHF, AUD, CAD: 2; JPY: 0; KWD: 3), DefaultPrecision for a code it does not
// know or an empty one. Codes are matched case-insensitively.
func Precision(currency string) int {
	if p, ok := minorUnits[strings.ToUpper(currency)]; ok {
		return p
	}
	return DefaultPrecision
}

// Round rounds a to the currency's precision, half-up: what every line amount, discount and tax
// goes through.
func (a Decimal) Round(currency string) Decimal { return a.RoundHalfUp(Precision(currency)) }

// Amount is a value with its currency, the shape order details print:
// {"value": 308.0, "code": "USD"}. The estimate shape prints bare numbers instead.
type Amount struct {
	Value Decimal `json:"value"`
	Code  string  `json:"code"`
}

// NewAmount is the value rounded to the currency's precision, with the currency.
func NewAmount(v Decimal, currency string) Amount {
	return Amount{Value: v.Round(currency), Code: currency}
}

// String renders "308.0 USD".
func (a Amount) String() string { return a.Value.String() + " " + a.Code }

// UnmarshalJSON requires a code; the value may be a number or a string, as the seed sends both.
func (a *Amount) UnmarshalJSON(b []byte) error {
	var raw struct {
		Value *Decimal `json:"value"`
		Code  string   `json:"code"`
	}
	if err := json.Unmarshal(b, &raw); err != nil {
		return err
	}
	if raw.Value == nil {
		return fmt.Errorf("money: amount %s has no value", b)
	}
	a.Value, a.Code = *raw.Value, raw.Code
	return nil
}
