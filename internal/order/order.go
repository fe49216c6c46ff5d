package order

import (
	"encoding/json"
	"fmt"
	"time"

	"github.com/openbss/openbss/internal/account"
	"github.com/openbss/openbss/internal/money"
	"github.com/openbss/openbss/internal/pricing"
)

// NumberOf is the order number of an order of type typ (SO, RN, …) with counter seq: the type
// and the counter, at least six digits ("SO000123"). Every order gets its number so, which the
// order list relies on (a suffix of digits is a handful of counters).
func NumberOf(typ string, seq int64) string { return fmt.Sprintf("%s%06d", typ, seq) }

// Order is a placed order.
type Order struct {
	ID                 int64
	APSID              string
	Number             string // SO000001
	Type               string // SO, RN, CH, CL, CF, BO
	BuyerID            int64
	BuyerAPSID         string
	BuyerPath          string
	SellerID           int64
	SellerAPSID        string
	Currency           string
	SubTotal           money.Decimal
	TaxTotal           money.Decimal
	ExclusiveTaxTotal  money.Decimal
	Total              money.Decimal
	Flow               FlowStatus
	PaymentStatus      string
	ProvisioningStatus string
	PaymentMethodID    *int64
	PromoCode          string
	PromoResult        string
	SubscriptionID     int64 // RN, CH, CL/CF: the subscription acted on
	SubscriptionAPSID  string
	RefundType         string
	ReasonID           *int64
	Comment            string
	EndCustomerName    string
	EndCustomerType    string
	Request            json.RawMessage // the placeOrder body as accepted, for processing
	ErrorDetails       string
	Draft              bool
	OrderDate          time.Time
	ExpirationDate     time.Time
	CreationTime       time.Time
	UpdatedAt          time.Time
	Lines              []pricing.Line
	Attributes         []account.Attribute
	Subscriptions      []string // BSS subscription APS ids the order creates or acts on
	Items              []Item
}

// Expiry is how long a placed order's offer stands: the seed's orders expire three days after
// their order date.
const Expiry = 72 * time.Hour

// Status is the coarse status.
func (o *Order) Status() Status { return StatusOf(o.Flow) }

// Provisioning actions.
const (
	ActionCreate = "CREATE"
	ActionChange = "CHANGE"
	ActionRenew  = "RENEW"
	ActionCancel = "CANCEL"
)

// Item is a provisioning item: one unit of OSS work for one subscription.
type Item struct {
	ID                int64
	Position          int
	Action            string
	PlanAPSID         string
	SubscriptionAPSID string // for CREATE: reserved at placement, the subscription's id once created
	ServiceType       string
	ServiceIdentifier string
	Spec              json.RawMessage // what the OSS needs: period, resources, parameters
	Status            string          // NOT_STARTED, IN_PROGRESS, COMPLETED, FAILED
	Message           string
	GateID            string
	OSSSubscriptionID string
	Attempts          int
	UpdatedAt         time.Time
}

// Event is an entry of an order's history.
type Event struct {
	ID      int64
	From    FlowStatus
	To      FlowStatus
	Message string
	Actor   string
	At      time.Time
}
