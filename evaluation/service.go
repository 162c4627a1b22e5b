package evaluation

import (
	"context"
	"encoding/json"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/tenderhall/tenderhall/accounts"
	"github.com/tenderhall/tenderhall/bidding"
	"github.com/tenderhall/tenderhall/eventlog"
	"github.com/tenderhall/tenderhall/experts"
	"github.com/tenderhall/tenderhall/internal/apperr"
	"github.com/tenderhall/tenderhall/internal/clock"
	"github.com/tenderhall/tenderhall/notary"
	"github.com/tenderhall/tenderhall/storage"
)

// Service is the evaluation and award domain.
//
// Access: the project's agent keeps the scheme, starts the session,
// publishes candidates and issues the award; the committee's experts work
// in the session, only from the room's network; supervisors watch every
// step; bidders answer clarifications, raise objections and read their
// own notices. Before the
// section's result is final, nobody but the committee and supervisors
// sees which experts sit on it: everyone else reads seats.
type Service struct {
	db       *storage.DB
	st       store
	events   *eventlog.Service
	clock    clock.Clock
	bidding  *bidding.Service
	experts  *experts.Service
	accounts *accounts.Service
	calendar bidding.CalendarSource
	blobs    atomic.Pointer[storage.Blobs]
	key      atomic.Pointer[notary.PrivateKey]
}

// New returns the evaluation service. calendar may be nil for weekends
// only.
func New(db *storage.DB, events *eventlog.Service, c clock.Clock, bid *bidding.Service, exp *experts.Service,
	acc *accounts.Service, calendar bidding.CalendarSource) *Service {
	if calendar == nil {
		calendar = func(context.Context) (*clock.Calendar, error) { return nil, nil }
	}
	return &Service{db: db, st: store{db}, events: events, clock: c, bidding: bid, experts: exp, accounts: acc, calendar: calendar}
}

// SetBlobs gives the service the blob store reports and notices are kept in.
func (s *Service) SetBlobs(b storage.Blobs) { s.blobs.Store(&b) }

// SetPlatformKey gives the service the platform key that signs notices.
func (s *Service) SetPlatformKey(k *notary.PrivateKey) { s.key.Store(k) }

func (s *Service) now() time.Time { return s.clock.Now().UTC().Truncate(time.Millisecond) }

func sessionRef(id int64) string { return "evaluation:" + strconv.FormatInt(id, 10) }
func sectionRef(id int64) string { return "section:" + strconv.FormatInt(id, 10) }

func (s *Service) storeBlobs() (storage.Blobs, error) {
	if b := s.blobs.Load(); b != nil {
		return *b, nil
	}
	return nil, apperr.New(apperr.Unavailable, "文件存储未配置", "the blob store is not configured").WithCode("no_blobs")
}

func (s *Service) platformKey() (*notary.PrivateKey, error) {
	if k := s.key.Load(); k != nil {
		return k, nil
	}
	return nil, apperr.New(apperr.Unavailable, "平台签名密钥未配置", "the platform key is not configured").WithCode("no_platform_key")
}

// log appends an event in ctx's transaction.
func (s *Service) log(ctx context.Context, typ, subject, actor string, payload map[string]any) error {
	_, err := s.events.Append(ctx, eventlog.Entry{Type: typ, Subject: subject, Actor: actor, Payload: payload})
	return err
}

func (s *Service) facts(ctx context.Context, actor accounts.Principal, sectionID int64) (bidding.EvaluationFacts, error) {
	return s.bidding.EvaluationFacts(ctx, actor, sectionID)
}

func notAgent() error {
	return apperr.New(apperr.Forbidden, "只有该项目的代理人可以执行此操作", "only the project's agent may do this").WithCode("not_project_agent")
}

func isSupervisor(actor accounts.Principal) bool {
	return actor.UserID != 0 && actor.Has(accounts.RoleSupervisor)
}

func jsonUnmarshal(b []byte, v any) error {
	if err := json.Unmarshal(b, v); err != nil {
		return apperr.Wrap(err, apperr.Internal, "存储的数据损坏", "stored data is damaged")
	}
	return nil
}

var shanghai = clock.Shanghai

func itoa(n int) string { return strconv.Itoa(n) }
