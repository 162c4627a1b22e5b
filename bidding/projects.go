package bidding

import (
	"context"
	"strings"
	"unicode/utf8"

	"github.com/tenderhall/tenderhall/accounts"
	"github.com/tenderhall/tenderhall/eventlog"
	"github.com/tenderhall/tenderhall/internal/apperr"
)

// NewProject is what an agent gives to create a project.
type NewProject struct {
	Name          string
	TendererOrgID int64
	AgencyOrgID   int64 // 0: the actor's organisation
	Region        string
	// SupervisingOrgID names the supervising department; 0 leaves the
	// project to the platform's own supervisors and those granted on it.
	SupervisingOrgID int64
}

// CreateProject creates a project run by the actor's agency for a tenderer.
// Errors: apperr.Forbidden unless the actor is an agent of the agency (or an
// administrator); apperr.Invalid for a missing name or a tenderer that is not
// a tenderer organisation; apperr.NotFound for an unknown organisation.
func (s *Service) CreateProject(ctx context.Context, actor accounts.Principal, in NewProject) (Project, error) {
	if in.AgencyOrgID == 0 {
		in.AgencyOrgID = actor.OrgID
	}
	in.Name = strings.TrimSpace(in.Name)
	if in.Name == "" || utf8.RuneCountInString(in.Name) > 200 {
		return Project{}, apperr.New(apperr.Invalid, "项目名称必填且不超过 200 字", "the project name is required, at most 200 characters").WithField("name", "required")
	}
	p := Project{Name: in.Name, TendererOrgID: in.TendererOrgID, AgencyOrgID: in.AgencyOrgID, Region: in.Region, CreatedBy: actor.UserID}
	if in.SupervisingOrgID != 0 {
		p.SupervisingOrgID = &in.SupervisingOrgID
	}
	if !actor.Has(accounts.RoleAdmin) && (!actor.Has(accounts.RoleAgent) || actor.OrgKind != accounts.OrgAgency || actor.OrgID != in.AgencyOrgID) {
		return Project{}, apperr.New(apperr.Forbidden, "只有代理机构的代理人可以为本机构创建项目",
			"only an agent of the agency may create its projects").WithCode("not_agency_agent")
	}
	err := s.db.InTx(ctx, func(ctx context.Context) error {
		if err := s.checkOrgKind(ctx, in.TendererOrgID, accounts.OrgTenderer, "tendererOrgId"); err != nil {
			return err
		}
		if err := s.checkOrgKind(ctx, in.AgencyOrgID, accounts.OrgAgency, "agencyOrgId"); err != nil {
			return err
		}
		if in.SupervisingOrgID != 0 {
			if err := s.checkOrgKind(ctx, in.SupervisingOrgID, accounts.OrgDepartment, "supervisingOrgId"); err != nil {
				return err
			}
		}
		p.CreatedAt, p.UpdatedAt = s.now(), s.now()
		if err := s.st.insert(ctx, &p); err != nil {
			return err
		}
		_, err := s.events.Append(ctx, eventlog.Entry{Type: "project.created", Subject: projectRef(p.ID), Actor: actor.Actor(),
			Payload: map[string]any{"name": p.Name, "tendererOrgId": p.TendererOrgID, "agencyOrgId": p.AgencyOrgID,
				"supervisingOrgId": p.SupervisingOrgID}})
		return err
	})
	return p, err
}

func (s *Service) checkOrgKind(ctx context.Context, id int64, want accounts.OrgKind, field string) error {
	kind, err := s.st.orgKind(ctx, id)
	if err != nil {
		return err
	}
	if kind != string(want) {
		return apperr.Newf(apperr.Invalid, "单位 %d 不是%s", "organisation %d is not of kind %s", id, want).WithField(field, "wrong kind")
	}
	return nil
}

// NewSection is what an agent gives to add a section to a project.
type NewSection struct {
	Code             string // 7-character classification code, or free text
	Name             string
	Kind             Kind
	BudgetFen        int64
	Rulebook         RulebookName
	Prequalification bool
	EscrowThreshold  int // k of a k-of-n escrow key among the project's supervisors; 0 = none (the default)
	EscrowHolders    int // n
}

// CreateSection adds a draft section with the chosen rulebook's defaults.
// Errors: apperr.Forbidden unless the actor runs the project;
// apperr.NotFound for an unknown project; apperr.Invalid for bad fields.
func (s *Service) CreateSection(ctx context.Context, actor accounts.Principal, projectID int64, in NewSection) (Section, error) {
	in.Code, in.Name = strings.TrimSpace(in.Code), strings.TrimSpace(in.Name)
	bad := apperr.New(apperr.Invalid, "标段信息不完整或有误", "the section is incomplete or wrong")
	if in.Code == "" || utf8.RuneCountInString(in.Code) > 64 {
		bad.WithField("code", "required, at most 64 characters")
	}
	if in.Name == "" || utf8.RuneCountInString(in.Name) > 200 {
		bad.WithField("name", "required, at most 200 characters")
	}
	if !in.Kind.valid() {
		bad.WithField("kind", "engineering, goods or services")
	}
	if in.BudgetFen <= 0 {
		bad.WithField("budgetFen", "must be positive")
	}
	rb, err := DefaultRulebook(in.Rulebook)
	if err != nil {
		bad.WithField("rulebook", "engineering or procurement")
	}
	if err := checkEscrowRule(in.EscrowThreshold, in.EscrowHolders); err != nil {
		bad.WithField("escrowThreshold", "0, or 2 ≤ k ≤ escrowHolders ≤ 16")
	}
	rb.EscrowThreshold, rb.EscrowHolders = in.EscrowThreshold, in.EscrowHolders
	if len(bad.Fields) > 0 {
		return Section{}, bad
	}
	sec := Section{ProjectID: projectID, Code: in.Code, Name: in.Name, Kind: in.Kind, BudgetFen: in.BudgetFen,
		RulebookName: rb.Name, Rulebook: rb, Prequalification: in.Prequalification, State: StateDraft}
	err = s.db.InTx(ctx, func(ctx context.Context) error {
		p, err := s.st.project(ctx, projectID)
		if err != nil {
			return err
		}
		if err := requireAgent(actor, p); err != nil {
			return err
		}
		sec.CreatedAt, sec.UpdatedAt = s.now(), s.now()
		if err := s.st.insert(ctx, &sec); err != nil {
			return err
		}
		_, err = s.events.Append(ctx, eventlog.Entry{Type: "section.created", Subject: sectionRef(sec.ID), Actor: actor.Actor(),
			Payload: map[string]any{"projectId": projectID, "code": sec.Code, "kind": sec.Kind, "budgetFen": sec.BudgetFen, "rulebook": rb.Name}})
		return err
	})
	return sec, err
}

// ProjectView is a project with its sections.
type ProjectView struct {
	Project
	Sections []Section `json:"sections"`
}

// GetProject returns a project and its sections to whoever runs it, its
// tenderer, or a supervisor. Errors: apperr.NotFound, apperr.Forbidden.
func (s *Service) GetProject(ctx context.Context, actor accounts.Principal, id int64) (ProjectView, error) {
	p, err := s.st.project(ctx, id)
	if err != nil {
		return ProjectView{}, err
	}
	if err := canRead(actor, p); err != nil {
		return ProjectView{}, err
	}
	secs, err := s.st.sections(ctx, id)
	return ProjectView{Project: p, Sections: secs}, err
}

// SectionView is a section with its deadline history.
type SectionView struct {
	Section
	DeadlineHistory []DeadlineChange `json:"deadlineHistory"`
}

// GetSection returns a section with its deadline history, to the same
// readers as GetProject. Errors: apperr.NotFound, apperr.Forbidden.
func (s *Service) GetSection(ctx context.Context, actor accounts.Principal, id int64) (SectionView, error) {
	sec, p, err := s.sectionAndProject(ctx, id, false)
	if err != nil {
		return SectionView{}, err
	}
	if err := canRead(actor, p); err != nil {
		return SectionView{}, err
	}
	h, err := s.st.deadlineChanges(ctx, id)
	return SectionView{Section: sec, DeadlineHistory: h}, err
}

func canRead(actor accounts.Principal, p Project) error {
	if runsProject(actor, p) || actor.Has(accounts.RoleSupervisor) || requireTenderer(actor, p) == nil {
		return nil
	}
	return apperr.New(apperr.Forbidden, "无权查看该项目", "you may not see this project").WithCode("project_forbidden")
}

// Cancel ends a section before award with a reason (event
// "section.cancelled"). Errors: apperr.Invalid without a reason,
// apperr.Forbidden unless the actor runs the project, apperr.NotFound,
// apperr.Conflict when the state does not allow it.
func (s *Service) Cancel(ctx context.Context, actor accounts.Principal, sectionID int64, reason string) (Section, error) {
	reason = strings.TrimSpace(reason)
	if reason == "" || utf8.RuneCountInString(reason) > 500 {
		return Section{}, apperr.New(apperr.Invalid, "终止须说明原因（不超过 500 字）", "a cancellation needs a reason (at most 500 characters)").WithField("reason", "required")
	}
	var sec Section
	err := s.db.InTx(ctx, func(ctx context.Context) error {
		var p Project
		var err error
		if sec, p, err = s.sectionAndProject(ctx, sectionID, true); err != nil {
			return err
		}
		if err := requireAgent(actor, p); err != nil {
			return err
		}
		sec.CancelReason = reason
		return s.transition(ctx, &sec, StateCancelled, actor.Actor(), map[string]any{"reason": reason})
	})
	return sec, err
}
