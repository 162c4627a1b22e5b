package evaluation

import (
	"context"
	"time"

	"github.com/tenderhall/tenderhall/accounts"
	"github.com/tenderhall/tenderhall/internal/apperr"
	"github.com/tenderhall/tenderhall/storage"
)

// MemberView is a seat as a reader sees it: names only for the committee
// and supervisors until the section's result is final.
type MemberView struct {
	Seat            int        `json:"seat"`
	Role            Role       `json:"role"`
	Category        string     `json:"category"`
	Chair           bool       `json:"chair"`
	SignedIn        bool       `json:"signedIn"`
	Declared        bool       `json:"declared"`
	Voted           bool       `json:"voted"`
	ReviewSubmitted bool       `json:"reviewSubmitted"`
	ScoresSubmitted bool       `json:"scoresSubmitted"`
	Returned        []string   `json:"returned,omitempty"` // items sent back for reconciliation ("bidId/criterion")
	SignedInAt      *time.Time `json:"signedInAt,omitempty"`
	Name            string     `json:"name,omitempty"`
	Employer        string     `json:"employer,omitempty"`
}

// SessionView is an evaluation as its reader may see it.
type SessionView struct {
	Session
	Room        Room         `json:"room"`
	Members     []MemberView `json:"members"`
	You         *MemberView  `json:"you,omitempty"` // the caller's own seat
	Conclusions []Conclusion `json:"conclusions"`
	OpenFlags   int          `json:"openFlags"`
	Report      *ReportState `json:"report,omitempty"`
	Sandbox     bool         `json:"sandbox,omitempty"`
}

// ReportState tells where the report is.
type ReportState struct {
	Digest     string      `json:"digest"`
	DraftedAt  time.Time   `json:"draftedAt"`
	FinalAt    *time.Time  `json:"finalAt,omitempty"`
	Signatures []Signature `json:"signatures"`
}

// reader is who reads a session and what they may see.
type reader struct {
	member *member // the caller's seat, for an expert of the committee
	names  bool    // may see the experts' names
}

// access decides whether actor may read sess; experts must be seated and,
// for every evaluation route, on the room's network (ip). Errors:
// apperr.Forbidden (not_on_committee, outside_room).
func (s *Service) access(ctx context.Context, actor accounts.Principal, sess Session, ms []member, ip string) (reader, error) {
	f, err := s.facts(ctx, actor, sess.SectionID)
	if err != nil {
		return reader{}, err
	}
	if actor.Has(accounts.RoleExpert) {
		// A withdrawn expert still reads the session, to see the withdrawal.
		for i := range ms {
			if ms[i].UserID != nil && *ms[i].UserID == actor.UserID {
				if err := s.checkRoom(ctx, actor, sess, ip); err != nil {
					return reader{}, err
				}
				return reader{member: &ms[i], names: true}, nil
			}
		}
	}
	switch {
	case isSupervisor(actor), actor.Has(accounts.RoleAdmin):
		return reader{names: isSupervisor(actor) || f.State.Final()}, nil
	case f.RunsProject:
		return reader{names: f.State.Final()}, nil
	}
	return reader{}, apperr.New(apperr.Forbidden, "您不是该评标委员会成员", "you are not on this evaluation committee").WithCode("not_on_committee")
}

// checkRoom refuses, and logs, an expert's request from outside the
// session room's networks.
func (s *Service) checkRoom(ctx context.Context, actor accounts.Principal, sess Session, ip string) error {
	room, err := s.st.room(ctx, sess.RoomID)
	if err != nil {
		return err
	}
	if room.contains(ip) {
		return nil
	}
	// Callers check the room before their transaction, so the refusal is
	// logged on its own and stays when the request fails.
	if !storage.InTransaction(ctx) {
		_ = s.db.InTx(context.WithoutCancel(ctx), func(ctx context.Context) error {
			return s.log(ctx, "evaluation.access_refused", sessionRef(sess.ID), actor.Actor(), map[string]any{"ip": ip, "roomId": room.ID})
		})
	}
	return apperr.Newf(apperr.Forbidden, "评标只能在评标室（%s）的网络内进行", "evaluation is only possible from the network of the evaluation room (%s)", room.Name).
		WithCode("outside_room")
}

// seatOf finds actor's seat among ms.
func seatOf(actor accounts.Principal, ms []member) (member, bool) {
	for _, m := range ms {
		if actor.Has(accounts.RoleExpert) && m.UserID != nil && *m.UserID == actor.UserID && m.Role != RoleWithdrawn {
			return m, true
		}
	}
	return member{}, false
}

// enter admits an expert of the committee to a session's work: seated
// (member or reserve) and on the room's network. Methods call it before
// their transaction and re-read what they change inside it. Errors:
// apperr.NotFound; apperr.Forbidden (not_on_committee, outside_room).
func (s *Service) enter(ctx context.Context, actor accounts.Principal, sessionID int64, ip string) (Session, member, error) {
	sess, err := s.st.session(ctx, sessionID, false)
	if err != nil {
		return sess, member{}, err
	}
	ms, err := s.st.members(ctx, sess.ID)
	if err != nil {
		return sess, member{}, err
	}
	if m, ok := seatOf(actor, ms); ok {
		return sess, m, s.checkRoom(ctx, actor, sess, ip)
	}
	if actor.Has(accounts.RoleExpert) && sess.Phase == PhaseSignIn {
		// A reserve the campaign confirmed since the last look has no seat
		// yet: seat the newly confirmed, then look again.
		err := s.db.InTx(ctx, func(ctx context.Context) error {
			sess, err := s.st.session(ctx, sessionID, true)
			if err != nil {
				return err
			}
			return s.seat(ctx, &sess)
		})
		if err != nil {
			return sess, member{}, err
		}
		if ms, err = s.st.members(ctx, sess.ID); err != nil {
			return sess, member{}, err
		}
		if m, ok := seatOf(actor, ms); ok {
			return sess, m, s.checkRoom(ctx, actor, sess, ip)
		}
	}
	return sess, member{}, apperr.New(apperr.Forbidden, "您不是该评标委员会成员", "you are not on this evaluation committee").WithCode("not_on_committee")
}

// View returns the session as actor may see it; ip is the caller's
// address (experts must be in the room). Errors: apperr.NotFound;
// apperr.Forbidden.
func (s *Service) View(ctx context.Context, actor accounts.Principal, sessionID int64, ip string) (SessionView, error) {
	sess, ms, rd, err := s.readable(ctx, actor, sessionID, ip)
	if err != nil {
		return SessionView{}, err
	}
	return s.view(ctx, sess, ms, rd)
}

// readable loads a session and its members for actor, refusing those who
// may not read it (access). Errors: as View.
func (s *Service) readable(ctx context.Context, actor accounts.Principal, sessionID int64, ip string) (Session, []member, reader, error) {
	sess, err := s.st.session(ctx, sessionID, false)
	if err != nil {
		return sess, nil, reader{}, err
	}
	ms, err := s.st.members(ctx, sess.ID)
	if err != nil {
		return sess, nil, reader{}, err
	}
	rd, err := s.access(ctx, actor, sess, ms, ip)
	return sess, ms, rd, err
}

// SectionView is View by section. Errors: as View.
func (s *Service) SectionView(ctx context.Context, actor accounts.Principal, sectionID int64, ip string) (SessionView, error) {
	sess, err := s.st.sessionOfSection(ctx, sectionID, false)
	if err != nil {
		return SessionView{}, err
	}
	return s.View(ctx, actor, sess.ID, ip)
}

func (s *Service) view(ctx context.Context, sess Session, ms []member, rd reader) (SessionView, error) {
	v := SessionView{Session: sess, Members: []MemberView{}, Sandbox: s.bidding.Sandbox()}
	var err error
	if v.Room, err = s.st.room(ctx, sess.RoomID); err != nil {
		return v, err
	}
	names := map[int64][2]string{}
	if rd.names {
		att, err := s.experts.Attendees(ctx, sess.DrawID)
		if err != nil {
			return v, err
		}
		for _, a := range att {
			names[a.ExpertID] = [2]string{a.Name, a.Employer}
		}
	}
	for _, m := range ms {
		mv := memberView(sess, m)
		mv.Name, mv.Employer = names[m.ExpertID][0], names[m.ExpertID][1]
		v.Members = append(v.Members, mv)
		if rd.member != nil && rd.member.ID == m.ID {
			you := mv
			v.You = &you
		}
	}
	if err := s.st.find(ctx, &v.Conclusions, "bid_id", "session_id = ?", sess.ID); err != nil {
		return v, err
	}
	if v.Conclusions == nil {
		v.Conclusions = []Conclusion{}
	}
	n, err := s.st.openFlags(ctx, sess.ID)
	if err != nil {
		return v, err
	}
	v.OpenFlags = int(n)
	v.Report, err = s.reportState(ctx, sess.ID)
	return v, err
}

func memberView(sess Session, m member) MemberView {
	mv := MemberView{Seat: m.Seat, Role: m.Role, Category: m.Category, Chair: sess.ChairSeat != nil && *sess.ChairSeat == m.Seat,
		SignedIn: m.SignedInAt != nil, Declared: m.DeclaredAt != nil, Voted: m.VoteSeat != nil,
		ReviewSubmitted: m.ReviewSubmittedAt != nil, ScoresSubmitted: m.ScoresSubmittedAt != nil, SignedInAt: m.SignedInAt}
	mv.Returned = returnedItems(m)
	return mv
}

// MySessions lists the sessions whose committee seats the calling expert,
// newest first, so the expert's pages find their room.
func (s *Service) MySessions(ctx context.Context, actor accounts.Principal) ([]Session, error) {
	if !actor.Has(accounts.RoleExpert) {
		return nil, apperr.New(apperr.Forbidden, "只有评标专家有评标任务", "only experts have evaluations").WithCode("not_an_expert")
	}
	ids, err := s.st.seatedSessions(ctx, actor.UserID)
	if err != nil {
		return nil, err
	}
	out := []Session{}
	if len(ids) == 0 {
		return out, nil
	}
	return out, s.st.find(ctx, &out, "id DESC", "id IN ?", ids)
}
