package experts

import (
	"context"
	"encoding/json"
	"strconv"
	"time"

	"github.com/tenderhall/tenderhall/accounts"
	"github.com/tenderhall/tenderhall/eventlog"
	"github.com/tenderhall/tenderhall/internal/apperr"
	"github.com/tenderhall/tenderhall/internal/jobs"
	"github.com/tenderhall/tenderhall/storage"
)

// drawPlan is what the campaign reads of a draw: each group's draw order
// and picks, and every candidate's employer.
type drawPlan struct {
	res      Result
	employer map[int64]string
}

func (s *Service) plan(d drawRow) (drawPlan, error) {
	res, err := s.openResult(d)
	if err != nil {
		return drawPlan{}, err
	}
	_, cands, err := s.openCommitted(d)
	if err != nil {
		return drawPlan{}, err
	}
	p := drawPlan{res: res, employer: map[int64]string{}}
	for _, c := range cands {
		p.employer[c.ExpertID] = c.Employer
	}
	return p, nil
}

// advance invites candidates, in ctx's transaction, until every group has
// as many experts accepted or being called as it needs (members plus
// reserves): first the draw's own picks, then further candidates in the
// group's draw order, skipping anyone already invited and any employer
// already on the committee. When every group is confirmed the campaign is
// filled. It returns the call tasks to enqueue after the commit.
func (s *Service) advance(ctx context.Context, d drawRow, c Campaign) ([]jobs.Task, error) {
	if c.State != CampaignRunning {
		return nil, nil
	}
	p, err := s.plan(d)
	if err != nil {
		return nil, err
	}
	var invs []invitation
	if err := s.st.conn(ctx).Where("draw_id = ?", d.ID).Find(&invs).Error; err != nil {
		return nil, storage.Translate(err)
	}
	invited, usedEmployer := map[int64]bool{}, map[string]bool{}
	active := make([]int, len(d.Request.Groups))
	accepted := make([]int, len(d.Request.Groups))
	for _, in := range invs {
		invited[in.ExpertID] = true
		if in.Status == InvCalling || in.Status == InvAccepted {
			usedEmployer[in.EmployerUSCC] = true
			active[in.GroupIdx]++
		}
		if in.Status == InvAccepted {
			accepted[in.GroupIdx]++
		}
	}
	var tasks []jobs.Task
	filled := true
	for gi, g := range d.Request.Groups {
		need := g.Count + g.Reserve
		gr := p.res.Groups[gi]
		picks := append(append([]int64(nil), gr.Members...), gr.Reserves...)
		for _, id := range append(picks, gr.Order...) {
			if active[gi] >= need {
				break
			}
			emp := p.employer[id]
			if invited[id] || (emp != "" && usedEmployer[emp]) {
				continue
			}
			t, err := s.invite(ctx, d, gi, position(gr.Order, id), id, emp, !contains(picks, id))
			if err != nil {
				return nil, err
			}
			tasks = append(tasks, t)
			invited[id], usedEmployer[emp] = true, true
			active[gi]++
		}
		filled = filled && accepted[gi] >= need
	}
	if filled {
		return tasks, s.finish(ctx, c, CampaignFilled, "experts.campaign_filled", nil)
	}
	return tasks, nil
}

func position(order []int64, id int64) int {
	for i, x := range order {
		if x == id {
			return i
		}
	}
	return -1
}

func contains(ids []int64, id int64) bool {
	for _, x := range ids {
		if x == id {
			return true
		}
	}
	return false
}

// invite creates an invitation and its first call attempt. An expert
// called beyond the draw's picks (further down the draw order) enters the
// draw history too, so a supplementary draw avoids them like the picks.
func (s *Service) invite(ctx context.Context, d drawRow, gi, pos int, expertID int64, emp string, beyond bool) (jobs.Task, error) {
	now := s.now()
	if beyond {
		if err := s.st.insertHistory(ctx, []historyRow{{ExpertID: expertID, ProjectTag: s.projectTag(d.ProjectID), DrawnAt: now}}); err != nil {
			return jobs.Task{}, err
		}
	}
	in := invitation{DrawID: d.ID, GroupIdx: gi, Position: pos, ExpertID: expertID, EmployerUSCC: emp, Status: InvCalling,
		Attempts: 1, CreatedAt: now, UpdatedAt: now}
	if err := s.st.insert(ctx, &in); err != nil {
		return jobs.Task{}, err
	}
	return s.queueAttempt(ctx, in, 1, now)
}

// queueAttempt stores attempt n of an invitation and returns its task,
// whose fixed ID makes a second enqueue (the sweep's) a no-op.
func (s *Service) queueAttempt(ctx context.Context, in invitation, n int, at time.Time) (jobs.Task, error) {
	a := callAttempt{ID: attemptID(in.DrawID, in.ExpertID, n), InvitationID: in.ID, DrawID: in.DrawID, AttemptNo: n,
		PhoneIndex: n - 1, Status: attemptQueued, RunAt: at}
	if err := s.st.insert(ctx, &a); err != nil {
		return jobs.Task{}, err
	}
	return callTask(a), nil
}

func callTask(a callAttempt) jobs.Task {
	payload, _ := json.Marshal(map[string]string{"attemptId": a.ID})
	return jobs.Task{Type: TaskCall, ID: "call:" + a.ID, Payload: payload, RunAt: a.RunAt, MaxRetry: 10}
}

// finish ends a running campaign with state and logs typ.
func (s *Service) finish(ctx context.Context, c Campaign, state CampaignState, typ string, extra map[string]any) error {
	now := s.now()
	res := s.st.conn(ctx).Model(&Campaign{}).Where("draw_id = ? AND state = ?", c.DrawID, CampaignRunning).
		Updates(map[string]any{"state": state, "finished_at": now})
	if res.Error != nil || res.RowsAffected != 1 {
		return storage.Translate(res.Error)
	}
	payload := map[string]any{"drawId": c.DrawID, "sectionId": c.SectionID}
	for k, v := range extra {
		payload[k] = v
	}
	_, err := s.events.Append(ctx, eventlog.Entry{Type: typ, Subject: drawRef(c.DrawID), Actor: "system", Payload: payload})
	return err
}

// GroupProgress counts one group's invitations: numbers only, no names.
type GroupProgress struct {
	Specialty string   `json:"specialty"`
	Category  Category `json:"category"`
	Needed    int      `json:"needed"` // members plus reserves
	Accepted  int      `json:"accepted"`
	Calling   int      `json:"calling"`
	Declined  int      `json:"declined"`
	NoAnswer  int      `json:"noAnswer"`
	Cancelled int      `json:"cancelled"`
	Attempts  int      `json:"attempts"` // calls placed or queued
}

// Progress is a campaign as the agent and the supervisor watch it.
type Progress struct {
	Campaign Campaign        `json:"campaign"`
	Groups   []GroupProgress `json:"groups"`
}

// CampaignProgress returns a campaign's counts, never a name, to the
// project's agent, a supervisor or an administrator. Errors:
// apperr.Forbidden; apperr.NotFound (campaign_not_found).
func (s *Service) CampaignProgress(ctx context.Context, actor accounts.Principal, drawID int64) (Progress, error) {
	d, err := s.st.draw(ctx, drawID, false)
	if err != nil {
		return Progress{}, err
	}
	f, err := s.sectionFacts(ctx, actor, d.SectionID)
	if err != nil {
		return Progress{}, err
	}
	if !f.RunsProject && !actor.Has(accounts.RoleSupervisor) && !actor.Has(accounts.RoleAdmin) {
		return Progress{}, apperr.New(apperr.Forbidden, "无权查看语音通知进度", "you may not watch this call campaign")
	}
	var cs []Campaign
	if err := s.st.conn(ctx).Where("draw_id = ?", drawID).Limit(1).Find(&cs).Error; err != nil {
		return Progress{}, storage.Translate(err)
	}
	if len(cs) == 0 {
		return Progress{}, apperr.New(apperr.NotFound, "该次抽取尚未发起语音通知", "this draw has no call campaign").WithCode("campaign_not_found")
	}
	out := Progress{Campaign: cs[0]}
	for _, g := range d.Request.Groups {
		out.Groups = append(out.Groups, GroupProgress{Specialty: g.Specialty, Category: g.Category, Needed: g.Count + g.Reserve})
	}
	var invs []invitation
	if err := s.st.conn(ctx).Where("draw_id = ?", drawID).Find(&invs).Error; err != nil {
		return Progress{}, storage.Translate(err)
	}
	for _, in := range invs {
		g := &out.Groups[in.GroupIdx]
		g.Attempts += in.Attempts
		switch in.Status {
		case InvAccepted:
			g.Accepted++
		case InvCalling:
			g.Calling++
		case InvDeclined:
			g.Declined++
		case InvNoAnswer:
			g.NoAnswer++
		case InvCancelled:
			g.Cancelled++
		}
	}
	return out, nil
}

func idPayload(id int64) []byte { return []byte(`{"drawId":` + strconv.FormatInt(id, 10) + `}`) }
