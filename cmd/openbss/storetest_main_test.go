package main

import (
	"os"
	"testing"

	"github.com/openbss/openbss/internal/storetest"
)

// TestMain lets the tests copy their PostgreSQL databases from one migrated template.
func TestMain(m *testing.M) { os.Exit(storetest.Main(m)) }
