package pricing

import (
	"time"

	"github.com/openbss/openbss/internal/catalog"
	"github.com/openbss/openbss/internal/money"
	"github.com/openbss/openbss/internal/subscription"
)

// BillingPeriod is the period one recurring fee pays for: the plan's billing period, else the
// subscription period split into its number of billing periods, else the subscription period
// itself. A sales or renewal order charges one billing period: the seed's order details bill a
// 1 YEARS subscription of a monthly plan for "duration": {MONTHS, 1.0}; billing orders charge
// the following ones.
func BillingPeriod(plan *catalog.Plan, sp catalog.SubscriptionPeriod, at time.Time) catalog.Period {
	if bp := plan.Billing.Period; bp.Valid() && !bp.AddTo(at).After(sp.Period.AddTo(at)) {
		return bp
	}
	if n := sp.BillingPeriods; n > 1 && sp.Period.Duration%n == 0 {
		return catalog.Period{Unit: sp.Period.Unit, Duration: sp.Period.Duration / n}
	}
	if n := sp.BillingPeriods; n > 1 && sp.Period.Unit == catalog.Years && (12*sp.Period.Duration)%n == 0 {
		return catalog.Period{Unit: catalog.Months, Duration: 12 * sp.Period.Duration / n}
	}
	return sp.Period
}

func durationOf(p catalog.Period) *Duration {
	return &Duration{Unit: p.Unit, Duration: money.FromInt(int64(p.Duration))}
}

func daysDuration(days int) *Duration {
	return &Duration{Unit: catalog.Days, Duration: money.FromInt(int64(days))}
}

// day is t's calendar day in UTC.
func day(t time.Time) time.Time {
	y, m, d := t.UTC().Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

// DaysBetween counts the calendar days (UTC) from a to b: 0 when b is not after a.
func DaysBetween(a, b time.Time) int {
	n := int(day(b).Sub(day(a)).Hours() / 24)
	return max(n, 0)
}

// CurrentBillingPeriod is the billing period of the subscription that is running: from its last
// bill date to its next one (the expiration date when it has none).
func CurrentBillingPeriod(sub subscription.Subscription) (start, end time.Time) {
	end = sub.ExpirationDate
	if sub.NextBillDate != nil {
		end = *sub.NextBillDate
	}
	switch {
	case sub.LastBillDate != nil && sub.LastBillDate.Before(end):
		start = *sub.LastBillDate
	case sub.BillingPeriod.Valid():
		start = back(sub.BillingPeriod, end)
		if start.Before(sub.StartDate) {
			start = sub.StartDate
		}
	default:
		start = sub.StartDate
	}
	return start, end
}

func back(p catalog.Period, t time.Time) time.Time {
	switch p.Unit {
	case catalog.Days:
		return t.AddDate(0, 0, -p.Duration)
	case catalog.Months:
		return t.AddDate(0, -p.Duration, 0)
	}
	return t.AddDate(-p.Duration, 0, 0)
}

// RemainingDays is the unused part of a billing period at now, in whole UTC days: from now's day
// (counted as unused: the change takes effect today) to the end, out of the period's days.
func RemainingDays(start, end, now time.Time) (remaining, total int) {
	total = DaysBetween(start, end)
	from := now
	if from.Before(start) {
		from = start
	}
	return min(DaysBetween(from, end), total), total
}

// Prorate is amount × remaining / total rounded half-up to the currency: the part of a
// billing period's fee for its remaining days. A period of no days prorates to zero.
func Prorate(amount money.Decimal, remaining, total int, currency string) money.Decimal {
	if total <= 0 || remaining <= 0 {
		return money.Zero
	}
	v, err := amount.MulRatio(int64(remaining), int64(total))
	if err != nil {
		panic(err) // total > 0
	}
	return v.Round(currency)
}

// RefundShare is the part of the current billing period's recurring fees a cancellation gives
// back under the period's refund policy, as remaining/total days:
//   - NONE: nothing.
//   - FULL: everything while within Days days of the billing period's start (always when Days
//     is 0), nothing after.
//   - PRORATED (the default): everything within Days days of the start when Days > 0, then the
//     unused days.
func RefundShare(policy catalog.Refund, start, end, now time.Time) (num, den int) {
	remaining, total := RemainingDays(start, end, now)
	if total == 0 {
		return 0, 1
	}
	within := policy.Days > 0 && DaysBetween(start, now) < policy.Days
	switch policy.Type {
	case "NONE":
		return 0, total
	case "FULL":
		if policy.Days == 0 || within {
			return total, total
		}
		return 0, total
	}
	if within {
		return total, total
	}
	return remaining, total
}
