package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"

	"github.com/openbss/openbss/internal/catalogfile"
	"github.com/openbss/openbss/internal/store"
)

const catalogUsage = `usage:
  openbss catalog apply FILE [--dry-run] [--db DSN]   make the database hold what FILE says (prints the diff)
  openbss catalog export [--customers] [-o FILE] [--db DSN]   write the database's catalog as a file`

// runCatalog is `openbss catalog apply|export`.
func runCatalog(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		return fmt.Errorf("%s", catalogUsage)
	}
	switch args[0] {
	case "apply":
		return runCatalogApply(ctx, args[1:], getenv, stdout, stderr)
	case "export":
		return runCatalogExport(ctx, args[1:], getenv, stdout, stderr)
	}
	return fmt.Errorf("unknown catalog command %q\n%s", args[0], catalogUsage)
}

// parseInterspersed parses flags that may come before or after the positional arguments.
func parseInterspersed(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		if fs.NArg() == 0 {
			return pos, nil
		}
		pos = append(pos, fs.Arg(0))
		args = fs.Args()[1:]
	}
}

func runCatalogApply(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("catalog apply", flag.ContinueOnError)
	fs.SetOutput(stderr)
	dsn := dbFlag(fs, getenv)
	dry := fs.Bool("dry-run", false, "print the changes, write nothing")
	pos, err := parseInterspersed(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return fmt.Errorf("%s", catalogUsage)
	}
	data, err := readCatalogFile(pos[0])
	if err != nil {
		return err
	}
	f, err := catalogfile.Parse(data)
	if err != nil {
		return fmt.Errorf("%s: %w", pos[0], err)
	}
	st, err := openStore(ctx, *dsn)
	if err != nil {
		return err
	}
	defer st.Close()
	changes, err := catalogfile.Apply(ctx, st, f, catalogfile.Options{DryRun: *dry,
		Actor: store.Actor{Label: "cli: catalog apply " + pos[0]}})
	if err != nil {
		return fmt.Errorf("%s: %w", pos[0], err)
	}
	for _, c := range changes {
		fmt.Fprint(stdout, c)
	}
	switch {
	case len(changes) == 0:
		fmt.Fprintln(stdout, "no changes: the database already matches", pos[0])
	case *dry:
		fmt.Fprintf(stdout, "dry run: %d change(s) not applied\n", len(changes))
	default:
		fmt.Fprintf(stdout, "applied %d change(s)\n", len(changes))
	}
	return nil
}

// readCatalogFile reads FILE, or standard input for "-".
func readCatalogFile(name string) ([]byte, error) {
	if name == "-" {
		return io.ReadAll(os.Stdin)
	}
	return os.ReadFile(name)
}

func runCatalogExport(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("catalog export", flag.ContinueOnError)
	fs.SetOutput(stderr)
	dsn := dbFlag(fs, getenv)
	customers := fs.Bool("customers", false, "include customer accounts and their own payment methods")
	out := fs.String("o", "", "write to this file instead of standard output")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() != 0 {
		return fmt.Errorf("%s", catalogUsage)
	}
	st, err := openStore(ctx, *dsn)
	if err != nil {
		return err
	}
	defer st.Close()
	f, err := catalogfile.Export(ctx, st, catalogfile.ExportOptions{Customers: *customers})
	if err != nil {
		return err
	}
	data, err := f.Marshal()
	if err != nil {
		return err
	}
	if *out != "" {
		return os.WriteFile(*out, data, 0o644)
	}
	_, err = stdout.Write(data)
	return err
}
