package evaluation

import (
	"context"
	"encoding/json"
	"errors"
	"strings"

	"github.com/tenderhall/tenderhall/accounts"
	"github.com/tenderhall/tenderhall/internal/apperr"
	"github.com/tenderhall/tenderhall/notary"
)

// DeclarationLabel prefixes the bytes an expert signs to declare
// avoidance, so the signature serves nowhere else.
const DeclarationLabel = "TenderHall avoidance declaration v1\n"

// Statement is the avoidance declaration (回避声明) an expert signs: the
// relationships with the tenderer, the agency or any bidder that require
// avoidance, none when there are none.
type Statement struct {
	SessionID     int64    `json:"sessionId"`
	Seat          int      `json:"seat"`
	Relationships []string `json:"relationships"`
}

// inSession re-reads, in ctx's transaction, the session (locked) and the
// member m entered as.
func (s *Service) inSession(ctx context.Context, sessionID int64, m member) (Session, member, error) {
	sess, err := s.st.session(ctx, sessionID, true)
	if err != nil {
		return sess, m, err
	}
	var cur member
	err = s.st.take(ctx, true, &cur, "席位不存在", "seat not found", "id = ?", m.ID)
	if err == nil && cur.Role == RoleWithdrawn {
		err = apperr.New(apperr.Forbidden, "您已回避，不再参加本次评标", "you have withdrawn from this evaluation").WithCode("withdrawn")
	}
	return sess, cur, err
}

func wrongPhase(p Phase) error {
	return apperr.Newf(apperr.Conflict, "评标当前阶段为「%s」，不能执行此操作", "the evaluation is in phase %s; this is not possible now", p).WithCode("wrong_phase")
}

// SignIn checks an expert of the committee into the room with the
// one-time code of the confirmation SMS, from the room's network. Errors:
// apperr.Forbidden (not_on_committee, outside_room, bad_code);
// apperr.Conflict (already_signed_in, wrong_phase).
func (s *Service) SignIn(ctx context.Context, actor accounts.Principal, sessionID int64, code, ip string) (SessionView, error) {
	_, err := s.memberTx(ctx, actor, sessionID, ip, func(ctx context.Context, sess *Session, m member) error {
		if sess.Phase == PhaseSigned || sess.Phase == PhaseFailed {
			return wrongPhase(sess.Phase)
		}
		if m.SignedInAt != nil {
			return apperr.New(apperr.Conflict, "您已签到", "you have signed in already").WithCode("already_signed_in")
		}
		if !s.experts.CheckRoomCode(m.DrawID, m.ExpertID, code) {
			return apperr.New(apperr.Forbidden, "验证码不正确", "the one-time code is wrong").WithCode("bad_code").WithField("code", "wrong")
		}
		if _, err := s.st.update(ctx, &member{}, map[string]any{"signed_in_at": s.now(), "signin_ip": ip}, "id = ?", m.ID); err != nil {
			return err
		}
		return s.log(ctx, "evaluation.signed_in", sessionRef(sessionID), actor.Actor(), map[string]any{"seat": m.Seat, "ip": ip, "role": m.Role})
	})
	if err != nil {
		return SessionView{}, err
	}
	return s.View(ctx, actor, sessionID, ip)
}

// Declare records an expert's signed avoidance declaration. statement is
// the exact JSON (Statement) the expert signed; signature is the base64
// SM2 signature over DeclarationLabel ‖ statement with the key registered
// on the expert's account. A declared relationship withdraws the expert:
// the first reserve of the group takes the place and the campaign calls
// the next candidate. Errors: apperr.Forbidden; apperr.Conflict
// (not_signed_in, already_declared); apperr.Invalid (bad_statement,
// signature_invalid); apperr.NotFound (no_user_key).
func (s *Service) Declare(ctx context.Context, actor accounts.Principal, sessionID int64, statement, signature, ip string) (SessionView, error) {
	_, m, err := s.enter(ctx, actor, sessionID, ip)
	if err != nil {
		return SessionView{}, err
	}
	st, err := s.verifyStatement(ctx, actor, sessionID, m.Seat, statement, signature)
	if err != nil {
		return SessionView{}, err
	}
	var after func(context.Context)
	_, err = s.memberTx(ctx, actor, sessionID, ip, func(ctx context.Context, sess *Session, m member) error {
		switch {
		case m.SignedInAt == nil:
			return apperr.New(apperr.Conflict, "请先签到", "sign in first").WithCode("not_signed_in")
		case m.DeclaredAt != nil:
			return apperr.New(apperr.Conflict, "您已签署回避声明", "you have declared already").WithCode("already_declared")
		case sess.Phase != PhaseSignIn:
			return wrongPhase(sess.Phase)
		}
		withdraw := len(st.Relationships) > 0
		if err := s.recordDeclaration(ctx, sessionID, actor, m, statement+"\n"+signature, len(st.Relationships)); err != nil || !withdraw {
			return err
		}
		var err error
		if after, err = s.experts.WithdrawAttendance(ctx, m.DrawID, m.ExpertID, "评标室回避声明 / declared a relationship in the evaluation room"); err != nil {
			return err
		}
		return s.seat(ctx, sess)
	})
	if err != nil {
		return SessionView{}, err
	}
	if after != nil {
		after(ctx)
	}
	return s.View(ctx, actor, sessionID, ip)
}

// recordDeclaration stores a declaration; any relationship withdraws the
// member.
func (s *Service) recordDeclaration(ctx context.Context, sessionID int64, actor accounts.Principal, m member, text string, relationships int) error {
	fields := map[string]any{"declared_at": s.now(), "declaration": text}
	if relationships > 0 {
		fields["role"] = RoleWithdrawn
	}
	if _, err := s.st.update(ctx, &member{}, fields, "id = ?", m.ID); err != nil {
		return err
	}
	return s.log(ctx, "evaluation.declared", sessionRef(sessionID), actor.Actor(),
		map[string]any{"seat": m.Seat, "relationships": relationships, "withdrawn": relationships > 0})
}

// verifyStatement parses and checks a declaration against the expert's key.
func (s *Service) verifyStatement(ctx context.Context, actor accounts.Principal, sessionID int64, seat int, statement, signature string) (Statement, error) {
	st, err := parseStatement(statement, sessionID, seat)
	if err != nil {
		return st, err
	}
	_, err = s.verifySigned(ctx, actor, []byte(DeclarationLabel+statement), signature)
	return st, err
}

// parseStatement reads a declaration a member sent: exactly one JSON
// object naming this session and seat, with at most 20 relationships of at
// most 500 characters. Errors: apperr.Invalid (bad_statement).
func parseStatement(statement string, sessionID int64, seat int) (Statement, error) {
	var st Statement
	dec := json.NewDecoder(strings.NewReader(statement))
	dec.DisallowUnknownFields()
	err := dec.Decode(&st)
	if err == nil && dec.More() {
		err = errTrailing
	}
	ok := err == nil && st.SessionID == sessionID && st.Seat == seat && st.Relationships != nil && len(st.Relationships) <= 20
	for _, r := range st.Relationships {
		ok = ok && strings.TrimSpace(r) != "" && len([]rune(r)) <= 500
	}
	if !ok {
		return st, apperr.New(apperr.Invalid, "回避声明内容无效：应为本会话、本席位的声明", "the declaration must name this session and your seat, and list relationships (none: [])").
			WithCode("bad_statement").WithField("statement", "sessionId, seat and relationships")
	}
	return st, nil
}

var errTrailing = errors.New("trailing data after the statement")

// verifySigned checks an SM2 signature by the actor's registered key and
// returns that key's ID.
func (s *Service) verifySigned(ctx context.Context, actor accounts.Principal, msg []byte, signature string) (string, error) {
	uk, err := s.accounts.UserPublicKey(ctx, actor.UserID)
	if err != nil {
		return "", err
	}
	pub, err := notary.ParsePublicKeyPEM(uk.PEM)
	if err != nil {
		return "", err
	}
	if !verifyB64(pub, msg, signature) {
		return "", apperr.New(apperr.Invalid, "签名无效：请用账号登记的 SM2 密钥签名", "the signature is invalid: sign with the SM2 key registered on your account").
			WithCode("signature_invalid").WithField("signature", "invalid")
	}
	return uk.KeyID, nil
}
