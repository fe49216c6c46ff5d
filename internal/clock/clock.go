// Package clock is openbss's one source of time. Everything time-dependent (the store's
// timestamps, pricing's "now", the scheduler's due dates, the demo payment gateway) reads a
// Clock, so tests and the demo test clock can move time forward without waiting for it.
package clock

import (
	"errors"
	"fmt"
	"sync"
	"time"
)

// Clock tells the time.
type Clock interface {
	Now() time.Time
}

// Real is the wall clock, in UTC.
type Real struct{}

// Now implements Clock.
func (Real) Now() time.Time { return time.Now().UTC() }

// Func adapts a function to Clock.
type Func func() time.Time

// Now implements Clock.
func (f Func) Now() time.Time { return f().UTC() }

// ErrBackwards is returned when a test clock is asked to go back in time: what the scheduler
// did cannot be undone, so a test clock only moves forward.
var ErrBackwards = errors.New("clock: a test clock only moves forward")

// Test is a clock that can be moved forward. A ticking test clock runs at real speed from where
// it was set (Kill Bill's test clock): jobs scheduled a second from now still run a second
// later, and records keep distinct, ordered timestamps. A frozen one stands still until it is
// moved (Stripe's test clocks), which makes unit tests exact. Safe for concurrent use.
type Test struct {
	mu     sync.Mutex
	real   func() time.Time
	offset time.Duration // ticking: Now = real() + offset
	frozen bool
	at     time.Time // frozen: Now = at
}

// NewTest returns a ticking test clock that reads start now.
func NewTest(start time.Time) *Test {
	c := &Test{real: time.Now}
	c.offset = start.Sub(c.real())
	return c
}

// NewFrozen returns a test clock standing still at start.
func NewFrozen(start time.Time) *Test {
	return &Test{real: time.Now, frozen: true, at: start.UTC()}
}

// Now implements Clock.
func (c *Test) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now()
}

func (c *Test) now() time.Time {
	if c.frozen {
		return c.at
	}
	return c.real().Add(c.offset).UTC()
}

// Set moves the clock to t, which must not be before its current time.
func (c *Test) Set(t time.Time) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if now := c.now(); t.Before(now) {
		return fmt.Errorf("%w: %s is before %s", ErrBackwards, t.UTC().Format(time.RFC3339), now.Format(time.RFC3339))
	}
	if c.frozen {
		c.at = t.UTC()
	} else {
		c.offset = t.Sub(c.real())
	}
	return nil
}

// Advance moves the clock forward by d (d < 0 is refused) and returns the new time.
func (c *Test) Advance(d time.Duration) (time.Time, error) {
	if d < 0 {
		return c.Now(), fmt.Errorf("%w: advance by %s", ErrBackwards, d)
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.frozen {
		c.at = c.at.Add(d)
	} else {
		c.offset += d
	}
	return c.now(), nil
}

// Frozen reports whether the clock stands still between moves.
func (c *Test) Frozen() bool { return c.frozen }

// Offset is how far a ticking clock runs ahead of the wall clock (what a process persists to
// resume its test time after a restart).
func (c *Test) Offset() time.Duration {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.frozen {
		return c.at.Sub(c.real())
	}
	return c.offset
}

// SetOffset restores a persisted offset of a ticking clock; it may move the clock backwards,
// since it only happens at start-up before anything read the time.
func (c *Test) SetOffset(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.frozen {
		c.at = c.real().Add(d).UTC()
		return
	}
	c.offset = d
}
