package api

import (
	"bytes"
	"encoding/json"
	"errors"
	"net/http"
	"time"

	"github.com/openbss/openbss/internal/catalog"
	"github.com/openbss/openbss/internal/money"
	"github.com/openbss/openbss/internal/pricing"
	"github.com/openbss/openbss/internal/problem"
	"github.com/openbss/openbss/internal/store"
	"github.com/openbss/openbss/internal/subscription"
)

// Usage reporting: the OSS or a metering system reports how much of each resource a
// subscription uses; at the end of the billing period the peak above the subscription's limit
// is billed as overuse in a billing order (BO) when the plan prices it (internal/scheduler).

// usageRecordJSON is one measurement: {"resourceId": "…", "amount": 12, "measuredAt": "…"}
// (measuredAt defaults to now).
type usageRecordJSON struct {
	ResourceID string         `json:"resourceId"`
	Amount     *money.Decimal `json:"amount"`
	MeasuredAt *time.Time     `json:"measuredAt"`
}

type usageResourceJSON struct {
	ResourceID string        `json:"resourceId"`
	Name       string        `json:"name"`
	Unit       string        `json:"unit"`
	Limit      money.Decimal `json:"limit"`
	Peak       money.Decimal `json:"peak"`
	Overuse    money.Decimal `json:"overuse"`
	OveruseFee money.Amount  `json:"overuseFee"`
}

type usageJSON struct {
	SubscriptionID string              `json:"subscriptionId"`
	PeriodStart    timestamp           `json:"periodStart"`
	PeriodEnd      timestamp           `json:"periodEnd"`
	Resources      []usageResourceJSON `json:"resources"`
}

// visibleSubscription reads a subscription the caller may see (404 otherwise).
func (s *Server) visibleSubscription(r *http.Request) (*subscription.Subscription, error) {
	sub, err := s.store.Subscription(r.Context(), r.PathValue("id"))
	if err == nil {
		_, err = s.visibleAccount(r, sub.AccountAPSID)
	}
	if err != nil {
		return nil, problem.NotFound("subscription %q not found", r.PathValue("id"))
	}
	return sub, nil
}

// postUsage is POST /aps/2/collections/bss-subscriptions/{id}/usage with one measurement or a
// list of them; it answers the running period's usage.
func (s *Server) postUsage(w http.ResponseWriter, r *http.Request) {
	sub, err := s.visibleSubscription(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	body, err := readBody(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	var recs []usageRecordJSON
	if t := bytes.TrimSpace(body); len(t) > 0 && t[0] == '{' {
		body = append(append([]byte{'['}, t...), ']')
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&recs); err != nil || len(recs) == 0 || len(recs) > 1000 {
		s.fail(w, r, problem.Invalid("InvalidUsage", `the body must be {"resourceId": "…", "amount": N, "measuredAt": "<RFC 3339>"} or a list of 1 to 1000 of them`))
		return
	}
	plan, err := s.store.Plan(r.Context(), sub.PlanAPSID)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	rates := make([]catalog.ResourceRate, len(recs))
	for i, u := range recs {
		rate, ok := plan.FindRate(u.ResourceID)
		switch {
		case !ok:
			err = problem.Unprocessable("UnknownResource", "[%d].resourceId: %q is not a resource of plan '%s'", i, u.ResourceID, plan.Name)
		case u.Amount == nil || u.Amount.Sign() < 0:
			err = problem.Invalid("InvalidUsage", "[%d].amount: required, at least 0", i)
		}
		if err != nil {
			s.fail(w, r, err)
			return
		}
		rates[i] = rate
	}
	for i, u := range recs {
		at := s.store.Now()
		if u.MeasuredAt != nil {
			at = *u.MeasuredAt
		}
		if _, _, err := s.store.RecordUsage(r.Context(), sub, rates[i].ResourceID, *u.Amount, at); err != nil {
			if errors.Is(err, store.ErrUsagePeriod) {
				err = problem.Unprocessable("UsageOutsidePeriod", "[%d].measuredAt: %v", i, err)
			}
			s.fail(w, r, err)
			return
		}
	}
	s.writeUsage(w, r, sub, plan)
}

// getUsage is GET /aps/2/collections/bss-subscriptions/{id}/usage: the running billing period's
// peaks against the limits.
func (s *Server) getUsage(w http.ResponseWriter, r *http.Request) {
	sub, err := s.visibleSubscription(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	plan, err := s.store.Plan(r.Context(), sub.PlanAPSID)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.writeUsage(w, r, sub, plan)
}

func (s *Server) writeUsage(w http.ResponseWriter, r *http.Request, sub *subscription.Subscription, plan *catalog.Plan) {
	start, end := pricing.CurrentBillingPeriod(*sub)
	out := usageJSON{SubscriptionID: sub.APSID, PeriodStart: timestamp(start), PeriodEnd: timestamp(end),
		Resources: []usageResourceJSON{}}
	_, peaks, err := s.store.UsagePeriod(r.Context(), sub.ID, end)
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		s.fail(w, r, err)
		return
	}
	for _, p := range peaks {
		rate, _ := plan.FindRate(p.ResourceAPSID)
		out.Resources = append(out.Resources, usageResourceJSON{ResourceID: p.ResourceAPSID, Name: p.Name, Unit: p.Unit,
			Limit: p.Limit, Peak: p.Peak, Overuse: money.Max(p.Peak.Sub(p.Limit), money.Zero),
			OveruseFee: money.Amount{Value: rate.OveruseFee, Code: plan.Currency}})
	}
	writeJSON(w, http.StatusOK, out)
}
