package bidding

import (
	"context"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/tenderhall/tenderhall/accounts"
	"github.com/tenderhall/tenderhall/eventlog"
	"github.com/tenderhall/tenderhall/internal/apperr"
	"github.com/tenderhall/tenderhall/internal/clock"
	"github.com/tenderhall/tenderhall/internal/jobs"
	"github.com/tenderhall/tenderhall/storage"
)

// CalendarSource returns the working-day calendar in force (holidays and
// adjusted workdays an administrator maintains); nil means weekends only.
type CalendarSource func(ctx context.Context) (*clock.Calendar, error)

// Service is the bidding domain.
//
// Access: an agent (role agent) of the project's agency organisation runs a
// project (creates sections, edits and publishes announcements, issues
// clarifications, answers questions and objections, cancels); so does a
// user granted the agent role on the project (accounts project grant, the
// project ID in decimal) and a platform administrator. The tenderer's
// approval of an announcement is given by an agent whose organisation is
// the project's tenderer, by a user granted role agent on the project, or
// by an administrator. Bidders (role bidder, with an organisation) ask
// questions and raise objections on announced sections.
type Service struct {
	db       *storage.DB
	st       store
	events   *eventlog.Service
	clock    clock.Clock
	queue    atomic.Pointer[jobs.Queue]
	calendar CalendarSource
	up       uploadConfig  // sealed-bid upload (upload.go): SetBlobs, SetPlatformKey
	docs     docConfig     // tender documents (documents.go): SetDocumentBlobs
	opening  openingConfig // the opening room (opening.go): SetFieldCipher
	batches  receiptBatch  // finalizes committed together (upload_batch.go)
	sandbox  bool          // a sandbox server: everything published says it is a test
}

// New returns the bidding service. q receives the deadline tasks; it may be
// nil when the queue is built later (Register then supplies it; until then
// the sweep catches up). calendar may be nil for weekends only.
func New(db *storage.DB, events *eventlog.Service, c clock.Clock, q jobs.Queue, calendar CalendarSource) *Service {
	if calendar == nil {
		calendar = func(context.Context) (*clock.Calendar, error) { return nil, nil }
	}
	s := &Service{db: db, st: store{db}, events: events, clock: c, calendar: calendar}
	if q != nil {
		s.queue.Store(&q)
	}
	return s
}

// SetSandbox marks this service as a sandbox's (package sandbox): public
// announcements and opening records then carry sandbox: true and their
// PDFs say they are tests without legal effect.
func (s *Service) SetSandbox(on bool) { s.sandbox = on }

// Sandbox reports whether SetSandbox(true) was called.
func (s *Service) Sandbox() bool { return s.sandbox }

func (s *Service) now() time.Time { return s.clock.Now().UTC().Truncate(time.Millisecond) }

func sectionRef(id int64) string { return "section:" + strconv.FormatInt(id, 10) }
func projectRef(id int64) string { return "project:" + strconv.FormatInt(id, 10) }

// ProjectGrantID is the project ID used in accounts project grants.
func ProjectGrantID(projectID int64) string { return strconv.FormatInt(projectID, 10) }

// runsProject reports whether actor may act as the project's agent.
func runsProject(actor accounts.Principal, p Project) bool {
	if actor.Has(accounts.RoleAdmin) || actor.HasProject(ProjectGrantID(p.ID), accounts.RoleAgent) {
		return true
	}
	return actor.Has(accounts.RoleAgent) && actor.OrgID != 0 && actor.OrgID == p.AgencyOrgID
}

func requireAgent(actor accounts.Principal, p Project) error {
	if runsProject(actor, p) {
		return nil
	}
	return apperr.New(apperr.Forbidden, "只有该项目代理机构的代理人可以执行此操作",
		"only an agent of the project's agency may do this").WithCode("not_project_agent")
}

func requireTenderer(actor accounts.Principal, p Project) error {
	if actor.Has(accounts.RoleAdmin) || actor.HasProject(ProjectGrantID(p.ID), accounts.RoleAgent) ||
		(actor.Has(accounts.RoleAgent) && actor.OrgID != 0 && actor.OrgID == p.TendererOrgID) {
		return nil
	}
	return apperr.New(apperr.Forbidden, "只有招标人（或平台管理员）可以审核公告",
		"only the tenderer (or an administrator) may approve the announcement").WithCode("not_tenderer")
}

func requireBidder(actor accounts.Principal) error {
	if actor.Has(accounts.RoleBidder) && actor.OrgID != 0 {
		return nil
	}
	return apperr.New(apperr.Forbidden, "只有投标人可以执行此操作", "only a bidder may do this").WithCode("bidder_required")
}

// transition moves sec to state `to` (checking the table), saves it and
// appends "section.<to>" with payload, all in the transaction of ctx.
func (s *Service) transition(ctx context.Context, sec *Section, to State, actor string, payload map[string]any) error {
	if err := checkTransition(sec.State, to); err != nil {
		return err
	}
	from := sec.State
	sec.State = to
	sec.UpdatedAt = s.now()
	if err := s.st.save(ctx, sec); err != nil {
		return err
	}
	if payload == nil {
		payload = map[string]any{}
	}
	payload["from"], payload["to"], payload["projectId"] = from, to, sec.ProjectID
	_, err := s.events.Append(ctx, eventlog.Entry{Type: "section." + string(to), Subject: sectionRef(sec.ID), Actor: actor, Payload: payload})
	return err
}

// sectionAndProject reads a section (locked when forUpdate) and its project.
func (s *Service) sectionAndProject(ctx context.Context, id int64, forUpdate bool) (Section, Project, error) {
	sec, err := s.st.section(ctx, id, forUpdate)
	if err != nil {
		return sec, Project{}, err
	}
	p, err := s.st.project(ctx, sec.ProjectID)
	return sec, p, err
}

// Supervises reports whether actor watches project p as a supervisor
// (监督): a supervisor granted on the project, a supervisor of its
// supervising department, or a supervisor of the platform's own
// organisation (the trading centre's 电子监察), who watches every project.
// It is the one rule for "the project's supervisors".
func Supervises(actor accounts.Principal, p Project) bool {
	if actor.UserID == 0 || !actor.Has(accounts.RoleSupervisor) {
		return false
	}
	if actor.HasProject(ProjectGrantID(p.ID), accounts.RoleSupervisor) || actor.OrgKind == accounts.OrgPlatform {
		return true
	}
	return p.SupervisingOrgID != nil && actor.OrgID != 0 && actor.OrgID == *p.SupervisingOrgID
}
