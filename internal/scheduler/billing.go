package scheduler

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/openbss/openbss/internal/catalog"
	"github.com/openbss/openbss/internal/money"
	"github.com/openbss/openbss/internal/order"
	"github.com/openbss/openbss/internal/pricing"
	"github.com/openbss/openbss/internal/store"
)

// LineOveruse is the line type of a billing order: units used above the limit in a billing
// period, at the rate's overuse fee.
const LineOveruse pricing.LineType = "RESOURCE_OVERUSE"

// OveruseLines prices a billing period's overuse: for each resource whose peak went above the
// subscription's limit and whose rate in the plan has an overuse fee, (peak − limit) units at
// that fee, rounded half-up to the currency per line. Resources the plan does not price for
// overuse are not billed. Taxes are not applied (see docs/ledger.md).
func OveruseLines(plan *catalog.Plan, period catalog.Period, peaks []store.UsagePeak, currency string, start, end time.Time) []pricing.Line {
	var out []pricing.Line
	for _, p := range peaks {
		rate, ok := plan.FindRate(p.ResourceAPSID)
		over := p.Peak.Sub(p.Limit)
		if !ok || rate.OveruseFee.Sign() <= 0 || over.Sign() <= 0 {
			continue
		}
		out = append(out, pricing.Line{Type: LineOveruse, PlanID: plan.APSID, Period: period, ResourceID: p.ResourceAPSID,
			Description: fmt.Sprintf("%s overuse %s – %s: peak %s, limit %s", p.Name, start.Format("2006-01-02"),
				end.Format("2006-01-02"), p.Peak, p.Limit),
			Quantity: over, UnitOfMeasure: p.Unit, UnitPrice: rate.OveruseFee,
			ExtendedPrice: over.Mul(rate.OveruseFee).Round(currency)})
	}
	return out
}

// bill closes a billing period with usage: its overuse becomes a billing order (BO), processed
// like any order (payment, invoice; nothing to provision), or, with no overuse, the period is
// closed with nothing to bill. The order and the period's closing commit together.
func (s *Scheduler) bill(ctx context.Context, e store.DueEvent, o *Outcome) error {
	sub, err := s.store.Subscription(ctx, e.SubscriptionAPSID)
	if err != nil {
		return err
	}
	plan, err := s.store.Plan(ctx, sub.PlanAPSID)
	if err != nil {
		return err
	}
	start, peaks, err := s.store.UsagePeriod(ctx, sub.ID, e.Expiration)
	if err != nil {
		return err
	}
	currency := plan.Currency
	lines := OveruseLines(plan, sub.Period, peaks, currency, start, e.Expiration)
	var bo *order.Order
	if len(lines) > 0 {
		if bo, err = s.billingOrder(ctx, sub.AccountID, sub.ID, sub.APSID, currency, lines, e.Expiration); err != nil {
			return err
		}
	}
	err = s.store.InTx(ctx, func(tx *store.Tx) error {
		var orderID int64
		if bo != nil {
			if err := store.InsertOrder(ctx, tx, bo); err != nil {
				return err
			}
			orderID = bo.ID
			o.OrderID, o.OrderNumber = bo.APSID, bo.Number
			o.Message = fmt.Sprintf("%s placed: overuse %s %s", bo.Number, bo.Total, currency)
		} else {
			o.Message = "no overuse in the billing period"
		}
		if err := store.MarkUsageBilled(ctx, tx, sub.ID, e.Expiration, orderID); err != nil {
			return err
		}
		_, err := store.MarkEvent(ctx, tx, e, orderID, o.Message)
		return err
	})
	if errors.Is(err, store.ErrAlreadyBilled) {
		o.OrderID, o.OrderNumber, o.Message, o.skipped = "", "", "skipped: billed by another process", true
		return nil
	}
	return err
}

// billingOrder builds a BO for a subscription's overuse lines: sold by the buyer's vendor, paid
// with the buyer's Auto Payments method (chosen when it is processed).
func (s *Scheduler) billingOrder(ctx context.Context, buyerID, subID int64, subAPSID, currency string, lines []pricing.Line, periodEnd time.Time) (*order.Order, error) {
	buyer, err := s.store.AccountByID(ctx, buyerID)
	if err != nil {
		return nil, err
	}
	sellers, err := s.store.Ancestors(ctx, buyer)
	if err != nil {
		return nil, err
	}
	seller := buyer
	if len(sellers) > 0 {
		seller = sellers[0]
	}
	total := money.Zero
	for _, l := range lines {
		total = total.Add(l.ExtendedPrice)
	}
	req, _ := json.Marshal(map[string]string{"type": "BILLING", "subscriptionId": subAPSID,
		"periodEnd": periodEnd.Format(time.RFC3339)})
	return &order.Order{Type: string(order.CodeBilling), BuyerID: buyer.ID, BuyerAPSID: buyer.APSID, BuyerPath: buyer.Path,
		SellerID: seller.ID, SellerAPSID: seller.APSID, Currency: currency, SubTotal: total, Total: total,
		Flow: order.New, PaymentStatus: order.PaymentNotStarted, ProvisioningStatus: order.ProvisioningNotStarted,
		SubscriptionID: subID, SubscriptionAPSID: subAPSID, EndCustomerName: buyer.EndCustomerName(),
		EndCustomerType: string(buyer.Type), Request: req, Comment: "Overuse of the billing period ending " +
			periodEnd.Format("2006-01-02"), Lines: lines}, nil
}
