package order

import (
	"encoding/json"
	"errors"
	"github.com/openbss/openbss/internal/seedexamples"
	"net/http"
	"strings"
	"testing"

	"github.com/openbss/openbss/internal/catalog"
	"github.com/openbss/openbss/internal/money"
	"github.com/openbss/openbss/internal/pricing"
	"github.com/openbss/openbss/internal/problem"
)

// The request bodies of seed 002, verbatim (the sales example without its "// Another ..."
// placeholders, which are not JSON).
var seedBodies = map[string]string{
	"sales":        seedexamples.SalesOrder,
	"renewal":      seedexamples.Renewal,
	"switch":       seedexamples.ChangeSwitch,
	"limits":       seedexamples.ChangeResources,
	"cancel":       seedexamples.Cancellation,
	"cancelReason": seedexamples.CancellationWithReason,
	"estimate":     seedexamples.Estimate,
	"special":      seedexamples.PlaceSpecialPricing,
}

func decode(t *testing.T, body string) *Request {
	t.Helper()
	r, err := Decode(strings.NewReader(body))
	if err != nil {
		t.Fatalf("Decode: %v", err)
	}
	return r
}

func TestSeedBodiesDecodeAndValidate(t *testing.T) {
	for name, body := range seedBodies {
		t.Run(name, func(t *testing.T) {
			r := decode(t, body)
			if err := r.Validate(); err != nil {
				t.Fatalf("Validate: %v", err)
			}
		})
	}
}

func TestDecodeSeedSales(t *testing.T) {
	r := decode(t, seedBodies["sales"])
	if r.Type != Sales || r.AccountID != "3fef9702-b2ad-419a-9924-a56882e5f06c" || r.PromoCode != "123" {
		t.Fatalf("header fields: %+v", r)
	}
	if r.PaymentMethodID == nil || *r.PaymentMethodID != 3 {
		t.Fatalf("paymentMethodId \"3\" = %v", r.PaymentMethodID)
	}
	p := r.Products[0]
	if p.PlanID != "ae0e6e84-0d37-4b17-8f6c-5709633529ab" || p.Period != (catalog.Period{Unit: catalog.Months, Duration: 1}) {
		t.Fatalf("product: %+v", p)
	}
	if len(p.Resources) != 1 || !p.Resources[0].Amount.Equal(money.FromInt(40)) {
		t.Fatalf("resources: %+v", p.Resources)
	}
	params := p.Params()
	if len(params) != 1 || params[0]["client"] != "1st APS, inc." || params[0]["aps"] == nil {
		t.Fatalf("parameters: %+v", params)
	}
	if len(r.Attributes) != 1 || r.Attributes[0].AttributeID != "comments" || r.Attributes[0].Value != "Requested by the ERP system." {
		t.Fatalf("attributes: %+v", r.Attributes)
	}
	if len(r.AcceptedTerms) != 1 || r.AcceptedTerms[0] != "1" {
		t.Fatalf("acceptedTerms: %+v", r.AcceptedTerms)
	}
}

func TestDecodeSeedSpecialPricing(t *testing.T) {
	r := decode(t, seedBodies["special"])
	sp := r.SpecialPricing
	if sp == nil || len(sp.Products) != 1 || !sp.AppliesToRenewal() {
		t.Fatalf("specialPricing: %+v", sp)
	}
	p := sp.Products[0]
	if p.Prices.Setup == nil || !p.Prices.Setup.Equal(money.MustParse("1.2")) || p.Prices.Recurring != nil {
		t.Fatalf("prices: %+v", p.Prices)
	}
	if !p.Costs.Recurring.Equal(money.FromInt(14)) || !p.Resources[0].Costs.Recurring.Equal(money.MustParse("0.3")) {
		t.Fatalf("costs: %+v", p.Costs)
	}
}

func TestDecodeCancellationReason(t *testing.T) {
	r := decode(t, seedBodies["cancelReason"])
	if r.ReasonID == nil || *r.ReasonID != 14 || r.RefundType != RefundCreditMemo || r.Comment != "Requested through the ERP system." {
		t.Fatalf("%+v", r)
	}
}

func TestNumericID(t *testing.T) {
	for in, want := range map[string]NumericID{`3`: 3, `"3"`: 3, `"11"`: 11, `0`: 0, `" 7 "`: 7, `-2`: -2} {
		var n NumericID
		if err := json.Unmarshal([]byte(in), &n); err != nil || n != want {
			t.Errorf("%s → %d, %v; want %d", in, n, err, want)
		}
	}
	for _, in := range []string{`"abc"`, `1.5`, `true`, `"3a"`, `{}`, `"99999999999999999999"`} {
		var n NumericID
		if err := json.Unmarshal([]byte(in), &n); err == nil {
			t.Errorf("%s → %d, want an error", in, n)
		}
	}
}

func TestDecodeAcceptsUnknownFields(t *testing.T) {
	r := decode(t, `{"type":"CANCELLATION","subscriptionId":"s","x-erp-ref":{"a":[1,2]},"products2":1}`)
	if err := r.Validate(); err != nil {
		t.Fatal(err)
	}
}

func wantProblem(t *testing.T, err error, status int, typ, inMessage string) {
	t.Helper()
	p, ok := problem.As(err)
	if !ok {
		t.Fatalf("error %v (%T) is not a *problem.Error", err, err)
	}
	if p.Status != status || p.Type != typ || !strings.Contains(p.Message, inMessage) {
		t.Fatalf("got %d %s %q; want %d %s containing %q", p.Status, p.Type, p.Message, status, typ, inMessage)
	}
}

func TestDecodeErrors(t *testing.T) {
	tests := []struct {
		name, body, typ, msg string
	}{
		{"empty", ``, ErrEmptyBody, "empty"},
		{"blank", "  \n", ErrEmptyBody, "empty"},
		{"syntax", `{"type": "SALES",}`, ErrMalformedJSON, "byte"},
		{"truncated", `{"type": "SALES"`, ErrMalformedJSON, "ends too early"},
		{"two values", `{"type":"SALES"} {}`, ErrMalformedJSON, "more than one"},
		{"trailing garbage", `{"type":"SALES"} x`, ErrMalformedJSON, "more than one"},
		{"array", `[]`, ErrInvalidFieldType, "must be a JSON object"},
		{"string", `"SALES"`, ErrInvalidFieldType, "must be a JSON object"},
		{"type number", `{"type": 1}`, ErrInvalidFieldType, "type: expected a string"},
		{"duration string", `{"products":[{"period":{"unit":"MONTHS","duration":"1"}}]}`, ErrInvalidFieldType,
			"products.period.duration: expected an integer"},
		{"duration fraction", `{"products":[{"period":{"unit":"MONTHS","duration":1.5}}]}`, ErrInvalidFieldType,
			"products.period.duration: expected an integer"},
		{"amount word", `{"products":[{"resources":[{"resourceId":"r","amount":"many"}]}]}`, ErrInvalidFieldType,
			"products.resources.amount: expected a decimal number"},
		{"amount bool", `{"resources":[{"resourceId":"r","amount":true}]}`, ErrInvalidFieldType, "resources.amount"},
		{"amount too precise", `{"resources":[{"resourceId":"r","amount":1e-30}]}`, ErrInvalidFieldType, "resources.amount"},
		{"payment method", `{"paymentMethodId": "card"}`, ErrInvalidFieldType, "paymentMethodId: expected an integer id"},
		{"reason", `{"reasonId": "x"}`, ErrInvalidFieldType, "reasonId"},
		{"products object", `{"products": {}}`, ErrInvalidFieldType, "products: expected an array"},
		{"attribute value", `{"attributes":[{"attributeID":"a","value":1}]}`, ErrInvalidFieldType, "attributes.value: expected a string"},
		{"special price", `{"specialPricing":{"products":[{"prices":{"setup":"free"}}]}}`, ErrInvalidFieldType,
			"specialPricing.products.prices.setup"},
		{"special not object", `{"specialPricing": []}`, ErrInvalidFieldType, "specialPricing: expected an object"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Decode(strings.NewReader(tt.body))
			wantProblem(t, err, http.StatusBadRequest, tt.typ, tt.msg)
		})
	}
}

// mutate decodes a seed body, changes it and validates it.
func mutate(t *testing.T, name string, change func(*Request)) error {
	t.Helper()
	r := decode(t, seedBodies[name])
	change(r)
	return r.Validate()
}

func per(u catalog.Unit, n int) *catalog.Period { return &catalog.Period{Unit: u, Duration: n} }

func dec(s string) *money.Decimal { v := money.MustParse(s); return &v }

func TestValidate(t *testing.T) {
	tests := []struct {
		name   string
		body   string
		change func(*Request)
		typ    string
		msg    string
	}{
		{"no type", "sales", func(r *Request) { r.Type = "" }, ErrInvalidOrderType, "type: required"},
		{"unknown type", "sales", func(r *Request) { r.Type = "PURCHASE" }, ErrInvalidOrderType, `"PURCHASE"`},
		{"lower-case type", "sales", func(r *Request) { r.Type = "sales" }, ErrInvalidOrderType, "type"},
		{"sales without account", "sales", func(r *Request) { r.AccountID = " " }, ErrMissingAccount, "accountId"},
		{"sales without products", "sales", func(r *Request) { r.Products = nil }, ErrMissingProducts, "products"},
		{"sales with subscription", "sales", func(r *Request) { r.SubscriptionID = "s" }, ErrUnexpectedField, "subscriptionId"},
		{"sales with top planId", "sales", func(r *Request) { r.PlanID = "p" }, ErrUnexpectedField, "products[].planId"},
		{"sales with top period", "sales", func(r *Request) { r.Period = per(catalog.Months, 1) }, ErrUnexpectedField, "period"},
		{"sales with top resources", "sales", func(r *Request) { r.Resources = []pricing.Amount{{ResourceID: "r"}} },
			ErrUnexpectedField, "resources"},
		{"product without plan", "sales", func(r *Request) { r.Products[0].PlanID = "" }, ErrMissingPlan, "products[0].planId"},
		{"product without period", "sales", func(r *Request) { r.Products[0].Period = catalog.Period{} }, ErrInvalidPeriod,
			"products[0].period: required"},
		{"bad unit", "sales", func(r *Request) { r.Products[0].Period.Unit = "WEEKS" }, ErrInvalidPeriod, "products[0].period.unit"},
		{"lower-case unit", "sales", func(r *Request) { r.Products[0].Period.Unit = "months" }, ErrInvalidPeriod, "products[0].period.unit"},
		{"zero duration", "sales", func(r *Request) { r.Products[0].Period.Duration = 0 }, ErrInvalidPeriod, "products[0].period.duration"},
		{"negative duration", "sales", func(r *Request) { r.Products[0].Period.Duration = -1 }, ErrInvalidPeriod, "products[0].period.duration"},
		{"negative amount", "sales", func(r *Request) { r.Products[0].Resources[0].Amount = money.FromInt(-1) }, ErrInvalidAmount,
			"products[0].resources[0].amount"},
		{"resource without id", "sales", func(r *Request) { r.Products[0].Resources[0].ResourceID = "" }, ErrMissingResource,
			"products[0].resources[0].resourceId"},
		{"duplicate resource", "sales", func(r *Request) {
			r.Products[0].Resources = append(r.Products[0].Resources, pricing.Amount{ResourceID: strings.ToUpper(r.Products[0].Resources[0].ResourceID)})
		}, ErrDuplicateResourceID, "products[0].resources[1]"},
		{"parameters not an object", "sales", func(r *Request) { r.Products[0].Parameters = []json.RawMessage{json.RawMessage(`[1]`)} },
			ErrInvalidParameters, "products[0].parameters[0]"},
		{"child without plan", "sales", func(r *Request) { r.Products[0].ChildProducts = []Product{{Period: r.Products[0].Period}} },
			ErrMissingPlan, "products[0].childProducts[0].planId"},
		{"children too deep", "sales", func(r *Request) {
			p := Product{PlanID: "c", Period: r.Products[0].Period}
			for range 4 {
				p = Product{PlanID: "c", Period: p.Period, ChildProducts: []Product{p}}
			}
			r.Products = []Product{p}
		}, ErrTooDeep, "childProducts"},
		{"too many products", "sales", func(r *Request) {
			for range MaxProducts {
				r.Products = append(r.Products, r.Products[0])
			}
		}, ErrTooManyProducts, "products[100]"},
		{"attribute without id", "sales", func(r *Request) { r.Attributes[0].AttributeID = "" }, ErrInvalidAttribute, "attributes[0].attributeID"},
		{"attribute twice", "sales", func(r *Request) { r.Attributes = append(r.Attributes, r.Attributes[0]) }, ErrInvalidAttribute, "attributes[1]"},
		{"empty term", "sales", func(r *Request) { r.AcceptedTerms = []string{""} }, ErrInvalidAcceptedTerms, "acceptedTerms[0]"},
		{"negative payment method", "sales", func(r *Request) { n := NumericID(-1); r.PaymentMethodID = &n }, ErrInvalidPaymentMethod, "paymentMethodId"},
		{"refund on sales", "sales", func(r *Request) { r.RefundType = RefundDirect }, ErrUnexpectedField, "refundType"},
		{"long comment", "sales", func(r *Request) { r.Comment = strings.Repeat("é", MaxCommentLength+1) }, ErrInvalidComment, "comment"},
		{"long promo", "sales", func(r *Request) { r.PromoCode = strings.Repeat("x", MaxPromoCode+1) }, ErrInvalidPromoCode, "promoCode"},

		{"renewal without subscription", "renewal", func(r *Request) { r.SubscriptionID = "" }, ErrMissingSubscription, "subscriptionId"},
		{"renewal with products", "renewal", func(r *Request) { r.Products = []Product{{PlanID: "p"}} }, ErrUnexpectedField, "products"},
		{"renewal with plan", "renewal", func(r *Request) { r.PlanID = "p" }, ErrUnexpectedField, "planId"},
		{"renewal with resources", "renewal", func(r *Request) { r.Resources = []pricing.Amount{{ResourceID: "r"}} }, ErrUnexpectedField, "resources"},
		{"renewal bad period", "renewal", func(r *Request) { r.Period.Duration = 0 }, ErrInvalidPeriod, "period.duration"},
		{"renewal empty period", "renewal", func(r *Request) { r.Period = &catalog.Period{} }, ErrInvalidPeriod, "period: required"},

		{"change without subscription", "switch", func(r *Request) { r.SubscriptionID = "" }, ErrMissingSubscription, "subscriptionId"},
		{"change of nothing", "switch", func(r *Request) { r.PlanID, r.Period = "", nil }, ErrEmptyChange, "planId, period or resources"},
		{"change negative amount", "limits", func(r *Request) { r.Resources[0].Amount = money.FromInt(-5) }, ErrInvalidAmount, "resources[0].amount"},
		{"change duplicate resource", "limits", func(r *Request) { r.Resources = append(r.Resources, r.Resources[0]) }, ErrDuplicateResourceID, "resources[1]"},
		{"change with products", "limits", func(r *Request) { r.Products = []Product{{PlanID: "p"}} }, ErrUnexpectedField, "products"},
		{"change refund", "limits", func(r *Request) { r.RefundType = RefundCreditMemo }, ErrUnexpectedField, "refundType"},

		{"cancel without subscription", "cancel", func(r *Request) { r.SubscriptionID = "" }, ErrMissingSubscription, "subscriptionId"},
		{"cancel bad refund", "cancel", func(r *Request) { r.RefundType = "CASH" }, ErrInvalidRefundType, "refundType"},
		{"cancel with promo", "cancel", func(r *Request) { r.PromoCode = "123" }, ErrUnexpectedField, "promoCode"},
		{"cancel with period", "cancel", func(r *Request) { r.Period = per(catalog.Months, 1) }, ErrUnexpectedField, "period"},
		{"cancel with resources", "cancel", func(r *Request) { r.Resources = []pricing.Amount{{ResourceID: "r"}} }, ErrUnexpectedField, "resources"},
		{"cancel with plan", "cancel", func(r *Request) { r.PlanID = "p" }, ErrUnexpectedField, "planId"},
		{"zero reason", "cancelReason", func(r *Request) { n := NumericID(0); r.ReasonID = &n }, ErrInvalidReason, "reasonId"},

		{"empty special pricing", "special", func(r *Request) { r.SpecialPricing = &pricing.SpecialPricing{} }, ErrEmptySpecialPricing,
			"does not accept an empty specialPricing"},
		{"special pricing on renewal", "renewal", func(r *Request) { r.SpecialPricing = &pricing.SpecialPricing{} }, ErrSpecialPricingType,
			"specialPricing"},
		{"applicable to sales", "special", func(r *Request) { r.SpecialPricing.ApplicableTo = []string{"SALES"} }, ErrInvalidApplicableTo,
			"applicableTo[0]"},
		{"special without plan", "special", func(r *Request) { r.SpecialPricing.Products[0].PlanID = "" }, ErrMissingPlan,
			"specialPricing.products[0].planId"},
		{"special bad period", "special", func(r *Request) { r.SpecialPricing.Products[0].Period.Unit = "X" }, ErrInvalidPeriod,
			"specialPricing.products[0].period.unit"},
		{"special for another period", "special", func(r *Request) { r.SpecialPricing.Products[0].Period.Duration = 3 }, ErrSpecialNotOrdered,
			"specialPricing.products[0]"},
		{"special for another plan", "special", func(r *Request) { r.SpecialPricing.Products[0].PlanID = "other" }, ErrSpecialNotOrdered,
			"not among the ordered products"},
		{"special listed twice", "special", func(r *Request) {
			r.SpecialPricing.Products = append(r.SpecialPricing.Products, r.SpecialPricing.Products[0])
		}, ErrDuplicateSpecialPrice, "specialPricing.products[1]"},
		{"special sets nothing", "special", func(r *Request) {
			p := &r.SpecialPricing.Products[0]
			p.Prices, p.Costs, p.Resources = &pricing.PlanFees{}, nil, nil
		}, ErrEmptySpecialPricing, "specialPricing.products[0]: sets no price"},
		{"special negative price", "special", func(r *Request) { r.SpecialPricing.Products[0].Prices.Setup = dec("-1") }, ErrInvalidSpecialPrice,
			"specialPricing.products[0].prices.setup"},
		{"special negative cost", "special", func(r *Request) { r.SpecialPricing.Products[0].Costs.Renewal = dec("-0.01") }, ErrInvalidSpecialPrice,
			"specialPricing.products[0].costs.renewal"},
		{"special resource without id", "special", func(r *Request) { r.SpecialPricing.Products[0].Resources[0].ResourceID = "" },
			ErrMissingResource, "specialPricing.products[0].resources[0].resourceId"},
		{"special resource empty", "special", func(r *Request) {
			r.SpecialPricing.Products[0].Resources[0].Prices, r.SpecialPricing.Products[0].Resources[0].Costs = nil, &pricing.ResourceFees{}
		}, ErrEmptySpecialPricing, "specialPricing.products[0].resources[0]: sets no price"},
		{"special resource negative", "special", func(r *Request) { r.SpecialPricing.Products[0].Resources[0].Costs.Overuse = dec("-2") },
			ErrInvalidSpecialPrice, "specialPricing.products[0].resources[0].costs.overuse"},
		{"special resource twice", "special", func(r *Request) {
			p := &r.SpecialPricing.Products[0]
			p.Resources = append(p.Resources, p.Resources[0])
		}, ErrDuplicateSpecialPrice, "specialPricing.products[0].resources[1]"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			wantProblem(t, mutate(t, tt.body, tt.change), http.StatusBadRequest, tt.typ, tt.msg)
		})
	}
}

func TestEmptySpecialPricingJSON(t *testing.T) {
	// The seed's warning: an empty specialPricing structure is refused; a missing or null one is fine.
	r := decode(t, strings.Replace(seedBodies["estimate"], `"promoCode"`, `"specialPricing": {}, "promoCode"`, 1))
	wantProblem(t, r.Validate(), http.StatusBadRequest, ErrEmptySpecialPricing, "specialPricing")
	r = decode(t, strings.Replace(seedBodies["estimate"], `"promoCode"`, `"specialPricing": null, "promoCode"`, 1))
	if err := r.Validate(); err != nil {
		t.Fatal(err)
	}
}

func TestSpecialPricingForChildProduct(t *testing.T) {
	err := mutate(t, "special", func(r *Request) {
		child := r.Products[0]
		child.PlanID = "child"
		r.Products[0].ChildProducts = []Product{child}
		r.SpecialPricing.Products[0].PlanID = "child"
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestCodeFor(t *testing.T) {
	tests := []struct {
		t     Type
		total string
		want  Code
	}{
		{Sales, "20.84", CodeSales}, {Renewal, "4.25", CodeRenewal}, {Change, "-1", CodeChange},
		{Cancellation, "-3.19", CodeCancellation}, {Cancellation, "0", CodeCancellationFee},
		{Cancellation, "5", CodeCancellationFee}, {"OTHER", "0", ""},
	}
	for _, tt := range tests {
		if got := CodeFor(tt.t, money.MustParse(tt.total)); got != tt.want {
			t.Errorf("CodeFor(%s, %s) = %q, want %q", tt.t, tt.total, got, tt.want)
		}
	}
	for _, c := range []Code{CodeSales, CodeRenewal, CodeChange, CodeCancellation, CodeCancellationFee, CodeBilling} {
		if !c.Valid() {
			t.Errorf("%s is not valid", c)
		}
	}
	if Code("XX").Valid() {
		t.Error("XX is valid")
	}
}

func TestPricingInput(t *testing.T) {
	r := decode(t, seedBodies["special"])
	r.Products[0].ChildProducts = []Product{{PlanID: "child", Period: r.Products[0].Period}}
	in := r.PricingInput(true)
	if in.Type != pricing.Sales || in.AccountID != r.AccountID || in.PromoCode != "123" || !in.ExcludeTaxes ||
		in.SpecialPricing != r.SpecialPricing || len(in.Products) != 1 || len(in.Products[0].Children) != 1 ||
		in.Products[0].Children[0].PlanID != "child" || !in.Products[0].Resources[0].Amount.Equal(money.FromInt(20)) {
		t.Fatalf("%+v", in)
	}
	c := decode(t, seedBodies["switch"]).PricingInput(false)
	if c.Type != pricing.Change || c.SubscriptionID == "" || c.PlanID == "" || c.Period == nil || c.Period.Duration != 3 {
		t.Fatalf("%+v", c)
	}
}

func FuzzDecodeValidate(f *testing.F) {
	for _, b := range seedBodies {
		f.Add(b)
	}
	for _, b := range []string{``, `{}`, `null`, `[]`, `{"type":"SALES","products":[{"childProducts":[{"childProducts":[{}]}]}]}`,
		`{"type":"CHANGE","subscriptionId":"s","resources":[{"resourceId":"r","amount":"1e3"}]}`,
		`{"type":"SALES","accountId":"a","products":[{"planId":"p","period":{"unit":"DAYS","duration":30}}],"specialPricing":{"products":[{}]}}`,
		`{"paymentMethodId":"9223372036854775807","reasonId":-1}`} {
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, body string) {
		r, err := Decode(strings.NewReader(body))
		if err == nil {
			err = r.Validate()
			if err == nil {
				_ = r.PricingInput(false)
				return
			}
		}
		var p *problem.Error
		if !errors.As(err, &p) {
			t.Fatalf("%q: error %v (%T) is not a *problem.Error", body, err, err)
		}
		if p.Status < 400 || p.Status > 499 || p.Type == "" || p.Message == "" {
			t.Fatalf("%q: %d %q %q", body, p.Status, p.Type, p.Message)
		}
	})
}
