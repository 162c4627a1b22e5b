package experts

import (
	"context"
	"crypto/rand"
	"strconv"
	"time"

	"github.com/tenderhall/tenderhall/accounts"
	"github.com/tenderhall/tenderhall/bidding"
	"github.com/tenderhall/tenderhall/eventlog"
	"github.com/tenderhall/tenderhall/internal/apperr"
	"github.com/tenderhall/tenderhall/notary"
)

// DrawState is where a draw is: committed (candidates and secret logged,
// waiting for the supervisor's value), drawn, or unfilled.
type DrawState string

// The draw states.
const (
	DrawCommitted DrawState = "committed"
	DrawDone      DrawState = "drawn"
	DrawUnfilled  DrawState = "unfilled" // the selection left a group short; request a new draw
)

// drawRow is a draw as stored; candidates, secret and result are sealed.
type drawRow struct {
	ID               int64                  `gorm:"column:id;primaryKey"`
	SectionID        int64                  `gorm:"column:section_id"`
	ProjectID        int64                  `gorm:"column:project_id"`
	State            DrawState              `gorm:"column:state"`
	Request          Request                `gorm:"column:request;serializer:json"`
	Exclusions       []Exclusion            `gorm:"column:exclusions;serializer:json"`
	Candidates       string                 `gorm:"column:candidates"`
	CandidatesHash   string                 `gorm:"column:candidates_hash"`
	CandidateCount   int                    `gorm:"column:candidate_count"`
	Secret           string                 `gorm:"column:secret"`
	SecretCommitment string                 `gorm:"column:secret_commitment"`
	CommitSeq        int64                  `gorm:"column:commit_seq"`
	PublicValue      *string                `gorm:"column:public_value"`
	STH              *notary.SignedTreeHead `gorm:"column:sth;serializer:json"`
	Result           *string                `gorm:"column:result"`
	SupervisorUserID *int64                 `gorm:"column:supervisor_user_id"`
	CreatedBy        int64                  `gorm:"column:created_by"`
	CreatedAt        time.Time              `gorm:"column:created_at"`
	DrawnAt          *time.Time             `gorm:"column:drawn_at"`
}

// TableName maps drawRow to its table.
func (drawRow) TableName() string { return "expert_draws" }

func (d drawRow) label(what string) string {
	return "expert_draws." + what + ":" + strconv.FormatInt(d.ID, 10)
}

// Draw is what every reader of a draw may see: the request, the logged
// commitments and counts, never a candidate, an order or a result.
type Draw struct {
	ID               int64                  `json:"id"`
	SectionID        int64                  `json:"sectionId"`
	State            DrawState              `json:"state"`
	Request          Request                `json:"request"`
	CandidatesHash   string                 `json:"candidatesHash"`
	CandidateCount   int                    `json:"candidateCount"`
	ExcludedCount    int                    `json:"excludedCount"`
	SecretCommitment string                 `json:"secretCommitment"`
	CommitSeq        int64                  `json:"commitSeq"`
	PublicValue      *string                `json:"publicValue,omitempty"`
	STH              *notary.SignedTreeHead `json:"sth,omitempty"`
	CreatedAt        time.Time              `json:"createdAt"`
	DrawnAt          *time.Time             `json:"drawnAt,omitempty"`
	SupervisorUserID *int64                 `json:"supervisorUserId,omitempty"` // the supervisor of record, who alone reads the result before the award
}

func (d drawRow) view() Draw {
	return Draw{ID: d.ID, SectionID: d.SectionID, State: d.State, Request: d.Request, CandidatesHash: d.CandidatesHash,
		CandidateCount: d.CandidateCount, ExcludedCount: len(d.Exclusions), SecretCommitment: d.SecretCommitment,
		CommitSeq: d.CommitSeq, PublicValue: d.PublicValue, STH: d.STH, CreatedAt: d.CreatedAt, DrawnAt: d.DrawnAt, SupervisorUserID: d.SupervisorUserID}
}

// RequestDraw validates an agent's request for an opened section, applies
// the avoidance filters, refuses groups the filtered pool cannot fill, and
// commits: the SM3 hash of the sorted candidate list and a commitment to a
// fresh server secret go into the event log ("experts.draw_committed")
// before anything is drawn. Errors: apperr.Forbidden unless the actor runs
// the project; apperr.NotFound; apperr.Conflict (code "section_not_opened")
// unless the section is opened or evaluating, ("draw_pending") when a
// draw of the section still waits for its value, ("group_unfillable");
// apperr.Invalid for a request that breaks the committee rules.
func (s *Service) RequestDraw(ctx context.Context, actor accounts.Principal, sectionID int64, req Request) (Draw, error) {
	var row drawRow
	err := s.db.InTx(ctx, func(ctx context.Context) error {
		f, err := s.sectionFacts(ctx, actor, sectionID)
		if err != nil {
			return err
		}
		if !f.RunsProject || !(actor.Has(accounts.RoleAgent) || actor.Has(accounts.RoleAdmin)) {
			return apperr.New(apperr.Forbidden, "只有该项目的代理人可以申请抽取专家", "only the project's agent may request an expert draw").WithCode("not_project_agent")
		}
		if !f.DrawOpen() {
			return apperr.Newf(apperr.Conflict, "标段尚未开标（当前状态 %s），不能抽取专家", "the section is %s, not opened: no experts can be drawn", f.State).WithCode("section_not_opened")
		}
		if err := req.validate(f, s.now()); err != nil {
			return err
		}
		if err := s.checkSupplement(ctx, sectionID, req.SupplementOf); err != nil {
			return err
		}
		if pending, err := s.st.pendingDraw(ctx, sectionID); err != nil || pending {
			if err == nil {
				err = apperr.New(apperr.Conflict, "该标段已有等待监督人员输入随机数的抽取", "a draw of this section is still waiting for the supervisor's value").WithCode("draw_pending")
			}
			return err
		}
		cands, excl, err := s.candidates(ctx, f, req)
		if err != nil {
			return err
		}
		if err := checkFillable(req.Groups, cands); err != nil {
			return err
		}
		secret := make([]byte, notary.DrawSecretSize)
		if _, err := rand.Read(secret); err != nil {
			return apperr.Wrap(err, apperr.Unavailable, "无法生成随机数", "no randomness available")
		}
		row = drawRow{SectionID: sectionID, ProjectID: f.ProjectID, State: DrawCommitted, Request: req, Exclusions: excl,
			Candidates: "pending", Secret: "pending", CandidatesHash: notary.DrawCandidatesHash(cands).String(), CandidateCount: len(cands),
			SecretCommitment: notary.DrawSecretCommitment(secret).String(), CreatedBy: actor.UserID, CreatedAt: s.now()}
		if err := s.st.insert(ctx, &row); err != nil {
			return err
		}
		row.Candidates, row.Secret = s.fields.Seal(encodeCandidates(cands), row.label("candidates")), s.fields.Seal(secret, row.label("secret"))
		ev, err := s.events.Append(ctx, eventlog.Entry{Type: "experts.draw_committed", Subject: drawRef(row.ID), Actor: actor.Actor(),
			Payload: commitPayload{DrawID: row.ID, SectionID: sectionID, CandidatesHash: row.CandidatesHash,
				CandidateCount: len(cands), SecretCommitment: row.SecretCommitment, Excluded: len(excl)}})
		if err != nil {
			return err
		}
		row.CommitSeq = ev.Seq
		return s.st.save(ctx, &row)
	})
	return row.view(), err
}

// commitPayload is the payload of "experts.draw_committed": the verifier
// reads the two commitments back from it.
type commitPayload struct {
	DrawID           int64  `json:"drawId"`
	SectionID        int64  `json:"sectionId"`
	CandidatesHash   string `json:"candidatesHash"`
	CandidateCount   int    `json:"candidateCount"`
	SecretCommitment string `json:"secretCommitment"`
	Excluded         int    `json:"excluded"`
}

// candidates loads the pool for the request's groups and filters it.
func (s *Service) candidates(ctx context.Context, f bidding.DrawFacts, req Request) ([]notary.DrawCandidate, []Exclusion, error) {
	prefixes := make([]string, len(req.Groups))
	for i, g := range req.Groups {
		prefixes[i] = g.Specialty
	}
	experts, err := s.st.candidatePool(ctx, prefixes)
	if err != nil {
		return nil, nil, err
	}
	env, err := s.filterEnv(ctx, f, req)
	if err != nil {
		return nil, nil, err
	}
	pool, err := s.entries(ctx, experts, env, f.ProjectID, req.Avoidance.WithinDays)
	if err != nil {
		return nil, nil, err
	}
	c, e := filter(pool, req.Groups, env)
	return c, e, nil
}

// filterEnv names the employers to avoid: tenderer, agency, bidders and
// supervising departments, by credit code.
func (s *Service) filterEnv(ctx context.Context, f bidding.DrawFacts, req Request) (*filterEnv, error) {
	ids := append([]int64{f.TendererOrgID, f.AgencyOrgID}, f.BidderOrgIDs...)
	ids = append(ids, req.SupervisingOrgIDs...)
	codes, err := s.st.orgUSCCs(ctx, ids)
	if err != nil {
		return nil, err
	}
	conflicts := map[string]string{}
	mark := func(id int64, reason string) {
		if c := codes[id]; c != "" {
			if _, ok := conflicts[c]; !ok {
				conflicts[c] = reason
			}
		}
	}
	mark(f.TendererOrgID, ReasonTenderer)
	mark(f.AgencyOrgID, ReasonAgency)
	for _, id := range f.BidderOrgIDs {
		mark(id, ReasonBidder)
	}
	for _, id := range req.SupervisingOrgIDs {
		mark(id, ReasonSupervising)
	}
	now := s.now()
	return &filterEnv{at: req.EvaluationAt.UTC(), cutoff: now.AddDate(-req.Avoidance.EmploymentYears, 0, 0), conflicts: conflicts,
		include: req.RegionsInclude, exclude: req.RegionsExclude, maxDraws: req.Avoidance.MaxDraws}, nil
}

// entries joins experts with what the rules read: their employments at
// the employers to avoid, their leaves and their draw history.
func (s *Service) entries(ctx context.Context, experts []Expert, env *filterEnv, projectID int64, days int) ([]poolEntry, error) {
	idx := make(map[int64]int, len(experts))
	pool := make([]poolEntry, len(experts))
	for i, e := range experts {
		idx[e.ID], pool[i].Expert = i, e
	}
	codes := make([]string, 0, len(env.conflicts))
	for c := range env.conflicts {
		codes = append(codes, c)
	}
	jobs, err := s.st.jobsWith(ctx, codes)
	if err != nil {
		return nil, err
	}
	for _, j := range jobs {
		if i, ok := idx[j.ExpertID]; ok {
			pool[i].jobs = append(pool[i].jobs, j)
		}
	}
	leaves, err := s.st.allLeaves(ctx)
	if err != nil {
		return nil, err
	}
	for _, l := range leaves {
		if i, ok := idx[l.ExpertID]; ok {
			pool[i].leaves = append(pool[i].leaves, l)
		}
	}
	since := s.now().AddDate(0, 0, -days)
	tag := s.projectTag(projectID)
	hist, err := s.st.history(ctx, since, tag)
	for _, h := range hist {
		i, ok := idx[h.ExpertID]
		if !ok {
			continue
		}
		if h.ProjectTag == tag {
			pool[i].drawnOnProject = true
		}
		if !h.DrawnAt.Before(since) {
			pool[i].recentDraws++
		}
	}
	return pool, err
}
