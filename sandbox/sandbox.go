// Package sandbox runs the platform as a sandbox (测试环境): a whole server
// whose clock an administrator can move forward, so that a demonstration
// (`tenderhall demo play`) or a browser test reaches a bid deadline, a
// decryption window's end or a publicity period's end in seconds, with
// every rule still decided by "server time". Prozorro's sandbox does the
// same with accelerated periods.
//
// A database is claimed for one mode the first time it is served — live
// (正式交易, real trading) or sandbox — and refuses the other afterwards,
// so sandbox projects never mix with real ones; a configuration whose
// environment is production refuses the sandbox before it starts
// (internal/config). Everything a sandbox publishes says so.
package sandbox

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"github.com/tenderhall/tenderhall/accounts"
	"github.com/tenderhall/tenderhall/eventlog"
	"github.com/tenderhall/tenderhall/internal/apperr"
	"github.com/tenderhall/tenderhall/internal/clock"
	"github.com/tenderhall/tenderhall/storage"
)

// Mode is what a database serves as.
type Mode string

// The modes.
const (
	Live    Mode = "live"    // real trading (正式交易)
	Sandbox Mode = "sandbox" // a sandbox (测试环境)
)

// EventAdvanced is the event type Advance appends.
const EventAdvanced = "sandbox.clock_advanced"

// Sweep brings one domain's time-driven state up to the clock (close due
// sections, end due windows, re-enqueue due tasks). cmd registers one per
// domain, so that a jump of the clock takes effect before Advance returns.
type Sweep struct {
	Name string
	Run  func(ctx context.Context) error
}

// Service claims the database's mode and, in a sandbox, moves the clock.
type Service struct {
	db     *storage.DB
	st     store
	events *eventlog.Service
	clock  *clock.Shifted // nil unless the server runs as a sandbox
	log    *slog.Logger

	mu     sync.Mutex // one jump at a time per replica
	sweeps []Sweep
	shift  func(ctx context.Context, d time.Duration) error
}

// New returns the service. clk is the sandbox's clock, or nil for a live
// server.
func New(db *storage.DB, events *eventlog.Service, clk *clock.Shifted, log *slog.Logger) *Service {
	if log == nil {
		log = slog.Default()
	}
	return &Service{db: db, st: store{db}, events: events, clock: clk, log: log}
}

// Enabled reports whether this server is a sandbox.
func (s *Service) Enabled() bool { return s != nil && s.clock != nil }

// OnAdvance registers what runs after each jump: shift tells the job queue
// (jobs.Shift) and sweeps bring each domain up to the new time.
func (s *Service) OnAdvance(shift func(ctx context.Context, d time.Duration) error, sweeps ...Sweep) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.shift, s.sweeps = shift, append(s.sweeps, sweeps...)
}

// Claim fixes the database's mode on first use and checks it afterwards:
// apperr.Conflict (code mode_mismatch) when a live database is
// served as a sandbox or the reverse, or when a database that already
// holds projects from before the mode was recorded is served as a sandbox.
// In a sandbox it also sets the clock to the stored offset.
func (s *Service) Claim(ctx context.Context) error {
	want := Live
	if s.Enabled() {
		want = Sandbox
	}
	var got modeRow
	err := s.db.InTx(ctx, func(ctx context.Context) error {
		r, err := s.st.mode(ctx, true)
		if apperr.Is(err, apperr.NotFound) {
			if want == Sandbox {
				if used, err := s.st.hasProjects(ctx); err != nil {
					return err
				} else if used {
					return mismatch(Live, want)
				}
			}
			r = modeRow{ID: 1, Mode: want, UpdatedAt: time.Now().UTC().Truncate(time.Millisecond)}
			err = s.st.insert(ctx, r)
		}
		got = r
		return err
	})
	if err != nil {
		return err
	}
	if got.Mode != want {
		return mismatch(got.Mode, want)
	}
	if s.Enabled() {
		s.clock.SetOffset(time.Duration(got.ClockOffsetMS) * time.Millisecond)
	}
	return nil
}

func mismatch(have, want Mode) error {
	if have == Live {
		return apperr.New(apperr.Conflict,
			"该数据库用于正式交易（live），不能作为测试环境（sandbox）运行：测试环境需要自己的数据目录或数据库（make sandbox 使用 ./data-sandbox）",
			"this database holds live trading, so it cannot serve as a sandbox: a sandbox needs its own data directory or database "+
				"(make sandbox uses ./data-sandbox)").WithCode("mode_mismatch")
	}
	return apperr.New(apperr.Conflict,
		"该数据库是测试环境（sandbox），不能用于正式交易（live）：请使用另一个数据目录或数据库（make run 使用 ./data）",
		"this database is a sandbox, so it cannot serve live trading: use another data directory or database (make run uses ./data)").
		WithCode("mode_mismatch")
}

// State is what GET /api/v1/sandbox answers.
type State struct {
	Sandbox  bool      `json:"sandbox"`
	Now      time.Time `json:"now"`
	NowMS    int64     `json:"nowMs"`
	OffsetMS int64     `json:"offsetMs"`
}

// Current returns whether this is a sandbox and its clock.
func (s *Service) Current() State {
	if !s.Enabled() {
		now := time.Now().UTC()
		return State{Now: now, NowMS: now.UnixMilli()}
	}
	now := s.clock.Now()
	return State{Sandbox: true, Now: now, NowMS: now.UnixMilli(), OffsetMS: s.clock.Offset().Milliseconds()}
}

// ErrOff is returned by the sandbox's actions on a live server.
func errOff() error {
	return apperr.New(apperr.NotFound, "此服务器不是测试环境", "this server is not a sandbox").WithCode("sandbox_off")
}

// Advance moves the sandbox clock forward to `to` (or by `by` when to is
// zero), logs it, tells the job queue and runs every registered sweep, so
// that what became due has happened when it returns. Only an administrator
// may do it. Errors: apperr.NotFound (sandbox_off) on a live server;
// apperr.Forbidden; apperr.Invalid when the target is not in the future or
// more than 400 days ahead; a sweep's error after the clock has moved (the
// jump stands, and the next sweep catches up).
func (s *Service) Advance(ctx context.Context, actor accounts.Principal, to time.Time, by time.Duration) (State, error) {
	if !s.Enabled() {
		return State{}, errOff()
	}
	if actor.UserID == 0 || !actor.Has(accounts.RoleAdmin) {
		return State{}, apperr.New(apperr.Forbidden, "只有平台管理员可以调整测试环境时钟", "only an administrator may move the sandbox clock").WithCode("admin_required")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	from := s.clock.Now()
	if to.IsZero() {
		to = from.Add(by)
	}
	// Whole milliseconds, rounded up: the clock must read at least `to`
	// afterwards (a page that moved it to 09:31 must not read 09:30:59.999).
	d := (to.Sub(from) + time.Millisecond - 1).Truncate(time.Millisecond)
	if d <= 0 || d > 400*24*time.Hour {
		return State{}, apperr.New(apperr.Invalid, "只能把时钟向前拨，且不超过 400 天", "the clock only moves forward, by at most 400 days").
			WithField("to", "after the sandbox's current time, within 400 days")
	}
	offset := s.clock.Offset() + d
	err := s.db.InTx(ctx, func(ctx context.Context) error {
		if err := s.st.setOffset(ctx, offset, time.Now().UTC().Truncate(time.Millisecond)); err != nil {
			return err
		}
		_, err := s.events.Append(ctx, eventlog.Entry{Type: EventAdvanced, Subject: "sandbox", Actor: actor.Actor(),
			Payload: map[string]any{"from": from.UTC(), "to": from.Add(d).UTC(), "offsetMs": offset.Milliseconds()}})
		return err
	})
	if err != nil {
		return State{}, err
	}
	s.clock.SetOffset(offset)
	return s.Current(), s.afterJump(ctx, d)
}

func (s *Service) afterJump(ctx context.Context, d time.Duration) error {
	if s.shift != nil {
		if err := s.shift(ctx, d); err != nil {
			return err
		}
	}
	for _, sw := range s.sweeps {
		if err := sw.Run(ctx); err != nil {
			s.log.Error("sandbox sweep after a clock jump failed", "sweep", sw.Name, "err", err.Error())
			return err
		}
	}
	return nil
}

// Follow keeps this replica's clock on the stored offset, reading it every
// interval until ctx ends: another replica may have moved it.
func (s *Service) Follow(ctx context.Context, interval time.Duration) {
	if !s.Enabled() {
		return
	}
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		if r, err := s.st.mode(ctx, false); err == nil {
			s.clock.SetOffset(time.Duration(r.ClockOffsetMS) * time.Millisecond)
		}
	}
}
