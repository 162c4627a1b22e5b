package evaluation

import (
	"context"
	"encoding/json"

	"github.com/tenderhall/tenderhall/accounts"
	"github.com/tenderhall/tenderhall/internal/clock"
)

// buildReport gathers the report from the session's rows.
func (s *Service) buildReport(ctx context.Context, sess Session) (Report, error) {
	f, err := s.facts(ctx, accounts.Principal{}, sess.SectionID)
	if err != nil {
		return Report{}, err
	}
	room, err := s.st.room(ctx, sess.RoomID)
	if err != nil {
		return Report{}, err
	}
	rep := Report{Type: ReportType, SessionID: sess.ID, SectionID: sess.SectionID, ProjectID: f.ProjectID, ProjectName: f.ProjectName,
		SectionCode: f.SectionCode, SectionName: f.SectionName, Sandbox: f.Sandbox, EvaluationAt: clock.Stamp(sess.EvaluationAt),
		Place: sess.Place, Room: room.Name, Scheme: sess.Scheme, Withdrawn: []int{}, DraftedAt: clock.Stamp(s.now())}
	ms, err := s.st.members(ctx, sess.ID)
	if err != nil {
		return Report{}, err
	}
	for _, m := range ms {
		switch m.Role {
		case RoleMember:
			rep.Committee = append(rep.Committee, ReportSeat{Seat: m.Seat, Category: m.Category, Chair: sess.ChairSeat != nil && *sess.ChairSeat == m.Seat})
			rv, err := s.reviewSheet(ctx, sess.ID, m.Seat)
			if err != nil {
				return Report{}, err
			}
			sc, err := s.scoreSheet(ctx, sess.ID, m.Seat)
			if err != nil {
				return Report{}, err
			}
			rep.Reviews, rep.Scores = append(rep.Reviews, rv), append(rep.Scores, sc)
		case RoleWithdrawn:
			rep.Withdrawn = append(rep.Withdrawn, m.Seat)
		}
	}
	for _, b := range sess.Bids {
		rep.Bids = append(rep.Bids, ReportBid{BidID: b.BidID, BidderName: b.BidderName, PriceFen: b.PriceFen, DurationDays: b.DurationDays, Digest: b.Digest})
	}
	if err := s.reportFindings(ctx, sess, &rep); err != nil {
		return Report{}, err
	}
	res, err := s.results(ctx, sess)
	if err != nil {
		return Report{}, err
	}
	rep.Items, rep.Price, rep.Ranking, rep.Candidates = res.Items, res.Price, res.Ranking, candidatesOf(res.Ranking)
	rep.Reconciled, err = s.reconciledItems(ctx, sess.ID)
	return rep, err
}

// reportFindings adds conclusions, competition, clarifications and flags.
func (s *Service) reportFindings(ctx context.Context, sess Session, rep *Report) error {
	var cs []Conclusion
	if err := s.st.find(ctx, &cs, "bid_id", "session_id = ?", sess.ID); err != nil {
		return err
	}
	for _, c := range cs {
		rf := ReportFinding{Conclusion: c}
		if c.Statute != nil {
			rf.StatuteText = Statutes[*c.Statute]
		}
		rep.Conclusions = append(rep.Conclusions, rf)
	}
	if sess.Competitive != nil {
		rep.Competition = &Competition{Effective: *sess.Competitive}
		if sess.CompetitionReason != nil {
			rep.Competition.Reason = *sess.CompetitionReason
		}
	}
	rep.Clarifications, rep.Flags = []Clarification{}, []Flag{}
	if err := s.st.find(ctx, &rep.Clarifications, "id", "session_id = ?", sess.ID); err != nil {
		return err
	}
	return s.st.find(ctx, &rep.Flags, "id", "session_id = ?", sess.ID)
}

// reconciledItems lists the items any reconciliation sent back, from the
// session's events.
func (s *Service) reconciledItems(ctx context.Context, sessionID int64) ([]string, error) {
	evs, err := s.events.BySubject(ctx, sessionRef(sessionID), 10000)
	if err != nil {
		return nil, err
	}
	out := []string{}
	for _, e := range evs {
		if e.Type != "evaluation.reconciliation" {
			continue
		}
		var p struct {
			Items []string `json:"items"`
		}
		if json.Unmarshal([]byte(e.Payload), &p) == nil {
			out = append(out, p.Items...)
		}
	}
	return out, nil
}
