package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"time"

	"github.com/openbss/openbss/internal/account"
)

// Actor is who makes a management change: an API token of an account, or an operator at the
// command line (AccountID 0).
type Actor struct {
	AccountID    int64
	AccountAPSID string
	TokenID      int64
	Label        string // "cli: catalog apply", "demo"
}

// ActorOf is the actor of an authenticated API caller.
func ActorOf(p account.Principal) Actor {
	return Actor{AccountID: p.Account.ID, AccountAPSID: p.Account.APSID, TokenID: p.TokenID,
		Label: fmt.Sprintf("account %s token %d", p.Account.APSID, p.TokenID)}
}

// Audit actions.
const (
	AuditCreate     = "create"
	AuditUpdate     = "update"
	AuditDeactivate = "deactivate"
	AuditDelete     = "delete"
	AuditRevoke     = "revoke"
)

// AuditEntry is one recorded management change. Before and After are JSON documents (nil when
// the entity did not exist before, or no longer exists after).
type AuditEntry struct {
	ID        int64
	Time      time.Time
	Actor     Actor
	ScopePath string // path of the account owning the entity: who may read the entry
	Action    string
	Entity    string // "account", "service-plan", "resource", ...
	EntityID  string
	Before    json.RawMessage
	After     json.RawMessage
}

// RecordAudit writes an audit entry in tx, so the entry commits with the change it describes.
// before and after are marshalled to JSON (nil for none).
func RecordAudit(ctx context.Context, tx *Tx, actor Actor, scopePath, action, entity, entityID string, before, after any) error {
	id, err := nextID(ctx, tx, "audit")
	if err != nil {
		return err
	}
	b, err := auditJSON(before)
	if err != nil {
		return err
	}
	a, err := auditJSON(after)
	if err != nil {
		return err
	}
	var actorID, tokenID any
	if actor.AccountID != 0 {
		actorID = actor.AccountID
	}
	if actor.TokenID != 0 {
		tokenID = actor.TokenID
	}
	_, err = tx.ExecContext(ctx, `INSERT INTO audit_log (id, created_at, actor_id, actor_token_id, actor, scope_path,
		action, entity, entity_id, before_json, after_json) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11)`,
		id, Micros(tx.Now), actorID, tokenID, actor.Label, scopePath, action, entity, entityID, b, a)
	if err != nil {
		return fmt.Errorf("audit %s %s %s: %w", action, entity, entityID, err)
	}
	return nil
}

func auditJSON(v any) (string, error) {
	if v == nil {
		return "", nil
	}
	if raw, ok := v.(json.RawMessage); ok {
		return string(raw), nil
	}
	b, err := json.Marshal(v)
	if err != nil {
		return "", fmt.Errorf("audit document: %w", err)
	}
	if string(b) == "null" {
		return "", nil
	}
	return string(b), nil
}

// AuditScopeArgs is the number of arguments the audit log's scope takes.
const AuditScopeArgs = 2

const auditColumns = `l.id, l.created_at, COALESCE(l.actor_id, 0), COALESCE(a.aps_id, ''), COALESCE(l.actor_token_id, 0),
	l.actor, l.scope_path, l.action, l.entity, l.entity_id, l.before_json, l.after_json`

// ListAudit lists the audit entries of the subtree at scopePath.
func (s *Store) ListAudit(ctx context.Context, scopePath string, q ListQuery) ([]AuditEntry, Page, error) {
	lo, hi := account.SubtreeRange(scopePath)
	var out []AuditEntry
	page, err := s.list(ctx, collection{
		columns: auditColumns, from: "audit_log l LEFT JOIN accounts a ON a.id = l.actor_id",
		scope: "l.scope_path >= $1 AND l.scope_path < $2", args: []any{lo, hi},
	}, q, func(r *sql.Rows) error {
		var e AuditEntry
		var at int64
		var before, after string
		if err := r.Scan(&e.ID, &at, &e.Actor.AccountID, &e.Actor.AccountAPSID, &e.Actor.TokenID, &e.Actor.Label,
			&e.ScopePath, &e.Action, &e.Entity, &e.EntityID, &before, &after); err != nil {
			return err
		}
		e.Time = FromMicros(at)
		if before != "" {
			e.Before = json.RawMessage(before)
		}
		if after != "" {
			e.After = json.RawMessage(after)
		}
		out = append(out, e)
		return nil
	})
	return out, page, err
}
