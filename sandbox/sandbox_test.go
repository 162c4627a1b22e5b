package sandbox

import (
	"context"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/tenderhall/tenderhall/accounts"
	"github.com/tenderhall/tenderhall/eventlog"
	"github.com/tenderhall/tenderhall/internal/apperr"
	"github.com/tenderhall/tenderhall/internal/clock"
	"github.com/tenderhall/tenderhall/internal/dbtest"
	"github.com/tenderhall/tenderhall/storage"
	"github.com/tenderhall/tenderhall/storage/storagetest"
)

var admin = accounts.Principal{UserID: 1, Roles: []accounts.Role{accounts.RoleAdmin}}

func forEachBackend(t *testing.T, fn func(t *testing.T, db *storage.DB)) {
	for _, b := range dbtest.Backends() {
		t.Run(string(b), func(t *testing.T) { fn(t, storagetest.Open(t, b)) })
	}
}

func code(err error) string {
	if e, ok := apperr.As(err); ok {
		return e.MachineCode()
	}
	return ""
}

// TestModeIsClaimedOnce: the first server fixes the database's mode; a
// server of the other mode is refused afterwards, either way round.
func TestModeIsClaimedOnce(t *testing.T) {
	forEachBackend(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		events := eventlog.New(db, clock.System{})
		sb := New(db, events, clock.NewShifted(clock.System{}, 0), nil)
		if err := sb.Claim(ctx); err != nil {
			t.Fatal(err)
		}
		if err := sb.Claim(ctx); err != nil {
			t.Fatalf("a second sandbox start: %v", err)
		}
		if err := New(db, events, nil, nil).Claim(ctx); code(err) != "mode_mismatch" {
			t.Fatalf("live on a sandbox database: %v", err)
		}
	})
	forEachBackend(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		events := eventlog.New(db, clock.System{})
		if err := New(db, events, nil, nil).Claim(ctx); err != nil {
			t.Fatal(err)
		}
		err := New(db, events, clock.NewShifted(clock.System{}, 0), nil).Claim(ctx)
		if code(err) != "mode_mismatch" {
			t.Fatalf("sandbox on a live database: %v", err)
		}
		// One word for one thing: the mode is live; "production" is the
		// configuration's environment. The message says what to do.
		e, _ := apperr.As(err)
		for _, msg := range []string{e.En, e.Zh} {
			if strings.Contains(msg, "production") || !strings.Contains(msg, "live") || !strings.Contains(msg, "make sandbox") {
				t.Errorf("the refusal says %q", msg)
			}
		}
	})
}

// TestSandboxRefusesADatabaseWithProjects: a database used before modes
// were recorded holds real projects; it may not become a sandbox.
func TestSandboxRefusesADatabaseWithProjects(t *testing.T) {
	forEachBackend(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		now := time.Now().UTC()
		conn := db.Conn(ctx)
		for _, q := range []string{
			"INSERT INTO organizations (id, kind, name, created_at, updated_at) VALUES (1, 'agency', 'A', ?, ?)",
			"INSERT INTO bid_projects (name, tenderer_org_id, agency_org_id, created_by, created_at, updated_at) VALUES ('P', 1, 1, 1, ?, ?)",
		} {
			if err := conn.Exec(q, now, now).Error; err != nil {
				t.Fatal(err)
			}
		}
		events := eventlog.New(db, clock.System{})
		if err := New(db, events, clock.NewShifted(clock.System{}, 0), nil).Claim(ctx); code(err) != "mode_mismatch" {
			t.Fatalf("sandbox on a used database: %v", err)
		}
		if err := New(db, events, nil, nil).Claim(ctx); err != nil {
			t.Fatalf("live on it: %v", err)
		}
	})
}

// TestAdvanceMovesTheClockAndRunsSweeps: only an administrator moves the
// clock, only forward; the jump is logged and stored, the queue is told,
// the sweeps see the new time, and a second replica follows the offset.
func TestAdvanceMovesTheClockAndRunsSweeps(t *testing.T) {
	forEachBackend(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		base := clock.NewFake(time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC))
		clk := clock.NewShifted(base, 0)
		events := eventlog.New(db, clk)
		sb := New(db, events, clk, nil)
		if err := sb.Claim(ctx); err != nil {
			t.Fatal(err)
		}
		var shifted atomic.Int64
		var seen time.Time
		sb.OnAdvance(func(_ context.Context, d time.Duration) error { shifted.Add(int64(d)); return nil },
			Sweep{Name: "bidding", Run: func(context.Context) error { seen = clk.Now(); return nil }})

		bidder := accounts.Principal{UserID: 2, Roles: []accounts.Role{accounts.RoleBidder}}
		if _, err := sb.Advance(ctx, bidder, time.Time{}, time.Hour); !apperr.Is(err, apperr.Forbidden) {
			t.Fatalf("a bidder moving the clock: %v", err)
		}
		if _, err := sb.Advance(ctx, admin, base.Now().Add(-time.Minute), 0); !apperr.Is(err, apperr.Invalid) {
			t.Fatalf("moving the clock back: %v", err)
		}
		target := base.Now().Add(20*24*time.Hour + 90*time.Second)
		st, err := sb.Advance(ctx, admin, target, 0)
		if err != nil {
			t.Fatal(err)
		}
		if !st.Now.Equal(target) || !seen.Equal(target) || shifted.Load() != int64(target.Sub(base.Now())) {
			t.Fatalf("state %+v, sweep saw %v, queue shifted %v", st, seen, time.Duration(shifted.Load()))
		}
		evs, err := events.BySubject(ctx, "sandbox", 10)
		if err != nil || len(evs) != 1 || evs[0].Type != EventAdvanced {
			t.Fatalf("events %+v, %v", evs, err)
		}
		// A target between two milliseconds is reached, not missed by a
		// rounding.
		odd := target.Add(time.Hour + 500*time.Microsecond)
		if st, err := sb.Advance(ctx, admin, odd, 0); err != nil || st.Now.Before(odd) {
			t.Fatalf("moved to %v, want at least %v (%v)", st.Now, odd, err)
		}
		target = clk.Now()
		// Another replica starts with the stored offset.
		other := clock.NewShifted(base, 0)
		if err := New(db, events, other, nil).Claim(ctx); err != nil {
			t.Fatal(err)
		}
		if !other.Now().Equal(target) {
			t.Fatalf("a replica's clock reads %v, want %v", other.Now(), target)
		}
	})
}

func TestProductionHasNoClockToMove(t *testing.T) {
	db := storagetest.Open(t, dbtest.SQLite)
	sb := New(db, eventlog.New(db, clock.System{}), nil, nil)
	if _, err := sb.Advance(context.Background(), admin, time.Time{}, time.Hour); code(err) != "sandbox_off" {
		t.Fatalf("advance on a live server: %v", err)
	}
	if sb.Current().Sandbox {
		t.Fatal("a live server reports sandbox")
	}
}
