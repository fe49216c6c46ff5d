package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"strconv"
	"time"

	"github.com/openbss/openbss/internal/account"
	"github.com/openbss/openbss/internal/store"
)

func runMigrate(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("migrate", flag.ContinueOnError)
	fs.SetOutput(stderr)
	dsn := dbFlag(fs, getenv)
	if err := fs.Parse(args); err != nil {
		return err
	}
	st, err := openStore(ctx, *dsn)
	if err != nil {
		return err
	}
	defer st.Close()
	fmt.Fprintln(stdout, "schema is up to date")
	return nil
}

// runInit creates the provider and its first token on an empty database; the token is printed
// alone on the last line of standard output so that scripts can capture it.
func runInit(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("init", flag.ContinueOnError)
	fs.SetOutput(stderr)
	dsn := dbFlag(fs, getenv)
	name := fs.String("provider-name", "Provider", "the provider account's name")
	if err := fs.Parse(args); err != nil {
		return err
	}
	st, err := openStore(ctx, *dsn)
	if err != nil {
		return err
	}
	defer st.Close()
	initialised := func() (bool, error) {
		p, err := st.Provider(ctx)
		if err == nil {
			fmt.Fprintf(stdout, "already initialised: provider %s (%s) exists; nothing changed\n", p.Name, p.APSID)
			return true, nil
		}
		if errors.Is(err, store.ErrNotFound) {
			return false, nil
		}
		return false, err
	}
	if done, err := initialised(); done || err != nil {
		return err
	}
	var token string
	var prov account.Account
	err = st.InTx(ctx, func(tx *store.Tx) error {
		prov = account.Account{Type: account.Provider, Status: account.Active, Name: *name, CanOrder: true, TypeCanOrder: true}
		if err := store.CreateAccount(ctx, tx, &prov, nil); err != nil {
			return err
		}
		token, _, err = store.CreateToken(ctx, tx, prov.ID, "init", "", account.AllScopes, nil)
		return err
	})
	if err != nil {
		// Another init won the race on this new database: ours rolled back, nothing changed.
		if done, _ := initialised(); done {
			return nil
		}
		return err
	}
	fmt.Fprintf(stdout, "created provider %q (%s); its API token, shown once:\n%s\n", prov.Name, prov.APSID, token)
	return nil
}

func runToken(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	if len(args) == 0 || (args[0] != "create" && args[0] != "revoke") {
		return fmt.Errorf("usage: openbss token create --account <aps id> [--scopes orders:read,orders:write,admin] [--name N] [--expires 720h] | token revoke --account <aps id> --id N")
	}
	fs := flag.NewFlagSet("token "+args[0], flag.ContinueOnError)
	fs.SetOutput(stderr)
	dsn := dbFlag(fs, getenv)
	acct := fs.String("account", "", "APS id of the token's account")
	scopes := fs.String("scopes", "orders:read,orders:write", "comma-separated scopes: orders:read, orders:write, admin")
	name := fs.String("name", "cli", "a label for the token")
	expires := fs.Duration("expires", 0, "lifetime (e.g. 720h); 0 never expires")
	id := fs.String("id", "", "token id (revoke)")
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	if *acct == "" {
		return fmt.Errorf("--account is required")
	}
	st, err := openStore(ctx, *dsn)
	if err != nil {
		return err
	}
	defer st.Close()
	a, err := st.Account(ctx, *acct)
	if err != nil {
		return fmt.Errorf("account %s: %w", *acct, err)
	}
	if args[0] == "revoke" {
		tid, err := strconv.ParseInt(*id, 10, 64)
		if err != nil {
			return fmt.Errorf("--id must be a token id")
		}
		if err := st.InTx(ctx, func(tx *store.Tx) error { return store.RevokeToken(ctx, tx, a.ID, tid) }); err != nil {
			return fmt.Errorf("revoke token %d: %w", tid, err)
		}
		fmt.Fprintf(stdout, "token %d revoked\n", tid)
		return nil
	}
	sc, ok := account.ParseScopes(*scopes)
	if !ok {
		return fmt.Errorf("--scopes %q: use orders:read, orders:write, admin", *scopes)
	}
	var exp *time.Time
	if *expires > 0 {
		t := st.Now().Add(*expires)
		exp = &t
	}
	var token string
	var info store.TokenInfo
	err = st.InTx(ctx, func(tx *store.Tx) error {
		token, info, err = store.CreateToken(ctx, tx, a.ID, *name, "", sc, exp)
		return err
	})
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "token %d for %s (%s), scopes %s, shown once:\n%s\n", info.ID, a.Name, a.APSID, account.JoinScopes(sc), token)
	return nil
}
