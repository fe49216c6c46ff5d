package pricing

import (
	"testing"

	"github.com/openbss/openbss/internal/catalog"
	"github.com/openbss/openbss/internal/money"
)

func depResources(kind catalog.DependencyKind, amount string) []catalog.Resource {
	return []catalog.Resource{
		{APSID: "parent", Name: "Parent Resource"},
		{APSID: "child", Name: "Child Resource", Dependencies: []catalog.Dependency{
			{Kind: kind, ParentAPSID: "parent", ParentName: "Parent Resource", Amount: d(amount)}}},
	}
}

func amounts(parent, child string) map[string]money.Decimal {
	return map[string]money.Decimal{"parent": d(parent), "child": d(child)}
}

// The seed's messages, verbatim (the original answers 500; we answer 422).
const (
	msgRequires = "The order cannot be accepted: Resource 'Child Resource' requires resource 'Parent Resource'.\n" +
		"Please add necessary resource(s) to the order. Lack of resource 'Parent Resource': 2.0."
	msgRequiredFor = "The order cannot be accepted: Resource 'Parent Resource' is required for\n" +
		"resource 'Child Resource'. Please downgrade necessary resource(s)."
	msgProvidedBy = "The order cannot be accepted: Resource 'Child Resource' is provided by Resource 'Parent Resource'.\n" +
		"Amount of resource 'Parent Resource' cannot be less than amount of resource 'Child Resource'."
)

func TestCheckDependencies(t *testing.T) {
	tests := []struct {
		name          string
		kind          catalog.DependencyKind
		need          string
		before, after map[string]money.Decimal
		typ, msg      string
	}{
		{"requires: new subscription without the parent", catalog.Requires, "2", nil, amounts("0", "1"), ErrResourceRequires, msgRequires},
		{"requires: enough parent", catalog.Requires, "2", nil, amounts("2", "1"), "", ""},
		{"requires: no child, no need", catalog.Requires, "2", nil, amounts("0", "0"), "", ""},
		{"requires: upgrade of the child", catalog.Requires, "2", amounts("0", "0"), amounts("0", "5"), ErrResourceRequires, msgRequires},
		{"requires: partly there", catalog.Requires, "3", nil, amounts("1", "1"), ErrResourceRequires, "Lack of resource 'Parent Resource': 2.0."},
		{"requires: downgrade of the parent", catalog.Requires, "2", amounts("2", "1"), amounts("1", "1"), ErrResourceRequiredBy, msgRequiredFor},
		{"requires: downgrade of both is fine", catalog.Requires, "2", amounts("2", "1"), amounts("1", "0"), "", ""},
		{"requires: untouched old violation", catalog.Requires, "2", amounts("0", "1"), amounts("0", "1"), "", ""},
		{"provided by: child above parent", catalog.ProvidedBy, "0", nil, amounts("1", "2"), ErrResourceProvidedBy, msgProvidedBy},
		{"provided by: equal", catalog.ProvidedBy, "0", nil, amounts("2", "2"), "", ""},
		{"provided by: downgrade of the parent", catalog.ProvidedBy, "0", amounts("5", "3"), amounts("2", "3"), ErrResourceProvidedBy, msgProvidedBy},
		{"provided by: upgrade of the child", catalog.ProvidedBy, "0", amounts("5", "3"), amounts("5", "6"), ErrResourceProvidedBy, msgProvidedBy},
		{"provided by: untouched", catalog.ProvidedBy, "0", amounts("1", "3"), amounts("1", "3"), "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := CheckDependencies(depResources(tt.kind, tt.need), tt.before, tt.after)
			if tt.typ == "" {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			wantProblem(t, err, 422, tt.typ, tt.msg)
		})
	}
}

func TestDependenciesInOrders(t *testing.T) {
	snap := seedSnapshot()
	p := seedPlanOf(&snap)
	p.Rates = append(p.Rates, catalog.ResourceRate{ResourceAPSID: "ip", ResourceName: "IP Address", Unit: "unit",
		Max: catalog.Unlimited, RecurringFee: d("3"), ChargePerUnit: true})
	snap.Resources = append(snap.Resources, catalog.Resource{APSID: "ip", Name: "IP Address",
		Dependencies: []catalog.Dependency{{Kind: catalog.Requires, ParentAPSID: seedResource, Amount: d("25")}}})
	in := seedInput()
	in.Products[0].Resources = append(in.Products[0].Resources, Amount{ResourceID: "ip", Amount: d("1")})
	_, err := Estimate(in, snap)
	wantProblem(t, err, 422, ErrResourceRequires,
		"Resource 'IP Address' requires resource 'Cloud VPS'.\nPlease add necessary resource(s) to the order. Lack of resource 'Cloud VPS': 5.0.")

	// a CHANGE that lowers the parent below what the child needs
	sub := subSnapshot()
	sub.Plans, sub.Resources = snap.Plans, snap.Resources
	sub.Subscription.Resources = append(sub.Subscription.Resources[:0:0],
		subResource(seedResource, "30"), subResource("ip", "1"))
	ch := subInput(Change)
	ch.Resources = []Amount{{ResourceID: seedResource, Amount: d("10")}}
	_, err = Estimate(ch, sub)
	wantProblem(t, err, 422, ErrResourceRequiredBy, "Resource 'Cloud VPS' is required for\nresource 'IP Address'.")
}
