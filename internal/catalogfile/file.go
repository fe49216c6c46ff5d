// Package catalogfile is the provider's catalog as one reviewable YAML file: the accounts that
// sell (and, optionally, buy), their payment methods, resources, terms, service plans,
// delegations with their costs, promotions, tax rules and reason codes. It parses and writes the
// file, validates catalog entities (the management API uses the same rules), exports a database
// as a file, and applies a file to a database idempotently: it computes the changes as a diff,
// and applying the same file twice changes nothing the second time.
package catalogfile

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/openbss/openbss/internal/catalog"
	"github.com/openbss/openbss/internal/money"
)

// File is a catalog file. Sections are applied in the order of the fields; within a section,
// entities are matched to the database by their key (see each type) and created or updated.
// Entities of the database that the file does not name are left alone.
type File struct {
	Accounts       []Account       `yaml:"accounts,omitempty" json:"accounts,omitempty"`
	PaymentMethods []PaymentMethod `yaml:"paymentMethods,omitempty" json:"paymentMethods,omitempty"`
	Resources      []Resource      `yaml:"resources,omitempty" json:"resources,omitempty"`
	Terms          []Term          `yaml:"terms,omitempty" json:"terms,omitempty"`
	Plans          []Plan          `yaml:"plans,omitempty" json:"plans,omitempty"`
	Delegations    []Delegation    `yaml:"delegations,omitempty" json:"delegations,omitempty"`
	Promotions     []Promotion     `yaml:"promotions,omitempty" json:"promotions,omitempty"`
	TaxRules       []TaxRule       `yaml:"taxRules,omitempty" json:"taxRules,omitempty"`
	ReasonCodes    []ReasonCode    `yaml:"reasonCodes,omitempty" json:"reasonCodes,omitempty"`
}

// Account is an account of the tree, keyed by its APS id. Parents come before their children.
type Account struct {
	ID         string      `yaml:"id" json:"id"`
	Number     int64       `yaml:"number,omitempty" json:"number,omitempty"` // the numeric id (1000001…)
	Parent     string      `yaml:"parent,omitempty" json:"parent,omitempty"`
	Type       string      `yaml:"type" json:"type"`
	Status     string      `yaml:"status,omitempty" json:"status,omitempty"` // ACTIVE
	Name       string      `yaml:"name" json:"name"`
	FirstName  string      `yaml:"firstName,omitempty" json:"firstName,omitempty"`
	LastName   string      `yaml:"lastName,omitempty" json:"lastName,omitempty"`
	Email      string      `yaml:"email,omitempty" json:"email,omitempty"`
	TaxZone    string      `yaml:"taxZone,omitempty" json:"taxZone,omitempty"`
	Currency   string      `yaml:"currency,omitempty" json:"currency,omitempty"` // USD
	CanOrder   *bool       `yaml:"canOrder,omitempty" json:"canOrder,omitempty"` // true
	Attributes []Attribute `yaml:"attributes,omitempty" json:"attributes,omitempty"`
}

// Attribute is an account attribute.
type Attribute struct {
	ID    string `yaml:"id" json:"id"`
	Value string `yaml:"value" json:"value"`
}

// PaymentMethod is a payment method, keyed by its id. Without an owner it is offered by its
// vendor to all the vendor's customers.
type PaymentMethod struct {
	ID              int64  `yaml:"id" json:"id"`
	Vendor          string `yaml:"vendor" json:"vendor"`
	Owner           string `yaml:"owner,omitempty" json:"owner,omitempty"`
	PaymentSystemID string `yaml:"paymentSystemId" json:"paymentSystemId"`
	PaymentSystem   string `yaml:"paymentSystem,omitempty" json:"paymentSystem,omitempty"` // the paymentSystemId
	Name            string `yaml:"name" json:"name"`
	Number          string `yaml:"number,omitempty" json:"number,omitempty"`
	Type            string `yaml:"type" json:"type"`
	Status          string `yaml:"status,omitempty" json:"status,omitempty"`     // ACTIVE
	Ratified        string `yaml:"ratified,omitempty" json:"ratified,omitempty"` // NOT_REQUIRED
	Default         bool   `yaml:"default,omitempty" json:"default,omitempty"`
}

// Resource is a countable thing plans sell, keyed by its APS id (or, without one, its name).
type Resource struct {
	ID           string       `yaml:"id,omitempty" json:"id,omitempty"`
	Name         string       `yaml:"name" json:"name"`
	Unit         string       `yaml:"unit" json:"unit"`
	Description  string       `yaml:"description,omitempty" json:"description,omitempty"`
	Status       string       `yaml:"status,omitempty" json:"status,omitempty"` // ACTIVE
	Dependencies []Dependency `yaml:"dependencies,omitempty" json:"dependencies,omitempty"`
}

// Dependency says the resource needs Amount units of another resource (REQUIRES) or is limited
// by it (PROVIDED_BY). Resource is the other resource's APS id or name.
type Dependency struct {
	Kind     string `yaml:"kind" json:"kind"`
	Resource string `yaml:"resource" json:"resource"`
	Amount   Amount `yaml:"amount" json:"amount"`
}

// Term is a terms-and-conditions document, keyed by its id.
type Term struct {
	ID      string `yaml:"id" json:"id"`
	Name    string `yaml:"name" json:"name"`
	Content string `yaml:"content" json:"content"`
}

// Plan is a service plan, keyed by its APS id (or, without one, its name).
type Plan struct {
	ID                      string   `yaml:"id,omitempty" json:"id,omitempty"`
	Name                    string   `yaml:"name" json:"name"`
	Description             string   `yaml:"description,omitempty" json:"description,omitempty"`
	Owner                   string   `yaml:"owner,omitempty" json:"owner,omitempty"`   // the provider
	Status                  string   `yaml:"status,omitempty" json:"status,omitempty"` // ACTIVE
	ServiceType             string   `yaml:"serviceType,omitempty" json:"serviceType,omitempty"`
	Currency                string   `yaml:"currency,omitempty" json:"currency,omitempty"` // USD
	Billing                 Billing  `yaml:"billing,omitempty" json:"billing"`
	Periods                 []Period `yaml:"periods" json:"periods"`
	Resources               []Rate   `yaml:"resources,omitempty" json:"resources,omitempty"`
	Terms                   []string `yaml:"terms,omitempty" json:"terms,omitempty"`
	Upsells                 []string `yaml:"upsells,omitempty" json:"upsells,omitempty"`
	ActivationParameters    []string `yaml:"activationParameters,omitempty" json:"activationParameters,omitempty"`
	RequiresCreditCheck     bool     `yaml:"requiresCreditCheck,omitempty" json:"requiresCreditCheck,omitempty"`
	UniqueServiceIdentifier bool     `yaml:"uniqueServiceIdentifier,omitempty" json:"uniqueServiceIdentifier,omitempty"`
}

// Billing are a plan's billing terms; every field has a default.
type Billing struct {
	Period               Length `yaml:"period,omitempty" json:"period,omitempty"`                             // 1 MONTHS
	PricingModel         string `yaml:"pricingModel,omitempty" json:"pricingModel,omitempty"`                 // PM_FIXED_PRICE
	Model                string `yaml:"model,omitempty" json:"model,omitempty"`                               // CHARGE_BEFORE_BILLING_PERIOD
	AutoRenewal          string `yaml:"autoRenewal,omitempty" json:"autoRenewal,omitempty"`                   // DISABLED
	AutoRenewalDays      int    `yaml:"autoRenewalDays,omitempty" json:"autoRenewalDays,omitempty"`           // 0
	RecurringPricesEvery string `yaml:"recurringPricesEvery,omitempty" json:"recurringPricesEvery,omitempty"` // MONTH
}

// Period is a subscription period a plan is sold for, with its fees (absent fees are 0).
type Period struct {
	Period         Length `yaml:"period" json:"period"`
	BillingPeriods int    `yaml:"billingPeriods,omitempty" json:"billingPeriods,omitempty"` // period / billing period
	Trial          bool   `yaml:"trial,omitempty" json:"trial,omitempty"`
	Default        bool   `yaml:"default,omitempty" json:"default,omitempty"`
	Setup          Amount `yaml:"setup,omitempty" json:"setup,omitempty"`
	Recurring      Amount `yaml:"recurring,omitempty" json:"recurring,omitempty"`
	Renewal        Amount `yaml:"renewal,omitempty" json:"renewal,omitempty"`
	Transfer       Amount `yaml:"transfer,omitempty" json:"transfer,omitempty"`
	Deposit        Amount `yaml:"deposit,omitempty" json:"deposit,omitempty"`
	Refund         string `yaml:"refund,omitempty" json:"refund,omitempty"` // PRORATED
	RefundDays     int    `yaml:"refundDays,omitempty" json:"refundDays,omitempty"`
}

// Rate is a resource a plan sells. Resource is the resource's APS id or name; an absent max is
// unlimited; absent fees are 0.
type Rate struct {
	Resource      string `yaml:"resource" json:"resource"`
	Included      Amount `yaml:"included,omitempty" json:"included,omitempty"`
	Min           Amount `yaml:"min,omitempty" json:"min,omitempty"`
	Max           Amount `yaml:"max,omitempty" json:"max,omitempty"`
	Setup         Amount `yaml:"setup,omitempty" json:"setup,omitempty"`
	Recurring     Amount `yaml:"recurring,omitempty" json:"recurring,omitempty"`
	Overuse       Amount `yaml:"overuse,omitempty" json:"overuse,omitempty"`
	ChargePerUnit *bool  `yaml:"chargePerUnit,omitempty" json:"chargePerUnit,omitempty"` // true
}

// Delegation offers a plan through a reseller with the reseller's cost: a percent off its
// parent's prices, or explicit costs. Keyed by (plan, reseller).
type Delegation struct {
	Plan        string `yaml:"plan" json:"plan"`
	Reseller    string `yaml:"reseller" json:"reseller"`
	CostPercent Amount `yaml:"costPercent,omitempty" json:"costPercent,omitempty"`
	Costs       *Costs `yaml:"costs,omitempty" json:"costs,omitempty"`
}

// Costs are explicit costs of a delegated plan; a fee without one costs the parent's price.
type Costs struct {
	Periods   []PeriodCost   `yaml:"periods,omitempty" json:"periods,omitempty"`
	Resources []ResourceCost `yaml:"resources,omitempty" json:"resources,omitempty"`
}

// PeriodCost is the explicit cost of a period's fees.
type PeriodCost struct {
	Period    Length `yaml:"period" json:"period"`
	Setup     Amount `yaml:"setup,omitempty" json:"setup,omitempty"`
	Recurring Amount `yaml:"recurring,omitempty" json:"recurring,omitempty"`
	Renewal   Amount `yaml:"renewal,omitempty" json:"renewal,omitempty"`
	Transfer  Amount `yaml:"transfer,omitempty" json:"transfer,omitempty"`
}

// ResourceCost is the explicit cost of a resource's fees.
type ResourceCost struct {
	Resource  string `yaml:"resource" json:"resource"`
	Setup     Amount `yaml:"setup,omitempty" json:"setup,omitempty"`
	Recurring Amount `yaml:"recurring,omitempty" json:"recurring,omitempty"`
	Overuse   Amount `yaml:"overuse,omitempty" json:"overuse,omitempty"`
}

// Promotion is a promo code of a vendor, keyed by (vendor, code).
type Promotion struct {
	Vendor     string     `yaml:"vendor" json:"vendor"`
	Code       string     `yaml:"code" json:"code"`
	Name       string     `yaml:"name" json:"name"`
	Type       string     `yaml:"type" json:"type"` // PERCENT, FIXED
	Value      Amount     `yaml:"value" json:"value"`
	OrderTypes []string   `yaml:"orderTypes,omitempty" json:"orderTypes,omitempty"` // every type
	Plans      []string   `yaml:"plans,omitempty" json:"plans,omitempty"`           // every plan
	ValidFrom  *time.Time `yaml:"validFrom,omitempty" json:"validFrom,omitempty"`
	ValidTo    *time.Time `yaml:"validTo,omitempty" json:"validTo,omitempty"`
	Active     *bool      `yaml:"active,omitempty" json:"active,omitempty"` // true
}

// TaxRule is a tax of a tax zone, keyed by (zone, name).
type TaxRule struct {
	Zone      string `yaml:"zone" json:"zone"`
	Name      string `yaml:"name" json:"name"`
	Rate      Amount `yaml:"rate" json:"rate"` // percent
	Inclusive bool   `yaml:"inclusive,omitempty" json:"inclusive,omitempty"`
}

// ReasonCode is a reason for an operation, keyed by its id.
type ReasonCode struct {
	ID            int64             `yaml:"id" json:"id"`
	OperationType string            `yaml:"operationType" json:"operationType"`
	Description   map[string]string `yaml:"description" json:"description"`
}

// Amount is an exact decimal written as a YAML or JSON number ("4.25"). The empty Amount is
// absent.
type Amount string

// AmountOf is the canonical Amount of d.
func AmountOf(d money.Decimal) Amount { return Amount(d.String()) }

// Decimal parses the amount ("" is 0).
func (a Amount) Decimal() (money.Decimal, error) {
	if a == "" {
		return money.Zero, nil
	}
	return money.Parse(string(a))
}

// MarshalYAML writes the amount as a plain number.
func (a Amount) MarshalYAML() (any, error) {
	return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!float", Value: string(a)}, nil
}

// UnmarshalYAML reads a number (or a string holding one) and keeps it exactly as written.
func (a *Amount) UnmarshalYAML(n *yaml.Node) error {
	if n.Kind != yaml.ScalarNode {
		return fmt.Errorf("line %d: want a number, got a %s", n.Line, kindName(n.Kind))
	}
	d, err := money.Parse(n.Value)
	if err != nil {
		return fmt.Errorf("line %d: %q is not a decimal number", n.Line, n.Value)
	}
	*a = AmountOf(d)
	return nil
}

// MarshalJSON writes a JSON number.
func (a Amount) MarshalJSON() ([]byte, error) {
	if a == "" {
		return []byte("null"), nil
	}
	return []byte(a), nil
}

// UnmarshalJSON reads a JSON number or a string holding one.
func (a *Amount) UnmarshalJSON(b []byte) error {
	var d money.Decimal
	if err := d.UnmarshalJSON(b); err != nil {
		return err
	}
	if string(bytes.TrimSpace(b)) != "null" {
		*a = AmountOf(d)
	}
	return nil
}

func kindName(k yaml.Kind) string {
	switch k {
	case yaml.MappingNode:
		return "mapping"
	case yaml.SequenceNode:
		return "list"
	}
	return "value"
}

// Length is a period of time written "1 MONTHS", "3 MONTHS", "1 YEARS", "30 DAYS" (the singular
// is accepted too).
type Length catalog.Period

// MarshalText writes "1 MONTHS" ("" for the zero Length: absent).
func (l Length) MarshalText() ([]byte, error) {
	if l == (Length{}) {
		return nil, nil
	}
	return []byte(catalog.Period(l).String()), nil
}

// UnmarshalText reads "1 MONTHS" or "1 MONTH" ("" is absent).
func (l *Length) UnmarshalText(b []byte) error {
	if len(bytes.TrimSpace(b)) == 0 {
		*l = Length{}
		return nil
	}
	n, unit, ok := strings.Cut(strings.TrimSpace(string(b)), " ")
	d, err := strconv.Atoi(n)
	u := catalog.Unit(strings.ToUpper(strings.TrimSpace(unit)))
	if !strings.HasSuffix(string(u), "S") {
		u += "S"
	}
	p := catalog.Period{Unit: u, Duration: d}
	if !ok || err != nil || !p.Valid() {
		return fmt.Errorf("%q is not a period like \"1 MONTHS\" (DAYS, MONTHS, YEARS)", b)
	}
	*l = Length(p)
	return nil
}

// Parse reads a catalog file. Unknown fields are errors: a typo must not silently drop a price.
func Parse(data []byte) (*File, error) {
	var f File
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(&f); err != nil {
		if errors.Is(err, io.EOF) {
			return &f, nil
		}
		return nil, fmt.Errorf("catalog file: %w", err)
	}
	return &f, nil
}

// Header starts every written catalog file.
const Header = "# openbss catalog file: apply with `openbss catalog apply FILE` (see docs/operations.md).\n"

// Marshal writes the file as YAML.
func (f *File) Marshal() ([]byte, error) {
	var buf bytes.Buffer
	buf.WriteString(Header)
	enc := yaml.NewEncoder(&buf)
	enc.SetIndent(2)
	if err := enc.Encode(f); err != nil {
		return nil, err
	}
	if err := enc.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// yamlOf renders one entity for diffs.
func yamlOf(v any) string {
	var buf bytes.Buffer
	enc := yaml.NewEncoder(&buf)
	enc.SetIndent(2)
	if err := enc.Encode(v); err != nil {
		return fmt.Sprintf("<%v>", err)
	}
	_ = enc.Close()
	return buf.String()
}

// jsonOf is the audit form of an entity.
func jsonOf(v any) json.RawMessage {
	b, _ := json.Marshal(v)
	return b
}
