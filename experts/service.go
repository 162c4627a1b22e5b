package experts

import (
	"context"
	"crypto/hmac"
	"encoding/hex"
	"strconv"
	"strings"
	"time"

	"github.com/tenderhall/tenderhall/accounts"
	"github.com/tenderhall/tenderhall/bidding"
	"github.com/tenderhall/tenderhall/eventlog"
	"github.com/tenderhall/tenderhall/internal/apperr"
	"github.com/tenderhall/tenderhall/internal/clock"
	"github.com/tenderhall/tenderhall/notary"
	"github.com/tenderhall/tenderhall/storage"
)

// Service is the expert domain.
//
// Access: platform administrators manage the pool and see it masked; an
// agent who runs a project requests a draw for one of its opened sections;
// a supervisor enters the public random value and becomes the draw's
// supervisor of record, the only person who sees its result before the
// section's result is final. Agents and bidders never see a drawn list or
// a candidate order before then; afterwards the draw proof is public.
type Service struct {
	db      *storage.DB
	st      store
	events  *eventlog.Service
	tree    *eventlog.Tree
	clock   clock.Clock
	fields  *notary.FieldCipher
	pepper  []byte
	bidding *bidding.Service
	camp    campaignDeps // the call campaign's queue and carrier (campaign.go)
}

// New returns the expert service. fields seals ID numbers, phones, draw
// secrets and results at rest; pepper keys the hashes that find duplicate
// ID numbers and tag projects in the draw history (cmd derives it from the
// field key); tree signs the tree head each draw is bound to.
func New(db *storage.DB, events *eventlog.Service, tree *eventlog.Tree, c clock.Clock, fields *notary.FieldCipher,
	pepper []byte, bid *bidding.Service) *Service {
	return &Service{db: db, st: store{db}, events: events, tree: tree, clock: c, fields: fields, pepper: pepper, bidding: bid}
}

func (s *Service) now() time.Time { return s.clock.Now().UTC().Truncate(time.Millisecond) }

func expertRef(id int64) string { return "expert:" + strconv.FormatInt(id, 10) }
func drawRef(id int64) string   { return "draw:" + strconv.FormatInt(id, 10) }

// keyed returns the hex SM3-HMAC of purpose and value under the pepper.
func (s *Service) keyed(purpose, value string) string {
	m := hmac.New(notary.NewSM3, s.pepper)
	m.Write([]byte(purpose))
	m.Write([]byte{0})
	m.Write([]byte(value))
	return hex.EncodeToString(m.Sum(nil))
}

func (s *Service) projectTag(projectID int64) string {
	return s.keyed("project", strconv.FormatInt(projectID, 10))
}

func requireAdmin(actor accounts.Principal) error {
	if actor.UserID != 0 && actor.Has(accounts.RoleAdmin) {
		return nil
	}
	return apperr.New(apperr.Forbidden, "只有平台管理员可以管理专家库", "only a platform administrator may manage the expert pool").
		WithCode("admin_required")
}

func requireSupervisor(actor accounts.Principal) error {
	if actor.UserID != 0 && actor.Has(accounts.RoleSupervisor) {
		return nil
	}
	return apperr.New(apperr.Forbidden, "只有监督人员可以执行此操作", "only a supervisor may do this").WithCode("supervisor_required")
}

// maskID keeps the first three and the last two characters of an ID number.
func maskID(id string) string {
	r := []rune(id)
	if len(r) <= 5 {
		return strings.Repeat("*", len(r))
	}
	return string(r[:3]) + strings.Repeat("*", len(r)-5) + string(r[len(r)-2:])
}

// maskPhone keeps the first three and the last four digits of a number.
func maskPhone(p string) string {
	if len(p) <= 7 {
		return strings.Repeat("*", len(p))
	}
	return p[:3] + strings.Repeat("*", len(p)-7) + p[len(p)-4:]
}

func maskPhones(ps []string) string {
	out := make([]string, len(ps))
	for i, p := range ps {
		out[i] = maskPhone(p)
	}
	return strings.Join(out, ",")
}

// sectionFacts reads the section's facts inside ctx's transaction.
func (s *Service) sectionFacts(ctx context.Context, actor accounts.Principal, sectionID int64) (bidding.DrawFacts, error) {
	if s.bidding == nil {
		return bidding.DrawFacts{}, apperr.New(apperr.Unavailable, "招投标服务未启用", "the bidding service is not configured")
	}
	return s.bidding.DrawFacts(ctx, actor, sectionID)
}
