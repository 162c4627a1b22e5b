// Package eventlog appends to and reads the platform's one append-only event
// log (DESIGN.md §3): the audit trail, the source of the transparency log and
// the feed other domains consume. Appends join the caller's transaction so an
// event commits or rolls back with the change it records.
package eventlog

import (
	"context"
	"encoding/json"
	"time"

	"github.com/tenderhall/tenderhall/internal/apperr"
	"github.com/tenderhall/tenderhall/internal/clock"
	"github.com/tenderhall/tenderhall/storage"
)

// Event is one entry of the log.
type Event struct {
	Seq        int64     `json:"seq" gorm:"column:seq;primaryKey"`
	OccurredAt time.Time `json:"occurredAt" gorm:"column:occurred_at"`
	Type       string    `json:"type" gorm:"column:type"`
	Subject    string    `json:"subject" gorm:"column:subject"`
	Actor      string    `json:"actor" gorm:"column:actor"`
	IP         string    `json:"ip" gorm:"column:ip"`
	RequestID  string    `json:"requestId" gorm:"column:request_id"`
	Payload    string    `json:"payload" gorm:"column:payload"`
}

// TableName maps Event to the events table.
func (Event) TableName() string { return "events" }

// Entry is what a domain appends: the log assigns Seq and OccurredAt.
type Entry struct {
	Type    string // e.g. "account.login_failed"
	Subject string // e.g. "user:42", "section:S-1"
	Actor   string // e.g. "user:7", "system"
	Payload any    // marshalled to JSON; never put secrets here
}

// Service appends to and reads the event log.
type Service struct {
	db    *storage.DB
	clock clock.Clock
}

// New returns the event log service over db.
func New(db *storage.DB, c clock.Clock) *Service { return &Service{db: db, clock: c} }

// Append adds e to the log inside the transaction carried by ctx (starting
// one when there is none) and returns the stored event. The sequence number
// comes from a counter row locked for the rest of the transaction, so
// concurrent appends from several replicas keep one gap-free sequence. The
// request's address and ID are taken from ctx (see WithRequest).
func (s *Service) Append(ctx context.Context, e Entry) (Event, error) {
	if e.Type == "" || e.Subject == "" || e.Actor == "" {
		return Event{}, apperr.New(apperr.Internal, "事件缺少类型、主体或操作者", "event needs type, subject and actor")
	}
	payload, err := json.Marshal(e.Payload)
	if err != nil {
		return Event{}, apperr.Wrap(err, apperr.Internal, "事件内容无法编码", "event payload cannot be encoded")
	}
	meta := requestFrom(ctx)
	ev := Event{Type: e.Type, Subject: e.Subject, Actor: e.Actor, IP: meta.IP,
		RequestID: meta.ID, Payload: string(payload), OccurredAt: s.clock.Now().UTC()}
	err = s.db.InTx(ctx, func(ctx context.Context) error {
		seq, err := s.nextSeq(ctx)
		if err != nil {
			return err
		}
		ev.Seq = seq
		return storage.Translate(s.db.Conn(ctx).Create(&ev).Error)
	})
	return ev, err
}

// nextSeq takes the next sequence number. The UPDATE locks the counter row
// until the transaction ends, which serialises appends across replicas; a
// rolled-back transaction gives its number back, so the sequence has no gaps.
func (s *Service) nextSeq(ctx context.Context) (int64, error) {
	conn := s.db.Conn(ctx)
	if err := conn.Exec("UPDATE event_counter SET next_seq = next_seq + 1 WHERE id = 1").Error; err != nil {
		return 0, storage.Translate(err)
	}
	var seq int64
	if err := conn.Raw("SELECT next_seq FROM event_counter WHERE id = 1").Scan(&seq).Error; err != nil {
		return 0, storage.Translate(err)
	}
	return seq, nil
}

// Range returns up to limit events with seq in [from, ...), in order.
func (s *Service) Range(ctx context.Context, from int64, limit int) ([]Event, error) {
	if limit <= 0 || limit > 1000 {
		limit = 1000
	}
	var out []Event
	err := s.db.Conn(ctx).Where("seq >= ?", from).Order("seq").Limit(limit).Find(&out).Error
	return out, storage.Translate(err)
}

// BySubject returns the events about subject, oldest first.
func (s *Service) BySubject(ctx context.Context, subject string, limit int) ([]Event, error) {
	if limit <= 0 || limit > 1000 {
		limit = 1000
	}
	var out []Event
	err := s.db.Conn(ctx).Where("subject = ?", subject).Order("seq").Limit(limit).Find(&out).Error
	return out, storage.Translate(err)
}

// ByType returns the events of type typ, oldest first.
func (s *Service) ByType(ctx context.Context, typ string, limit int) ([]Event, error) {
	if limit <= 0 || limit > 1000 {
		limit = 1000
	}
	var out []Event
	err := s.db.Conn(ctx).Where("type = ?", typ).Order("seq").Limit(limit).Find(&out).Error
	return out, storage.Translate(err)
}
