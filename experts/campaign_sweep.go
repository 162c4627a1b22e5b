package experts

import (
	"context"
	"strconv"

	"github.com/tenderhall/tenderhall/internal/jobs"
	"github.com/tenderhall/tenderhall/storage"
)

// confirmDeadline ends a campaign whose confirmation deadline passed with
// a group short: the campaign is unfilled, queued attempts are cancelled,
// and "experts.campaign_unfilled" alerts the agent and the supervisor
// (the supervision feed reads it), who may ask for a supplementary draw —
// a new draw of the section, which avoids everyone already drawn for the
// project. Safe to run twice; a filled campaign is left alone.
func (s *Service) confirmDeadline(ctx context.Context, drawID int64) error {
	return s.db.InTx(ctx, func(ctx context.Context) error {
		c, _, err := s.campaignAndDraw(ctx, drawID)
		if err != nil || c.State != CampaignRunning || s.now().Before(c.ConfirmBy) {
			return err
		}
		p, err := s.progressOf(ctx, drawID)
		if err != nil {
			return err
		}
		var short []map[string]any
		for i, g := range p {
			if g.Accepted < g.Needed {
				short = append(short, map[string]any{"group": i, "needed": g.Needed, "accepted": g.Accepted})
			}
		}
		if err := s.st.conn(ctx).Model(&callAttempt{}).Where("draw_id = ? AND status = ?", drawID, attemptQueued).
			Update("status", attemptCancelled).Error; err != nil {
			return storage.Translate(err)
		}
		return s.finish(ctx, c, CampaignUnfilled, "experts.campaign_unfilled", map[string]any{"short": short, "alert": []string{"agent", "supervisor"}})
	})
}

// progressOf counts a draw's invitations by group.
func (s *Service) progressOf(ctx context.Context, drawID int64) ([]GroupProgress, error) {
	d, err := s.st.draw(ctx, drawID, false)
	if err != nil {
		return nil, err
	}
	out := make([]GroupProgress, len(d.Request.Groups))
	for i, g := range d.Request.Groups {
		out[i].Needed = g.Count + g.Reserve
	}
	var invs []invitation
	if err := s.st.conn(ctx).Where("draw_id = ? AND status = ?", drawID, InvAccepted).Find(&invs).Error; err != nil {
		return nil, storage.Translate(err)
	}
	for _, in := range invs {
		out[in.GroupIdx].Accepted++
	}
	return out, nil
}

// Sweep catches up after a crash: every queued attempt of a running
// campaign gets its call task again and every accepted expert its SMS task
// (a no-op for one that exists, by its fixed ID), and campaigns past their deadline are ended. Errors: those
// of storage.
func (s *Service) Sweep(ctx context.Context) error {
	var cs []Campaign
	if err := s.st.conn(ctx).Where("state = ?", CampaignRunning).Find(&cs).Error; err != nil {
		return storage.Translate(err)
	}
	for _, c := range cs {
		if !s.now().Before(c.ConfirmBy) {
			if err := s.confirmDeadline(ctx, c.DrawID); err != nil {
				return err
			}
			continue
		}
		var as []callAttempt
		if err := s.st.conn(ctx).Where("draw_id = ? AND status = ?", c.DrawID, attemptQueued).Find(&as).Error; err != nil {
			return storage.Translate(err)
		}
		var tasks []jobs.Task
		for _, a := range as {
			tasks = append(tasks, callTask(a))
		}
		var accepted []invitation
		if err := s.st.conn(ctx).Where("draw_id = ? AND status = ?", c.DrawID, InvAccepted).Find(&accepted).Error; err != nil {
			return storage.Translate(err)
		}
		for _, in := range accepted {
			tasks = append(tasks, smsTask(in))
		}
		tasks = append(tasks, jobs.Task{Type: TaskConfirm, ID: "confirm:" + strconv.FormatInt(c.DrawID, 10), Payload: idPayload(c.DrawID), RunAt: c.ConfirmBy})
		s.enqueue(ctx, tasks)
	}
	return nil
}
