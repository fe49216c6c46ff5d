package catalogfile_test

import (
	"context"
	"strings"
	"testing"

	"github.com/openbss/openbss/internal/catalogfile"
	"github.com/openbss/openbss/internal/store"
	"github.com/openbss/openbss/internal/storetest"
)

func export(t *testing.T, s *store.Store) []byte {
	t.Helper()
	f, err := catalogfile.Export(context.Background(), s, catalogfile.ExportOptions{Customers: true})
	if err != nil {
		t.Fatalf("export: %v", err)
	}
	b, err := f.Marshal()
	if err != nil {
		t.Fatalf("marshal: %v", err)
	}
	return b
}

func apply(t *testing.T, s *store.Store, text []byte, dry bool) []catalogfile.Change {
	t.Helper()
	f, err := catalogfile.Parse(text)
	if err != nil {
		t.Fatalf("parse: %v", err)
	}
	changes, err := catalogfile.Apply(context.Background(), s, f, catalogfile.Options{DryRun: dry,
		Actor: store.Actor{Label: "test"}})
	if err != nil {
		t.Fatalf("apply: %v", err)
	}
	return changes
}

// The demo data exported, applied to an empty database and exported again is the same file;
// applying it a second time changes nothing; a dry run writes nothing.
func TestExportApplyRoundTrip(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, demoDB *store.Store) {
		storetest.LoadDemo(t, demoDB)
		want := export(t, demoDB)
		empty := storetest.OpenDSN(t, storetest.SQLitePath(t))
		if changes := apply(t, empty, want, true); len(changes) == 0 {
			t.Fatal("dry run on an empty database: no changes")
		}
		if got := export(t, empty); strings.Contains(string(got), "plans:") {
			t.Fatalf("a dry run wrote:\n%s", got)
		}
		changes := apply(t, empty, want, false)
		if len(changes) != 59 {
			t.Errorf("first apply: %d changes, want 59 (7 accounts, 7 methods, 5 resources, 1 terms, 4 plans, 8 delegations, 1 promotion, 1 tax rule, 25 reason codes)", len(changes))
		}
		if got := export(t, empty); string(got) != string(want) {
			t.Errorf("export after apply differs:\n%s\nwant:\n%s", got, want)
		}
		if again := apply(t, empty, want, false); len(again) != 0 {
			t.Errorf("second apply: %d changes, want none: %v", len(again), again)
		}
		if again := apply(t, demoDB, want, false); len(again) != 0 {
			t.Errorf("applying the export to its own database: %d changes, want none: %v", len(again), again)
		}
	})
}
