package rql

import "regexp"

// The schemas below are shaped like the collections the APS seed describes.

const attributeExists = "SELECT 1 FROM order_attributes x WHERE x.order_id = o.id AND x.attribute_id = %s AND "

var attributeID = regexp.MustCompile(`^[A-Z][A-Z0-9_]*$`)

// orderSchema is the order list of "Get Filtered Orders": like() only on
// orderNumber, endCustomerName and attribute ids; ge/le on internalId and the
// times.
func orderSchema() *Schema {
	str := func(col string) Field { return Field{Column: col, Type: String} }
	like := func(col string) Field {
		return Field{Column: col, Type: String, Ops: OpsEquality | OpLike, Sortable: true}
	}
	at := func(col string) Field { return Field{Column: col, Type: Time, Sortable: true} }
	return &Schema{
		Fields: map[string]Field{
			"resellerId":         str("o.reseller_id"),
			"customerId":         str("o.customer_id"),
			"endCustomerName":    like("o.end_customer_name"),
			"endCustomerType":    str("o.end_customer_type"),
			"internalId":         {Column: "o.internal_id", Type: Int, Sortable: true},
			"orderId":            str("o.order_id"),
			"orderNumber":        like("o.order_number"),
			"status":             str("o.status"),
			"type":               str("o.type"),
			"provisioningStatus": str("o.provisioning_status"),
			"paymentStatus":      str("o.payment_status"),
			"subscriptionId": {Column: "s.subscription_id", Type: String,
				Exists: "SELECT 1 FROM order_subscriptions s WHERE s.order_id = o.id AND "},
			"creationTime":   at("o.creation_time"),
			"orderDate":      at("o.order_date"),
			"expirationDate": at("o.expiration_date"),
			"total":          {Column: "o.total", Type: Decimal},
			"test.flag":      {Column: "o.test_flag", Type: Bool},
			"id":             {Column: "o.id", Type: Int, Sortable: true},
		},
		Dynamic: func(name string) (Field, bool) {
			if !attributeID.MatchString(name) {
				return Field{}, false
			}
			return Field{Column: "x.value", Type: String, Ops: OpsEquality | OpLike,
				Exists: attributeExists, ExistsKey: name}, true
		},
		Selects:     []string{"details", "orderAttributes"},
		DefaultSort: "o.internal_id DESC",
		Tiebreak:    "o.id",
	}
}

func accountSchema() *Schema {
	return &Schema{
		Fields:   map[string]Field{"id": {Column: "a.id", Type: Int, Sortable: true}},
		Tiebreak: "a.id",
	}
}

func subscriptionSchema() *Schema {
	return &Schema{
		Fields:   map[string]Field{"account.aps.id": {Column: "s.account_id", Type: String}},
		Tiebreak: "s.id",
	}
}

func paymentMethodSchema() *Schema {
	return &Schema{
		Fields:   map[string]Field{"accountId": {Column: "pm.account_id", Type: String}},
		Tiebreak: "pm.id",
	}
}
