// Command openbss is the order-management BSS: `openbss serve` runs the API server on an
// embedded SQLite file or on PostgreSQL; `init`, `migrate`, `token` and `version` manage an
// installation. See README.md.
package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

// version is set at build time with -ldflags "-X main.version=…".
var version = "dev"

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Getenv, os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "openbss:", err)
		os.Exit(1)
	}
}

const usage = `usage: openbss <command> [flags]

commands:
  serve     run the API server (--addr, --db, --demo)
  init      create the provider account on an empty database and print its token
  migrate   bring the database schema up to date
  catalog   apply a catalog file (catalog apply FILE [--dry-run]) or export one (catalog export)
  token     create or revoke API tokens (token create --account <aps id> --scopes …; token revoke --id N --account <aps id>)
  version   print the version
`

// run is the whole program, callable from tests.
func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return fmt.Errorf("no command")
	}
	cmd, rest := args[0], args[1:]
	switch cmd {
	case "serve":
		return runServe(ctx, rest, getenv, stdout, stderr)
	case "init":
		return runInit(ctx, rest, getenv, stdout, stderr)
	case "migrate":
		return runMigrate(ctx, rest, getenv, stdout, stderr)
	case "token":
		return runToken(ctx, rest, getenv, stdout, stderr)
	case "catalog":
		return runCatalog(ctx, rest, getenv, stdout, stderr)
	case "version", "--version", "-v":
		fmt.Fprintln(stdout, "openbss", version)
		return nil
	case "help", "--help", "-h":
		fmt.Fprint(stdout, usage)
		return nil
	}
	fmt.Fprint(stderr, usage)
	return fmt.Errorf("unknown command %q", cmd)
}
