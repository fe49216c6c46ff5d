package clock

import (
	"errors"
	"sync"
	"testing"
	"time"
)

var start = time.Date(2019, 3, 22, 10, 0, 0, 0, time.UTC)

func TestFrozenStandsStillUntilMoved(t *testing.T) {
	c := NewFrozen(start)
	if got := c.Now(); !got.Equal(start) {
		t.Fatalf("Now = %s, want %s", got, start)
	}
	time.Sleep(2 * time.Millisecond)
	if got := c.Now(); !got.Equal(start) {
		t.Fatalf("a frozen clock moved by itself: %s", got)
	}
	got, err := c.Advance(40 * 24 * time.Hour)
	if err != nil || !got.Equal(time.Date(2019, 5, 1, 10, 0, 0, 0, time.UTC)) {
		t.Fatalf("Advance(40 days) = %s, %v", got, err)
	}
	to := time.Date(2019, 6, 1, 0, 0, 0, 0, time.UTC)
	if err := c.Set(to); err != nil || !c.Now().Equal(to) {
		t.Fatalf("Set(%s): Now = %s, %v", to, c.Now(), err)
	}
}

func TestTickingRunsFromWhereItWasSet(t *testing.T) {
	c := NewTest(start)
	a := c.Now()
	if d := a.Sub(start); d < 0 || d > time.Second {
		t.Fatalf("Now = %s, want about %s", a, start)
	}
	time.Sleep(2 * time.Millisecond)
	if b := c.Now(); !b.After(a) {
		t.Fatalf("a ticking clock stood still: %s then %s", a, b)
	}
	if _, err := c.Advance(24 * time.Hour); err != nil {
		t.Fatal(err)
	}
	if d := c.Now().Sub(start); d < 24*time.Hour || d > 24*time.Hour+time.Second {
		t.Fatalf("after a day: %s", c.Now())
	}
	off := c.Offset()
	d := NewTest(time.Now())
	d.SetOffset(off)
	if diff := d.Now().Sub(c.Now()); diff < -time.Second || diff > time.Second {
		t.Fatalf("restored offset reads %s, the original %s", d.Now(), c.Now())
	}
}

func TestOnlyForward(t *testing.T) {
	for _, c := range []*Test{NewFrozen(start), NewTest(start)} {
		if err := c.Set(start.Add(-time.Hour)); !errors.Is(err, ErrBackwards) {
			t.Errorf("Set into the past: %v, want ErrBackwards", err)
		}
		if _, err := c.Advance(-time.Second); !errors.Is(err, ErrBackwards) {
			t.Errorf("Advance(-1s): %v, want ErrBackwards", err)
		}
	}
}

func TestConcurrentUse(t *testing.T) {
	c := NewTest(start)
	var wg sync.WaitGroup
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 100 {
				_ = c.Now()
				_, _ = c.Advance(time.Minute)
			}
		}()
	}
	wg.Wait()
	if d := c.Now().Sub(start); d < 800*time.Minute {
		t.Fatalf("lost advances: %s", d)
	}
}

func TestRealAndFunc(t *testing.T) {
	if (Real{}).Now().Location() != time.UTC {
		t.Errorf("Real is not UTC")
	}
	f := Func(func() time.Time { return start.In(time.FixedZone("X", 3600)) })
	if got := f.Now(); got.Location() != time.UTC || !got.Equal(start) {
		t.Errorf("Func.Now = %s", got)
	}
}
