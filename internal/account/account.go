// Package account holds the account tree (provider → resellers, any depth → customers), the
// payment methods accounts pay with, and the rules of who may see whom. Pure: no I/O.
package account

import (
	"strconv"
	"strings"
	"time"
)

// Type is an account's place in the tree.
type Type string

// Account types.
const (
	Provider Type = "PROVIDER"
	Reseller Type = "RESELLER"
	Customer Type = "CUSTOMER"
)

// Status is an account's standing.
type Status string

// Account statuses. Only ACTIVE accounts may order; SUSPENDED and RESTRICTED are refused with the
// seed's "please contact your upstream provider" message.
const (
	Active     Status = "ACTIVE"
	Suspended  Status = "SUSPENDED"
	Restricted Status = "RESTRICTED"
	Cancelled  Status = "CANCELLED"
)

// Attribute is an account or order attribute: a provider-defined id and a value.
type Attribute struct {
	AttributeID string `json:"attributeID"`
	Value       string `json:"value"`
}

// Account is a node of the account tree.
type Account struct {
	ID           int64
	APSID        string
	ParentID     int64 // 0 for the provider
	ParentAPSID  string
	Path         string // "/1/1000003/1000001/": ids from the provider down, for subtree checks
	Type         Type
	Status       Status
	Name         string
	ContactFirst string
	ContactLast  string
	Email        string
	CanOrder     bool // the account's own "can order" flag
	TypeCanOrder bool // the "can order" flag of its account class
	TaxZone      string
	Currency     string
	Attributes   []Attribute
	CreatedAt    time.Time
	UpdatedAt    time.Time
}

// ChildPath is the path of a direct child with the given id.
func (a Account) ChildPath(id int64) string { return a.Path + strconv.FormatInt(id, 10) + "/" }

// RootPath is the provider's path.
func RootPath(id int64) string { return "/" + strconv.FormatInt(id, 10) + "/" }

// Contains reports whether b is a or lies below a in the tree.
func (a Account) Contains(b Account) bool { return strings.HasPrefix(b.Path, a.Path) }

// EndCustomerName is the person or company name orders show for the account.
func (a Account) EndCustomerName() string {
	if n := strings.TrimSpace(a.ContactFirst + " " + a.ContactLast); n != "" {
		return n
	}
	return a.Name
}

// SubtreeRange returns the half-open range [lo, hi) of paths in the subtree rooted at path, so a
// store can filter by `path >= lo AND path < hi` on an index on both engines. Paths hold digits
// and '/', and '/'+1 is '0'.
func SubtreeRange(path string) (lo, hi string) {
	return path, path[:len(path)-1] + "0"
}

// PaymentType is how a payment method is charged.
type PaymentType string

// Payment method types.
const (
	External PaymentType = "EXTERNAL" // a gateway charges it (cards, redirects)
	Manual   PaymentType = "MANUAL"   // check, cash, bank transfer: paid when marked paid
	Card     PaymentType = "CARD"
)

// PaymentMethod is a way an account pays. A method with no owner is offered by its vendor to
// every customer (the seed's perCustomer: false).
type PaymentMethod struct {
	ID              int64
	VendorID        int64
	OwnerAccountID  int64 // 0: shared by the vendor with all its customers
	OwnerAPSID      string
	PaymentSystemID string
	PaymentSystem   string
	Number          string
	Name            string
	Type            PaymentType
	Status          string
	Ratified        string
	Default         bool
}
