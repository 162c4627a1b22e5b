// Package supervision is electronic supervision (电子监察, DESIGN.md §5):
// it follows the event log with its own cursor, keeps every approval
// case's and section's time limits as lights, raises warnings (预警) to the
// responsible office, takes their answers (纠错) and the supervisor's
// review, and shows each subject's trajectory from the log itself. No
// domain imports it: it learns everything from events.
package supervision

import (
	"context"
	"time"

	"github.com/tenderhall/tenderhall/accounts"
	"github.com/tenderhall/tenderhall/eventlog"
	"github.com/tenderhall/tenderhall/internal/clock"
	"github.com/tenderhall/tenderhall/notary"
	"github.com/tenderhall/tenderhall/storage"
)

// CalendarSource returns the working-day calendar in force; nil means
// weekends only.
type CalendarSource func(ctx context.Context) (*clock.Calendar, error)

// Service is the supervision domain.
//
// Access: supervisors of the platform (their organisation is the platform)
// see and review everything; a supervisor of a department sees and reviews
// the subjects that department supervises. Officers and agents see and
// answer the warnings addressed to their own organisation.
type Service struct {
	db     *storage.DB
	st     store
	events *eventlog.Service
	clock  clock.Clock
	cal    CalendarSource
	rules  Rules
	// beforeApply, when set (tests only), runs before each event is
	// applied: an error aborts the batch as a crash would.
	beforeApply func(eventlog.Event) error
	batch       int // events per consumer transaction; 0: ConsumeBatch
	bids        BidReader
	fields      *notary.FieldCipher
	valueKey    []byte // keys the hashes of shared values in signals' dedupe keys
	procedure   Procedure
}

// New returns the supervision service applying rules.
func New(db *storage.DB, events *eventlog.Service, c clock.Clock, cal CalendarSource, rules Rules) *Service {
	return &Service{db: db, st: store{db}, events: events, clock: c, cal: cal, rules: rules}
}

// Rules returns the rules in force.
func (s *Service) Rules() Rules { return s.rules }

func (s *Service) now() time.Time { return s.clock.Now().UTC().Truncate(time.Millisecond) }

func (s *Service) calendar(ctx context.Context) (*clock.Calendar, error) {
	if s.cal == nil {
		return nil, nil
	}
	return s.cal(ctx)
}

func (s *Service) append(ctx context.Context, typ, subject string, actor string, payload any) error {
	_, err := s.events.Append(ctx, eventlog.Entry{Type: typ, Subject: subject, Actor: actor, Payload: payload})
	return err
}

// platformWide reports whether a supervisor sees every subject.
func platformWide(p accounts.Principal) bool {
	return p.OrgKind == accounts.OrgPlatform || p.OrgID == 0
}

// supervises reports whether actor supervises subj.
func supervises(actor accounts.Principal, subj Subject) bool {
	if actor.UserID == 0 || !actor.Has(accounts.RoleSupervisor) {
		return false
	}
	return platformWide(actor) || (subj.DepartmentOrgID != 0 && actor.OrgID == subj.DepartmentOrgID)
}

// inOffice reports whether actor works in the office a warning is for.
func inOffice(actor accounts.Principal, office int64) bool {
	return actor.UserID != 0 && office != 0 && actor.OrgID == office &&
		(actor.Has(accounts.RoleOfficer) || actor.Has(accounts.RoleAgent))
}
