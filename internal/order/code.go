package order

import "github.com/openbss/openbss/internal/money"

// Code is an order's two-letter type as lists and details show it ("type": "SO") and its
// number starts with (SO000001).
type Code string

// Order type codes (seed 002, "Get Filtered Orders").
const (
	CodeSales           Code = "SO" // a sales order
	CodeRenewal         Code = "RN" // a renewal order
	CodeChange          Code = "CH" // a change order
	CodeCancellation    Code = "CL" // a cancellation where the vendor owes the customer money
	CodeCancellationFee Code = "CF" // a cancellation where nobody is owed, or the customer owes the vendor
	CodeBilling         Code = "BO" // a billing order at the end of a billing period (never requested)
)

// Valid reports a known code.
func (c Code) Valid() bool {
	switch c {
	case CodeSales, CodeRenewal, CodeChange, CodeCancellation, CodeCancellationFee, CodeBilling:
		return true
	}
	return false
}

// CodeFor is the code of a requested order of type t whose priced total is total. A
// cancellation is CL when it gives money back (a negative total: the vendor owes the customer,
// the order waits in NW for a push) and CF otherwise.
func CodeFor(t Type, total money.Decimal) Code {
	switch t {
	case Sales:
		return CodeSales
	case Renewal:
		return CodeRenewal
	case Change:
		return CodeChange
	case Cancellation:
		if total.Sign() < 0 {
			return CodeCancellation
		}
		return CodeCancellationFee
	}
	return ""
}
