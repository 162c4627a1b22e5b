package evaluation

import (
	"context"
	"strings"

	"github.com/tenderhall/tenderhall/accounts"
	"github.com/tenderhall/tenderhall/internal/apperr"
	"github.com/tenderhall/tenderhall/notary"
)

// SignRequest is a member's answer to the report: a signature (base64 SM2
// over ReportLabel ‖ digest), or a refusal with or without a reason.
type SignRequest struct {
	Digest    string `json:"digest"` // the digest the member read; it must be the report's
	Signature string `json:"signature,omitempty"`
	Refuse    bool   `json:"refuse,omitempty"`
	Reason    string `json:"reason,omitempty"`
}

// SignReport records a member's signature on the drafted report, or a
// refusal: with a written reason it is a dissent, recorded as such;
// without one the member is taken to agree, and that is recorded too. When
// every member has answered, the report is final: it is stored as JSON and
// PDF and the section's candidates may be published. Errors:
// apperr.Forbidden; apperr.NotFound (no_report); apperr.Conflict
// (already_signed, stale_report); apperr.Invalid (signature_invalid).
func (s *Service) SignReport(ctx context.Context, actor accounts.Principal, sessionID int64, in SignRequest, ip string) (SessionView, error) {
	_, m, err := s.enter(ctx, actor, sessionID, ip)
	if err != nil {
		return SessionView{}, err
	}
	rs, err := s.reportState(ctx, sessionID)
	if err != nil {
		return SessionView{}, err
	}
	if rs == nil {
		return SessionView{}, apperr.New(apperr.NotFound, "评标报告尚未生成", "the report has not been drafted").WithCode("no_report")
	}
	if in.Digest != rs.Digest {
		return SessionView{}, apperr.New(apperr.Conflict, "报告摘要不符：请重新阅读最新报告", "the digest is not the report's: read the report again").WithCode("stale_report")
	}
	sig := Signature{SessionID: sessionID, Seat: m.Seat, Kind: SignSigned}
	switch {
	case in.Refuse && strings.TrimSpace(in.Reason) != "":
		r := strings.TrimSpace(in.Reason)
		sig.Kind, sig.Reason = SignDissent, &r
	case in.Refuse:
		sig.Kind = SignDeemed
	default:
		keyID, err := s.verifySigned(ctx, actor, []byte(ReportLabel+rs.Digest), in.Signature)
		if err != nil {
			return SessionView{}, err
		}
		sig.KeyID, sig.Signature = &keyID, &in.Signature
	}
	finalized := false
	err = s.db.InTx(ctx, func(ctx context.Context) error {
		sess, m, err := s.inSession(ctx, sessionID, m)
		if err != nil {
			return err
		}
		if sess.Phase != PhaseReport || m.Role != RoleMember {
			return wrongPhase(sess.Phase)
		}
		sig.SignedAt = s.now()
		if err := s.st.insert(ctx, &sig); apperr.Is(err, apperr.Conflict) {
			return apperr.New(apperr.Conflict, "您已签署", "you have answered already").WithCode("already_signed")
		} else if err != nil {
			return err
		}
		if err := s.log(ctx, "evaluation.report_answered", sessionRef(sessionID), actor.Actor(),
			map[string]any{"seat": m.Seat, "kind": sig.Kind, "digest": rs.Digest, "keyId": sig.KeyID}); err != nil {
			return err
		}
		finalized, err = s.finalIfAllSigned(ctx, &sess)
		return err
	})
	if err != nil {
		return SessionView{}, err
	}
	if finalized {
		if err := s.publishReport(context.WithoutCancel(ctx), sessionID); err != nil {
			return SessionView{}, err
		}
	}
	return s.View(ctx, actor, sessionID, ip)
}

// finalIfAllSigned closes the report once every member has answered.
func (s *Service) finalIfAllSigned(ctx context.Context, sess *Session) (bool, error) {
	ms, err := s.st.members(ctx, sess.ID)
	if err != nil {
		return false, err
	}
	var sigs []Signature
	if err := s.st.find(ctx, &sigs, "", "session_id = ?", sess.ID); err != nil {
		return false, err
	}
	answered := map[int]bool{}
	for _, g := range sigs {
		answered[g.Seat] = true
	}
	if !allSubmitted(ms, func(m member) bool { return answered[m.Seat] }) {
		return false, nil
	}
	now := s.now()
	if _, err := s.st.update(ctx, &reportRow{}, map[string]any{"final_at": now}, "session_id = ?", sess.ID); err != nil {
		return false, err
	}
	if _, err := s.st.update(ctx, &Session{}, map[string]any{"phase": PhaseSigned, "updated_at": now}, "id = ?", sess.ID); err != nil {
		return false, err
	}
	return true, s.log(ctx, "evaluation.report_final", sessionRef(sess.ID), "system", map[string]any{"sectionId": sess.SectionID, "at": now})
}

// VerifyReportSignature checks a stored report signature against a public key;
// auditors use it with the keys of the members' accounts.
func VerifyReportSignature(pub *notary.PublicKey, digest, signatureB64 string) bool {
	return verifyB64(pub, []byte(ReportLabel+digest), signatureB64)
}
