package evaluation

import (
	"context"

	"github.com/tenderhall/tenderhall/accounts"
	"github.com/tenderhall/tenderhall/bidding"
	"github.com/tenderhall/tenderhall/internal/apperr"
)

// memberTx admits a seated expert (enter, before any transaction, so a
// refusal outside the room is logged on its own) and runs fn in a
// transaction with the session locked and the expert's seat re-read.
func (s *Service) memberTx(ctx context.Context, actor accounts.Principal, sessionID int64, ip string,
	fn func(ctx context.Context, sess *Session, m member) error) (member, error) {
	_, m, err := s.enter(ctx, actor, sessionID, ip)
	if err != nil {
		return m, err
	}
	return m, s.db.InTx(ctx, func(ctx context.Context) error {
		sess, cur, err := s.inSession(ctx, sessionID, m)
		if err != nil {
			return err
		}
		return fn(ctx, &sess, cur)
	})
}

// chairTx is memberTx for the chair only: apperr.Forbidden (not_chair)
// for any other member.
func (s *Service) chairTx(ctx context.Context, actor accounts.Principal, sessionID int64, ip string,
	fn func(ctx context.Context, sess *Session, m member) error) error {
	_, err := s.memberTx(ctx, actor, sessionID, ip, func(ctx context.Context, sess *Session, m member) error {
		if err := chairOnly(*sess, m); err != nil {
			return err
		}
		return fn(ctx, sess, m)
	})
	return err
}

// committeeRead admits a reader of the committee's working papers: a seated
// expert in the room, or a supervisor. what names the papers in the
// refusal. Errors: apperr.NotFound; apperr.Forbidden (not_on_committee,
// outside_room).
func (s *Service) committeeRead(ctx context.Context, actor accounts.Principal, sessionID int64, ip, zh, en string) (Session, []member, reader, error) {
	sess, ms, rd, err := s.readable(ctx, actor, sessionID, ip)
	if err != nil {
		return sess, nil, rd, err
	}
	if rd.member == nil && !isSupervisor(actor) {
		return sess, nil, rd, apperr.New(apperr.Forbidden, zh+"仅评标委员会和监督人员可见", en+" are for the committee and supervisors").WithCode("not_on_committee")
	}
	return sess, ms, rd, nil
}

// seesAllOf reports whether actor sees every bidder's records of a section
// (the project's agent, a supervisor) rather than only its organisation's
// (a bidder). zh and en name the records in the refusal of anyone else.
// Errors: apperr.NotFound; apperr.Forbidden.
func (s *Service) seesAllOf(ctx context.Context, actor accounts.Principal, sectionID int64, zh, en string) (bool, error) {
	f, err := s.facts(ctx, actor, sectionID)
	switch {
	case err != nil:
		return false, err
	case f.RunsProject || isSupervisor(actor):
		return true, nil
	case actor.Has(accounts.RoleBidder) && actor.OrgID != 0:
		return false, nil
	}
	return false, apperr.New(apperr.Forbidden, zh, en)
}

// sectionRows loads into out, by id, a section's rows of a table with a
// bidder_org_id: every row for those who see all of them, the caller's
// organisation's for a bidder (seesAllOf). Errors: as seesAllOf; storage's.
func (s *Service) sectionRows(ctx context.Context, actor accounts.Principal, sectionID int64, out any, zh, en string) error {
	all, err := s.seesAllOf(ctx, actor, sectionID, zh, en)
	switch {
	case err != nil:
		return err
	case all:
		return s.st.find(ctx, out, "id", "section_id = ?", sectionID)
	}
	return s.st.find(ctx, out, "id", "section_id = ? AND bidder_org_id = ?", sectionID, actor.OrgID)
}

// agentTx runs fn in a transaction for the project's agent, with the
// section row locked so that fn decides on a state no transition can
// change meanwhile. Errors: apperr.NotFound; apperr.Forbidden
// (not_project_agent); fn's.
func (s *Service) agentTx(ctx context.Context, actor accounts.Principal, sectionID int64, fn func(ctx context.Context, f bidding.EvaluationFacts) error) error {
	return s.db.InTx(ctx, func(ctx context.Context) error {
		if err := s.bidding.LockSection(ctx, sectionID); err != nil {
			return err
		}
		f, err := s.facts(ctx, actor, sectionID)
		if err != nil {
			return err
		}
		if !f.RunsProject {
			return notAgent()
		}
		return fn(ctx, f)
	})
}
