package pricing

import (
	"github.com/openbss/openbss/internal/catalog"
	"github.com/openbss/openbss/internal/money"
)

// CheckDependencies validates the resource amounts a subscription will have after an order
// against the resources' REQUIRES and PROVIDED_BY dependencies, with the seed's messages:
//
//   - REQUIRES: a resource with a positive amount needs at least Amount units of its parent.
//     When the order lowers the parent (a downgrade) without lowering the child, the message
//     asks to downgrade; otherwise it names the missing amount.
//   - PROVIDED_BY: the child's amount may not exceed the parent's.
//
// before is nil for a new subscription; otherwise only dependencies whose child or parent the
// order changes are checked, so an order is never refused for a state it did not create.
// Violations are 422 (the original platform answers 500).
func CheckDependencies(resources []catalog.Resource, before, after map[string]money.Decimal) error {
	for i := range resources {
		r := &resources[i]
		child := after[r.APSID]
		for _, d := range r.Dependencies {
			parent := after[d.ParentAPSID]
			if before != nil && child.Equal(before[r.APSID]) && parent.Equal(before[d.ParentAPSID]) {
				continue
			}
			parentName := d.ParentName
			if parentName == "" {
				parentName = nameOf(resources, d.ParentAPSID)
			}
			switch d.Kind {
			case catalog.Requires:
				if child.Sign() <= 0 || parent.Cmp(d.Amount) >= 0 {
					continue
				}
				if before != nil && parent.Cmp(before[d.ParentAPSID]) < 0 && child.Cmp(before[r.APSID]) >= 0 {
					return unprocessable(ErrResourceRequiredBy,
						"The order cannot be accepted: Resource '%s' is required for\nresource '%s'. Please downgrade necessary resource(s).",
						parentName, r.Name)
				}
				return unprocessable(ErrResourceRequires,
					"The order cannot be accepted: Resource '%s' requires resource '%s'.\nPlease add necessary resource(s) to the order. Lack of resource '%s': %s.",
					r.Name, parentName, parentName, d.Amount.Sub(parent))
			case catalog.ProvidedBy:
				if child.Cmp(parent) <= 0 {
					continue
				}
				return unprocessable(ErrResourceProvidedBy,
					"The order cannot be accepted: Resource '%s' is provided by Resource '%s'.\nAmount of resource '%s' cannot be less than amount of resource '%s'.",
					r.Name, parentName, parentName, r.Name)
			}
		}
	}
	return nil
}

func nameOf(resources []catalog.Resource, apsID string) string {
	for _, r := range resources {
		if sameID(r.APSID, apsID) {
			return r.Name
		}
	}
	return apsID
}
