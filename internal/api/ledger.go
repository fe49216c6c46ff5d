package api

import (
	"net/http"

	"github.com/openbss/openbss/internal/account"
	"github.com/openbss/openbss/internal/ledger"
	"github.com/openbss/openbss/internal/money"
	"github.com/openbss/openbss/internal/problem"
	"github.com/openbss/openbss/internal/rql"
	"github.com/openbss/openbss/internal/store"
)

// The ledger's endpoints: an account's documents (invoices, payments, credit memos, refunds) as
// an RQL collection scoped to the caller's subtree, the balance derived from them, and the usage
// reported for subscriptions (ledger_usage.go). Documents are written only by order processing;
// there is no endpoint that changes one.

const typeDocument = "http://openbss.org/ledger/Document/1.0"

// ledgerRoutes registers the ledger's routes (called from routes.go).
func (s *Server) ledgerRoutes() {
	read := account.ScopeOrdersRead
	s.mux.HandleFunc("GET /aps/2/collections/documents", s.authed(read, s.listDocuments))
	s.mux.HandleFunc("GET /aps/2/collections/documents/{id}", s.authed(read, s.getDocument))
	s.mux.HandleFunc("GET /aps/2/collections/accounts/{id}/balance", s.authed(read, s.getBalance))
	s.mux.HandleFunc("GET /aps/2/collections/bss-subscriptions/{id}/usage", s.authed(read, s.getUsage))
	s.mux.HandleFunc("POST /aps/2/collections/bss-subscriptions/{id}/usage", s.authed(account.ScopeOrdersWrite, s.postUsage))
}

var documentSchema = &rql.Schema{
	Fields: map[string]rql.Field{
		"aps.id":         {Column: "d.aps_id", Type: rql.String},
		"id":             {Column: "d.id", Type: rql.Int, Sortable: true},
		"number":         {Column: "d.number", Type: rql.String, Ops: rql.OpsEquality | rql.OpLike, Sortable: true},
		"type":           {Column: "d.type", Type: rql.String, Sortable: true},
		"account.aps.id": {Column: "a.aps_id", Type: rql.String},
		"vendor.aps.id":  {Column: "v.aps_id", Type: rql.String},
		"order.aps.id":   {Column: "o.aps_id", Type: rql.String},
		"orderNumber":    {Column: "o.order_number", Type: rql.String, Ops: rql.OpsEquality | rql.OpLike},
		"currency":       {Column: "d.currency", Type: rql.String},
		"date":           {Column: "d.document_date", Type: rql.Time, Sortable: true},
	},
	DefaultSort: "d.id", Tiebreak: "d.id", DefaultLimit: DefaultPageSize, MaxLimit: MaxPageSize,
}

func (s *Server) listDocuments(w http.ResponseWriter, r *http.Request) {
	lq, _, err := s.listQuery(r, documentSchema, store.DocumentsScopeArgs)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	docs, page, err := s.store.ListDocuments(r.Context(), principal(r).Account.Path, lq)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	out := make([]documentJSON, len(docs))
	for i, d := range docs {
		out[i] = toDocumentJSON(d)
	}
	writeList(w, lq, page, out)
}

// getDocument reads a document by APS id or number (INV000001).
func (s *Server) getDocument(w http.ResponseWriter, r *http.Request) {
	d, err := s.store.Document(r.Context(), r.PathValue("id"))
	if err == nil {
		_, err = s.visibleAccount(r, d.AccountAPSID)
	}
	if err != nil {
		s.fail(w, r, problem.NotFound("document %q not found", r.PathValue("id")))
		return
	}
	writeJSON(w, http.StatusOK, toDocumentJSON(d))
}

// getBalance is an account's balance in each currency it has documents in (its own first).
func (s *Server) getBalance(w http.ResponseWriter, r *http.Request) {
	a, err := s.visibleAccount(r, r.PathValue("id"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	bs, err := s.store.Balances(r.Context(), a)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	out := balanceJSON{Account: apsRef{APS: apsMeta{ID: a.APSID}}, AccountID: a.ID, AsOf: timestamp(s.store.Now())}
	for _, b := range bs {
		c := b.Currency
		cb := currencyBalanceJSON{Currency: c, Balance: money.NewAmount(b.Balance, c),
			AvailableCredit: money.NewAmount(b.AvailableCredit, c), Reserved: money.NewAmount(b.Reserved, c),
			Invoiced: money.NewAmount(b.Invoiced, c), Paid: money.NewAmount(b.Paid, c),
			Credited: money.NewAmount(b.Credited, c), Refunded: money.NewAmount(b.Refunded, c),
			CreditApplied: money.NewAmount(b.CreditApplied, c), Documents: b.Documents}
		if len(out.Balances) == 0 {
			out.currencyBalanceJSON = cb
		}
		out.Balances = append(out.Balances, cb)
	}
	writeJSON(w, http.StatusOK, out)
}

// currencyBalanceJSON is the standing in one currency. balance is what the account owes
// (negative: credit it may spend); availableCredit is what pays its next order first.
type currencyBalanceJSON struct {
	Currency        string       `json:"currency"`
	Balance         money.Amount `json:"balance"`
	AvailableCredit money.Amount `json:"availableCredit"`
	Reserved        money.Amount `json:"reservedCredit"`
	Invoiced        money.Amount `json:"invoiced"`
	Paid            money.Amount `json:"paid"`
	Credited        money.Amount `json:"credited"`
	Refunded        money.Amount `json:"refunded"`
	CreditApplied   money.Amount `json:"creditApplied"`
	Documents       int          `json:"documents"`
}

// balanceJSON is the account's own currency at the top level, and every currency in balances.
type balanceJSON struct {
	Account   apsRef    `json:"account"`
	AccountID int64     `json:"accountId"`
	AsOf      timestamp `json:"asOf"`
	currencyBalanceJSON
	Balances []currencyBalanceJSON `json:"balances"`
}

type documentLineJSON struct {
	Type               string        `json:"type"`
	Description        string        `json:"description"`
	PlanID             string        `json:"planId,omitempty"`
	ResourceID         string        `json:"resourceId,omitempty"`
	Duration           *durationRef  `json:"duration,omitempty"`
	Quantity           money.Decimal `json:"quantity"`
	UnitPrice          money.Amount  `json:"unitPrice"`
	Amount             money.Amount  `json:"amount"`
	TaxAmount          money.Amount  `json:"taxAmount"`
	ExclusiveTaxAmount money.Amount  `json:"exclusiveTaxAmount"`
}

type durationRef struct {
	Unit     string        `json:"unit"`
	Duration money.Decimal `json:"duration"`
}

type orderRef struct {
	APS         apsMeta `json:"aps"`
	OrderNumber string  `json:"orderNumber"`
}

// documentJSON is a ledger document. amount is a magnitude; balanceEffect is what it adds to
// (or, negative, takes from) the account's balance.
type documentJSON struct {
	APS             apsMeta            `json:"aps"`
	Number          string             `json:"number"`
	Type            ledger.Type        `json:"type"`
	Account         apsRef             `json:"account"`
	Vendor          apsRef             `json:"vendor"`
	Order           *orderRef          `json:"order,omitempty"`
	RelatedDocument string             `json:"relatedDocument,omitempty"`
	Date            timestamp          `json:"date"`
	Currency        string             `json:"currency"`
	Amount          money.Amount       `json:"amount"`
	BalanceEffect   money.Amount       `json:"balanceEffect"`
	TaxAmount       money.Amount       `json:"taxAmount"`
	CreditApplied   *money.Amount      `json:"creditApplied,omitempty"`
	PaymentMethodID *int64             `json:"paymentMethodId,omitempty"`
	TransactionID   string             `json:"transactionId,omitempty"`
	Description     string             `json:"description"`
	Lines           []documentLineJSON `json:"lines"`
}

func toDocumentJSON(d *ledger.Document) documentJSON {
	c := d.Currency
	j := documentJSON{APS: ready(d.APSID, typeDocument), Number: d.Number, Type: d.Type,
		Account: apsRef{APS: apsMeta{ID: d.AccountAPSID}}, Vendor: apsRef{APS: apsMeta{ID: d.VendorAPSID}},
		RelatedDocument: d.RelatedNumber, Date: timestamp(d.Date), Currency: c, Amount: money.NewAmount(d.Amount, c),
		BalanceEffect: money.NewAmount(d.Effect(), c), TaxAmount: money.NewAmount(d.TaxAmount, c),
		TransactionID: d.TransactionID, Description: d.Description, Lines: make([]documentLineJSON, len(d.Lines))}
	if d.OrderAPSID != "" {
		j.Order = &orderRef{APS: apsMeta{ID: d.OrderAPSID}, OrderNumber: d.OrderNumber}
	}
	if d.Type == ledger.Invoice {
		ca := money.NewAmount(d.CreditApplied, c)
		j.CreditApplied = &ca
	}
	if d.MethodID != 0 {
		id := d.MethodID
		j.PaymentMethodID = &id
	}
	for i, l := range d.Lines {
		jl := documentLineJSON{Type: l.Type, Description: l.Description, PlanID: l.PlanID, ResourceID: l.ResourceID,
			Quantity: l.Quantity, UnitPrice: money.Amount{Value: l.UnitPrice, Code: c}, Amount: money.NewAmount(l.Amount, c),
			TaxAmount: money.NewAmount(l.TaxAmount, c), ExclusiveTaxAmount: money.NewAmount(l.ExclusiveTax, c)}
		if l.DurationUnit != "" {
			jl.Duration = &durationRef{Unit: l.DurationUnit, Duration: l.DurationValue}
		}
		j.Lines[i] = jl
	}
	return j
}
