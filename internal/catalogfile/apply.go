package catalogfile

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"github.com/openbss/openbss/internal/account"
	"github.com/openbss/openbss/internal/catalog"
	"github.com/openbss/openbss/internal/problem"
	"github.com/openbss/openbss/internal/store"
)

// Change is one entity a file creates or updates, in file form before and after.
type Change struct {
	Section string // "accounts", "plans", …
	Key     string // a human name: plan "Cloud VPSes" (6b64da9a-…)
	Action  string // store.AuditCreate or store.AuditUpdate
	Before  any    // nil when created
	After   any
}

// String renders the change as a header and a line diff of the entity's YAML.
func (c Change) String() string {
	var b strings.Builder
	mark := "~"
	if c.Action == store.AuditCreate {
		mark = "+"
	}
	fmt.Fprintf(&b, "%s %s\n", mark, c.Key)
	before := ""
	if c.Before != nil {
		before = yamlOf(c.Before)
	}
	for _, l := range lineDiff(before, yamlOf(c.After)) {
		b.WriteString("    " + l + "\n")
	}
	return b.String()
}

// Options of Apply.
type Options struct {
	DryRun bool        // compute and return the changes, write nothing
	Actor  store.Actor // recorded in the audit log
}

// Apply makes the database hold what the file says: it creates the entities the database lacks
// and updates those that differ, in one transaction, recording each change in the audit log.
// It returns the changes (none when the database already matches: applying a file twice
// changes nothing the second time). A file that does not validate changes nothing.
func Apply(ctx context.Context, st *store.Store, f *File, opt Options) ([]Change, error) {
	cur, err := load(ctx, st)
	if err != nil {
		return nil, err
	}
	w := newWorld(cur)
	desired, err := w.normalize(f)
	if err != nil {
		return nil, err
	}
	changes := diff(cur.file(true), desired)
	if opt.DryRun || len(changes) == 0 {
		return changes, nil
	}
	err = st.InTx(ctx, func(tx *store.Tx) error {
		// The normalized world knows every entity of the file; creating one gives it its ids.
		a := &applier{ctx: ctx, tx: tx, w: w, actor: opt.Actor}
		for _, c := range changes {
			if err := a.apply(c); err != nil {
				return fmt.Errorf("%s: %w", c.Key, err)
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return changes, nil
}

// normalize resolves the file's references against the world, gives new entities their ids,
// checks every entity and orders each section so that what is referenced comes first. Each
// entity comes back in the compact form its stored self would export to.
func (w *world) normalize(f *File) (*File, error) {
	out := &File{}
	steps := []func() error{
		func() error { return w.normAccounts(f.Accounts, out) },
		func() error { return w.normPaymentMethods(f.PaymentMethods, out) },
		func() error { return w.normResources(f.Resources, out) },
		func() error { return w.normTerms(f.Terms, out) },
		func() error { return w.normPlans(f.Plans, out) },
		func() error { return w.normDelegations(f.Delegations, out) },
		func() error { return w.normPromotions(f.Promotions, out) },
		func() error { return w.normTaxRules(f.TaxRules, out) },
		func() error { return w.normReasonCodes(f.ReasonCodes, out) },
	}
	for _, step := range steps {
		if err := step(); err != nil {
			return nil, err
		}
	}
	return out, nil
}

func duplicate(what string) error { return invalid("%s is listed twice in the file", what) }

func (w *world) normAccounts(items []Account, out *File) error {
	seen := map[string]bool{}
	for _, it := range items {
		if seen[it.ID] {
			return duplicate(describe("account", it.Name, it.ID))
		}
		seen[it.ID] = true
	}
	// Parents first, in file order otherwise.
	done := map[string]bool{}
	for len(done) < len(items) {
		progress := false
		for _, it := range items {
			if done[it.ID] || (it.Parent != "" && seen[it.Parent] && !done[it.Parent]) {
				continue
			}
			if err := w.normAccount(it, out); err != nil {
				return err
			}
			done[it.ID], progress = true, true
		}
		if !progress {
			return invalid("accounts: their parents make a cycle")
		}
	}
	return nil
}

func (w *world) normAccount(it Account, out *File) error {
	a, parent, err := w.accountDomain(it)
	if err != nil {
		return err
	}
	what := describe("account", it.Name, it.ID)
	if cur, ok := w.accounts[it.ID]; ok {
		switch {
		case cur.ParentAPSID != a.ParentAPSID:
			return problemf("AccountMoved", "%s: its parent is %s; a file cannot move an account", what, orNone(cur.ParentAPSID))
		case cur.Type != a.Type:
			return problemf("AccountTypeChanged", "%s: it is a %s; a file cannot change an account's type", what, cur.Type)
		case it.Number != 0 && it.Number != cur.ID:
			return problemf("AccountNumberChanged", "%s: its number is %d, not %d", what, cur.ID, it.Number)
		}
		a.ID, a.Path, a.CreatedAt = cur.ID, cur.Path, cur.CreatedAt
	} else {
		for _, other := range w.accounts {
			if it.Number != 0 && other.ID == it.Number {
				return problemf("AccountNumberTaken", "%s: number %d is account %s", what, it.Number, other.APSID)
			}
		}
		if parent != nil {
			a.Path = parent.Path // provisional: below the parent
		}
		if a.Type == account.Provider {
			w.provider = a.APSID
		}
	}
	w.accounts[a.APSID] = a
	out.Accounts = append(out.Accounts, AccountItem(a))
	return nil
}

func orNone(s string) string {
	if s == "" {
		return "none"
	}
	return s
}

// normEach normalizes the items of a section that references only other sections, in file
// order, into out: key identifies an item (what names it when two share a key), norm makes its
// compact form.
func normEach[T any, K comparable](items []T, key func(T) K, what func(T) string, norm func(T) (T, error), out *[]T) error {
	seen := map[K]bool{}
	for _, it := range items {
		k := key(it)
		if seen[k] {
			return duplicate(what(it))
		}
		seen[k] = true
		n, err := norm(it)
		if err != nil {
			return err
		}
		*out = append(*out, n)
	}
	return nil
}

func (w *world) normPaymentMethods(items []PaymentMethod, out *File) error {
	return normEach(items, func(it PaymentMethod) int64 { return it.ID },
		func(it PaymentMethod) string { return fmt.Sprintf("payment method %d", it.ID) },
		func(it PaymentMethod) (PaymentMethod, error) {
			m, err := w.paymentMethodDomain(it)
			if err != nil {
				return PaymentMethod{}, err
			}
			return PaymentMethodItem(store.PaymentMethodRecord{PaymentMethod: m, VendorAPSID: it.Vendor}), nil
		}, &out.PaymentMethods)
}

// assignID gives an entity without an APS id the id of the stored entity with its name, or a
// new one.
func assignID(id, name string, byName map[string]string) string {
	if id != "" {
		return id
	}
	if cur, ok := byName[name]; ok {
		return cur
	}
	return store.NewAPSID()
}

func (w *world) normResources(items []Resource, out *File) error {
	seen := map[string]bool{}
	for i := range items {
		items[i].ID = assignID(items[i].ID, items[i].Name, w.resByName)
		if seen[items[i].ID] {
			return duplicate(describe("resource", items[i].Name, items[i].ID))
		}
		seen[items[i].ID] = true
		// Register first, so dependencies may name resources listed later.
		r := w.resources[items[i].ID]
		r.APSID, r.Name, r.Unit = items[i].ID, items[i].Name, items[i].Unit
		r.Dependencies = nil
		w.resources[r.APSID], w.resByName[r.Name] = r, r.APSID
	}
	for _, it := range items {
		r, err := w.resourceDomain(it)
		if err != nil {
			return err
		}
		w.resources[r.APSID] = r
	}
	// Validate again now that every dependency is known (cycles), and order parents first.
	done := map[string]bool{}
	for len(done) < len(items) {
		progress := false
		for _, it := range items {
			if done[it.ID] {
				continue
			}
			ready := true
			for _, d := range w.resources[it.ID].Dependencies {
				ready = ready && (!seen[d.ParentAPSID] || done[d.ParentAPSID])
			}
			if !ready {
				continue
			}
			r, err := w.resourceDomain(it)
			if err != nil {
				return err
			}
			out.Resources = append(out.Resources, ResourceItem(r))
			done[it.ID], progress = true, true
		}
		if !progress {
			return problemf(ErrDependencyCycle, "resources: their dependencies make a cycle")
		}
	}
	return nil
}

func (w *world) normTerms(items []Term, out *File) error {
	return normEach(items, func(it Term) string { return it.ID }, func(it Term) string { return "terms " + it.ID },
		func(it Term) (Term, error) {
			t := catalog.Term{ID: it.ID, Name: it.Name, Content: it.Content}
			if err := ValidateTerm(t); err != nil {
				return Term{}, fmt.Errorf("terms %q: %w", t.ID, err)
			}
			w.terms[t.ID] = true
			return TermItem(t), nil
		}, &out.Terms)
}

func (w *world) normPlans(items []Plan, out *File) error {
	seen := map[string]bool{}
	for i := range items {
		items[i].ID = assignID(items[i].ID, items[i].Name, w.planByName)
		if seen[items[i].ID] {
			return duplicate(describe("plan", items[i].Name, items[i].ID))
		}
		seen[items[i].ID] = true
		p := &catalog.Plan{APSID: items[i].ID, Name: items[i].Name}
		if cur, ok := w.plans[p.APSID]; ok {
			p = cur
		}
		w.plans[p.APSID], w.planByName[items[i].Name] = p, p.APSID
	}
	// Upsell plans first.
	done := map[string]bool{}
	for len(done) < len(items) {
		progress := false
		for _, it := range items {
			if done[it.ID] {
				continue
			}
			ready := true
			for _, u := range it.Upsells {
				if child, err := w.plan(u, ""); err == nil && seen[child.APSID] && !done[child.APSID] {
					ready = false
				}
			}
			if !ready {
				continue
			}
			p, err := w.planDomain(it)
			if err != nil {
				return err
			}
			owner := it.Owner
			if owner == "" {
				owner = w.provider
			}
			w.plans[p.APSID], w.planOwner[p.APSID] = p, owner
			out.Plans = append(out.Plans, PlanItem(p, owner))
			done[it.ID], progress = true, true
		}
		if !progress {
			return invalid("plans: their upsells make a cycle")
		}
	}
	return nil
}

func (w *world) normDelegations(items []Delegation, out *File) error {
	// A reseller's delegation may rest on its parent's, listed later: register them all first.
	seen := map[[2]string]bool{}
	for _, it := range items {
		plan, err := w.plan(it.Plan, "delegation plan")
		if err != nil {
			return err
		}
		key := [2]string{plan.APSID, it.Reseller}
		if seen[key] {
			return duplicate(fmt.Sprintf("delegation of plan %q to %s", plan.Name, it.Reseller))
		}
		seen[key], w.delegated[key] = true, true
	}
	for _, it := range items {
		d, err := w.delegationDomain(it)
		if err != nil {
			return err
		}
		out.Delegations = append(out.Delegations, DelegationItem(d))
	}
	return nil
}

func (w *world) normPromotions(items []Promotion, out *File) error {
	return normEach(items, func(it Promotion) [2]string { return [2]string{it.Vendor, strings.ToUpper(it.Code)} },
		func(it Promotion) string { return fmt.Sprintf("promotion %q of %s", it.Code, it.Vendor) },
		func(it Promotion) (Promotion, error) {
			p, err := w.promotionDomain(it)
			if err != nil {
				return Promotion{}, err
			}
			return PromotionItem(p), nil
		}, &out.Promotions)
}

func (w *world) normTaxRules(items []TaxRule, out *File) error {
	return normEach(items, func(it TaxRule) [2]string { return [2]string{it.Zone, it.Name} },
		func(it TaxRule) string { return fmt.Sprintf("tax rule %q of zone %q", it.Name, it.Zone) },
		func(it TaxRule) (TaxRule, error) {
			t, err := w.taxRuleDomain(it)
			if err != nil {
				return TaxRule{}, err
			}
			return TaxRuleItem(t), nil
		}, &out.TaxRules)
}

func (w *world) normReasonCodes(items []ReasonCode, out *File) error {
	return normEach(items, func(it ReasonCode) int64 { return it.ID },
		func(it ReasonCode) string { return fmt.Sprintf("reason code %d", it.ID) },
		func(it ReasonCode) (ReasonCode, error) {
			r := catalog.ReasonCode{ID: it.ID, OperationType: it.OperationType, Description: it.Description}
			if err := ValidateReasonCode(r); err != nil {
				return ReasonCode{}, fmt.Errorf("reason code %d: %w", r.ID, err)
			}
			return ReasonCodeItem(r), nil
		}, &out.ReasonCodes)
}

// diff lists what turns cur into desired, section by section in desired's order. Entities of
// cur that desired does not name are not changes.
func diff(cur, desired *File) []Change {
	var out []Change
	out = diffSection(out, "accounts", cur.Accounts, desired.Accounts,
		func(c, d Account) bool { return c.ID == d.ID },
		func(d Account) string { return describe("account", d.Name, d.ID) })
	out = diffSection(out, "paymentMethods", cur.PaymentMethods, desired.PaymentMethods,
		func(c, d PaymentMethod) bool { return c.ID == d.ID },
		func(d PaymentMethod) string { return fmt.Sprintf("payment method %d %q", d.ID, d.Name) })
	out = diffSection(out, "resources", cur.Resources, desired.Resources,
		func(c, d Resource) bool { return c.ID == d.ID },
		func(d Resource) string { return describe("resource", d.Name, d.ID) })
	out = diffSection(out, "terms", cur.Terms, desired.Terms,
		func(c, d Term) bool { return c.ID == d.ID },
		func(d Term) string { return describe("terms", d.Name, d.ID) })
	out = diffSection(out, "plans", cur.Plans, desired.Plans,
		func(c, d Plan) bool { return c.ID == d.ID },
		func(d Plan) string { return describe("plan", d.Name, d.ID) })
	out = diffSection(out, "delegations", cur.Delegations, desired.Delegations,
		func(c, d Delegation) bool { return c.Plan == d.Plan && c.Reseller == d.Reseller },
		func(d Delegation) string {
			return fmt.Sprintf("delegation of plan %s to reseller %s", d.Plan, d.Reseller)
		})
	out = diffSection(out, "promotions", cur.Promotions, desired.Promotions,
		func(c, d Promotion) bool { return c.Vendor == d.Vendor && strings.EqualFold(c.Code, d.Code) },
		func(d Promotion) string { return fmt.Sprintf("promotion %q of %s", d.Code, d.Vendor) })
	out = diffSection(out, "taxRules", cur.TaxRules, desired.TaxRules,
		func(c, d TaxRule) bool { return c.Zone == d.Zone && c.Name == d.Name },
		func(d TaxRule) string { return fmt.Sprintf("tax rule %q of zone %q", d.Name, d.Zone) })
	out = diffSection(out, "reasonCodes", cur.ReasonCodes, desired.ReasonCodes,
		func(c, d ReasonCode) bool { return c.ID == d.ID },
		func(d ReasonCode) string { return fmt.Sprintf("reason code %d (%s)", d.ID, d.OperationType) })
	return out
}

// diffSection appends one section's changes to out: a creation for each desired entity cur
// lacks (same matches an entity of cur to a desired one), an update for each that differs.
func diffSection[T any](out []Change, section string, cur, desired []T, same func(c, d T) bool, key func(T) string) []Change {
	for _, d := range desired {
		c, found := find(cur, func(c T) bool { return same(c, d) })
		switch {
		case !found:
			out = append(out, Change{Section: section, Key: key(d), Action: store.AuditCreate, After: d})
		case yamlOf(c) != yamlOf(d):
			out = append(out, Change{Section: section, Key: key(d), Action: store.AuditUpdate, Before: c, After: d})
		}
	}
	return out
}

func find[T any](items []T, match func(T) bool) (T, bool) {
	for _, it := range items {
		if match(it) {
			return it, true
		}
	}
	var zero T
	return zero, false
}

// applier writes changes in one transaction, resolving references against a world that
// learns the internal ids of what it creates.
type applier struct {
	ctx   context.Context
	tx    *store.Tx
	w     *world
	actor store.Actor
}

func (a *applier) audit(scopePath, action, entity, id string, before, after any) error {
	var b any
	if before != nil {
		b = jsonOf(before)
	}
	return store.RecordAudit(a.ctx, a.tx, a.actor, scopePath, action, entity, id, b, jsonOf(after))
}

func (a *applier) providerPath() string {
	if p, ok := a.w.accounts[a.w.provider]; ok && p.Path != "" {
		return p.Path
	}
	return "/"
}

// write runs create or update, as the change's action says.
func (a *applier) write(c Change, create, update func() error) error {
	if c.Action == store.AuditCreate {
		return create()
	}
	return update()
}

func (a *applier) apply(c Change) error {
	switch after := c.After.(type) {
	case Account:
		return a.applyAccount(c, after)
	case PaymentMethod:
		return a.applyPaymentMethod(c, after)
	case Resource:
		return a.applyResource(c, after)
	case Term:
		return a.applyTerm(c, after)
	case Plan:
		return a.applyPlan(c, after)
	case Delegation:
		return a.applyDelegation(c, after)
	case Promotion:
		return a.applyPromotion(c, after)
	case TaxRule:
		return a.applyTaxRule(c, after)
	case ReasonCode:
		return a.applyReasonCode(c, after)
	}
	return fmt.Errorf("unknown change %T", c.After)
}

func (a *applier) applyAccount(c Change, it Account) error {
	acc, parent, err := a.w.accountDomain(it)
	if err != nil {
		return err
	}
	if c.Action == store.AuditCreate {
		if err := store.CreateAccount(a.ctx, a.tx, &acc, parent); err != nil {
			return err
		}
		if acc.Type == account.Provider {
			a.w.provider = acc.APSID
		}
	} else {
		cur := a.w.accounts[it.ID]
		acc.ID, acc.Path, acc.ParentID, acc.TypeCanOrder = cur.ID, cur.Path, cur.ParentID, cur.TypeCanOrder
		if err := store.LockAccount(a.ctx, a.tx, acc.ID); err != nil {
			return err
		}
		if err := store.UpdateAccount(a.ctx, a.tx, &acc); err != nil {
			return err
		}
	}
	a.w.accounts[acc.APSID] = acc
	return a.audit(acc.Path, c.Action, "account", acc.APSID, c.Before, AccountItem(acc))
}

func (a *applier) applyPaymentMethod(c Change, it PaymentMethod) error {
	m, err := a.w.paymentMethodDomain(it)
	if err != nil {
		return err
	}
	err = a.write(c, func() error { return store.AddPaymentMethod(a.ctx, a.tx, &m, true) },
		func() error { return store.UpdatePaymentMethod(a.ctx, a.tx, m) })
	if err != nil {
		return err
	}
	scope := a.w.accounts[it.Vendor].Path
	if it.Owner != "" {
		scope = a.w.accounts[it.Owner].Path
	}
	return a.audit(scope, c.Action, "payment-method", strconv.FormatInt(m.ID, 10), c.Before, it)
}

func (a *applier) applyResource(c Change, it Resource) error {
	r, err := a.w.resourceDomain(it)
	if err != nil {
		return err
	}
	if c.Action == store.AuditCreate {
		err = store.CreateResource(a.ctx, a.tx, &r.Resource)
		if err == nil && r.Status != store.ResourceActive {
			err = store.UpdateResource(a.ctx, a.tx, r)
		}
	} else {
		err = store.UpdateResource(a.ctx, a.tx, r)
	}
	if err != nil {
		return err
	}
	a.w.resources[r.APSID] = r
	return a.audit(a.providerPath(), c.Action, "resource", r.APSID, c.Before, it)
}

func (a *applier) applyTerm(c Change, it Term) error {
	t := catalog.Term{ID: it.ID, Name: it.Name, Content: it.Content}
	err := a.write(c, func() error { return store.CreateTerm(a.ctx, a.tx, t) },
		func() error { return store.UpdateTerm(a.ctx, a.tx, t) })
	if err != nil {
		return err
	}
	return a.audit(a.providerPath(), c.Action, "terms", t.ID, c.Before, it)
}

func (a *applier) applyPlan(c Change, it Plan) error {
	p, err := a.w.planDomain(it)
	if err != nil {
		return err
	}
	if c.Action == store.AuditCreate {
		p.Version = 1
		err = store.CreatePlan(a.ctx, a.tx, p)
	} else {
		if err = store.LockPlan(a.ctx, a.tx, p.ID); err != nil {
			return err
		}
		if before, ok := c.Before.(Plan); ok && ContentChanged(before, it) {
			p.Version++
		}
		err = store.UpdatePlan(a.ctx, a.tx, p)
	}
	if err == nil {
		err = store.SavePlanVersion(a.ctx, a.tx, p.ID, p.Version, it)
	}
	if err != nil {
		return err
	}
	a.w.plans[p.APSID] = p
	return a.audit(a.w.accounts[it.Owner].Path, c.Action, "service-plan", p.APSID, c.Before, it)
}

// ContentChanged reports whether a plan changed in more than its status: a new version.
func ContentChanged(before, after Plan) bool {
	before.Status, after.Status = "", ""
	return yamlOf(before) != yamlOf(after)
}

func (a *applier) applyDelegation(c Change, it Delegation) error {
	d, err := a.w.delegationDomain(it)
	if err != nil {
		return err
	}
	if err := store.PutDelegation(a.ctx, a.tx, d.Delegation); err != nil {
		return err
	}
	return a.audit(d.ResellerPath, c.Action, "delegation", d.PlanAPSID+"/"+d.ResellerAPS, c.Before, it)
}

func (a *applier) applyPromotion(c Change, it Promotion) error {
	p, err := a.w.promotionDomain(it)
	if err != nil {
		return err
	}
	err = a.write(c, func() error { return store.CreatePromotion(a.ctx, a.tx, &p.Promotion) },
		func() error { return store.UpdatePromotion(a.ctx, a.tx, &p.Promotion) })
	if err != nil {
		return err
	}
	return a.audit(p.VendorPath, c.Action, "promotion", strconv.FormatInt(p.ID, 10), c.Before, it)
}

func (a *applier) applyTaxRule(c Change, it TaxRule) error {
	t, err := a.w.taxRuleDomain(it)
	if err != nil {
		return err
	}
	err = a.write(c, func() error { return store.CreateTaxRule(a.ctx, a.tx, &t) },
		func() error { return store.UpdateTaxRule(a.ctx, a.tx, t) })
	if err != nil {
		return err
	}
	return a.audit(a.providerPath(), c.Action, "tax-rule", strconv.FormatInt(t.ID, 10), c.Before, it)
}

func (a *applier) applyReasonCode(c Change, it ReasonCode) error {
	r := catalog.ReasonCode{ID: it.ID, OperationType: it.OperationType, Description: it.Description}
	err := a.write(c, func() error { return store.CreateReasonCode(a.ctx, a.tx, r) },
		func() error { return store.UpdateReasonCode(a.ctx, a.tx, r) })
	if err != nil {
		return err
	}
	return a.audit(a.providerPath(), c.Action, "reason-code", strconv.FormatInt(r.ID, 10), c.Before, it)
}

func problemf(typ, format string, args ...any) error {
	return problem.Unprocessable(typ, format, args...)
}
