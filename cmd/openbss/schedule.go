package main

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"strconv"
	"time"

	"github.com/openbss/openbss/internal/app"
	"github.com/openbss/openbss/internal/clock"
	"github.com/openbss/openbss/internal/scheduler"
	"github.com/openbss/openbss/internal/store"
)

// demoClockStart is where the demo's test clock starts on a new database: inside the current
// billing period of every demo subscription (456808a0 bills 2019-03-12 … 04-12, 4c867c87
// 02-26 … 03-26, a63078fb 03-20 … 04-20), so the seed's renewal, change and cancellation
// examples are priced as the seed assumes, and nothing has expired yet.
const demoClockStart = "2019-03-22T10:00:00Z"

// schedFlags are serve's scheduler and test-clock settings.
type schedFlags struct {
	grace      *int
	hold       *int
	every      *time.Duration
	off        *bool
	clockStart *string
}

func scheduleFlags(fs *flag.FlagSet, getenv func(string) string) *schedFlags {
	days := func(k string, def int) int {
		if v, err := strconv.Atoi(getenv(k)); err == nil && v > 0 {
			return v
		}
		return def
	}
	return &schedFlags{
		grace: fs.Int("grace-days", days("OPENBSS_GRACE_DAYS", 7), "days an expired, unrenewed subscription keeps its service (env OPENBSS_GRACE_DAYS)"),
		hold:  fs.Int("hold-days", days("OPENBSS_HOLD_DAYS", 7), "days it then stays on hold, service stopped, before termination (env OPENBSS_HOLD_DAYS)"),
		every: fs.Duration("schedule-every", time.Minute, "how often the scheduler looks for renewals and expirations that became due"),
		off:   fs.Bool("no-scheduler", false, "do not run the scheduler in this process (another one does)"),
		clockStart: fs.String("test-clock-start", demoClockStart,
			"--demo only: where the test clock starts on a database that has none yet (RFC 3339, or \"now\")"),
	}
}

// testClock returns the demo test clock (nil outside demo mode): a ticking clock starting at
// --test-clock-start, to be moved to its persisted time by resumeTestClock once the store is open.
func (f *schedFlags) testClock(demo bool) (*clock.Test, error) {
	if !demo {
		return nil, nil
	}
	start := time.Now()
	if *f.clockStart != "now" {
		t, err := time.Parse(time.RFC3339, *f.clockStart)
		if err != nil {
			return nil, fmt.Errorf("--test-clock-start: %w", err)
		}
		start = t
	}
	return clock.NewTest(start), nil
}

// resumeTestClock moves a demo test clock to where it was when the demo last ran on this
// database, or records where it starts.
func resumeTestClock(ctx context.Context, st *store.Store, tc *clock.Test, log *slog.Logger) error {
	if tc == nil {
		return nil
	}
	off, ok, err := st.TestClockOffset(ctx)
	if err != nil {
		return err
	}
	if ok {
		tc.SetOffset(off)
	} else if err := st.SaveTestClockOffset(ctx, tc.Offset()); err != nil {
		return err
	}
	log.Info("demo test clock", "now", tc.Now().Format(time.RFC3339),
		"advance", "POST /aps/2/services/test-clock/advance {\"days\": N}")
	return nil
}

// scheduler builds the scheduler over the store's clock; wake (nil without processing here)
// lets Advance wait for the orders it places to be processed.
func (f *schedFlags) scheduler(st *store.Store, clk clock.Clock, wake func(), log *slog.Logger) *scheduler.Scheduler {
	cfg := scheduler.Config{Grace: time.Duration(*f.grace) * scheduler.Day, Hold: time.Duration(*f.hold) * scheduler.Day,
		Every: *f.every}
	if wake != nil {
		cfg.Drain = scheduler.WaitForJobs(st, clk, wake, 30*time.Second)
	}
	return scheduler.New(st, app.New(st), clk, cfg, log)
}
