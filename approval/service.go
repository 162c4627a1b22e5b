package approval

import (
	"context"

	"github.com/tenderhall/tenderhall/accounts"
	"github.com/tenderhall/tenderhall/eventlog"
	"github.com/tenderhall/tenderhall/internal/apperr"
	"github.com/tenderhall/tenderhall/internal/clock"
	"github.com/tenderhall/tenderhall/notary"
	"github.com/tenderhall/tenderhall/storage"
)

// CalendarSource returns the working-day calendar in force; nil means
// weekends only.
type CalendarSource func(ctx context.Context) (*clock.Calendar, error)

// Service is the approval domain: the item catalogue and the cases.
//
// Access: administrators keep the catalogue; anyone reads the active
// items' guides. An applicant (role applicant) files and follows only
// their own cases; a window officer (role officer) acts only on cases of
// items of their own department; supervisors and administrators read
// every case.
type Service struct {
	db        *storage.DB
	st        store
	events    *eventlog.Service
	clock     clock.Clock
	calendar  CalendarSource
	fields    *notary.FieldCipher
	blobs     storage.Blobs
	publicURL string
}

// New returns the approval service. fields seals applicants' ID numbers
// and USCCs at rest; blobs holds the materials.
func New(db *storage.DB, events *eventlog.Service, c clock.Clock, cal CalendarSource,
	fields *notary.FieldCipher, blobs storage.Blobs) *Service {
	return &Service{db: db, st: store{db}, events: events, clock: c, calendar: cal, fields: fields, blobs: blobs}
}

func (s *Service) cal(ctx context.Context) (*clock.Calendar, error) {
	if s.calendar == nil {
		return nil, nil
	}
	return s.calendar(ctx)
}

func (s *Service) append(ctx context.Context, typ, subject string, actor accounts.Principal, payload any) error {
	_, err := s.events.Append(ctx, eventlog.Entry{Type: typ, Subject: subject, Actor: actor.Actor(), Payload: payload})
	return err
}

func requireAdmin(actor accounts.Principal) error {
	if actor.UserID == 0 || !actor.Has(accounts.RoleAdmin) {
		return apperr.New(apperr.Forbidden, "只有平台管理员可以维护审批事项", "only a platform administrator may keep the approval items").
			WithCode("admin_required")
	}
	return nil
}
