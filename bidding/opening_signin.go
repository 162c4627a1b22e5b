package bidding

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"strconv"
	"time"

	"github.com/tenderhall/tenderhall/accounts"
	"github.com/tenderhall/tenderhall/internal/apperr"
	"github.com/tenderhall/tenderhall/storage"
)

// ChallengeTTL is how long a sign-in challenge can be answered.
const ChallengeTTL = 2 * time.Minute

// Challenge is a one-time value a bidder signs with its SM2 key to check in.
type Challenge struct {
	ID        string     `json:"id" gorm:"column:id;primaryKey"`
	SectionID int64      `json:"sectionId" gorm:"column:section_id"`
	UserID    int64      `json:"-" gorm:"column:user_id"`
	Nonce     string     `json:"nonce" gorm:"column:nonce"`
	ExpiresAt time.Time  `json:"expiresAt" gorm:"column:expires_at"`
	UsedAt    *time.Time `json:"-" gorm:"column:used_at"`
}

// TableName maps Challenge to its table.
func (Challenge) TableName() string { return "opening_challenges" }

// SignInMessage is what a bidder signs to check in: it names the purpose,
// the section and the nonce, so a signature serves nowhere else.
func SignInMessage(sectionID int64, nonce string) []byte {
	return []byte("TenderHall opening sign-in v1\nsection:" + strconv.FormatInt(sectionID, 10) + "\nnonce:" + nonce)
}

// checkinOpen refuses check-ins before sign-in opens and after the room closed.
func (s *Service) checkinOpen(ctx context.Context, sec Section) error {
	var r *Room
	if got, err := s.room(ctx, sec.ID); err == nil {
		r = &got
	} else if !apperr.Is(err, apperr.NotFound) {
		return err
	}
	switch p := phaseOf(sec, r, s.now()); p {
	case PhaseSignIn, PhaseClosing, PhaseDecrypting, PhaseResults, PhaseObjections:
		return nil
	default:
		return wrongPhase(p, PhaseSignIn, PhaseDecrypting)
	}
}

// NewChallenge issues a sign-in challenge to a bidder for a section.
// Errors: apperr.Forbidden (not a bidder), apperr.NotFound (no section),
// apperr.Conflict (wrong_phase).
func (s *Service) NewChallenge(ctx context.Context, actor accounts.Principal, sectionID int64) (Challenge, error) {
	if err := requireBidder(actor); err != nil {
		return Challenge{}, err
	}
	sec, err := s.st.section(ctx, sectionID, false)
	if err != nil {
		return Challenge{}, err
	}
	if err := s.checkinOpen(ctx, sec); err != nil {
		return Challenge{}, err
	}
	b := make([]byte, 32)
	_, _ = rand.Read(b)
	c := Challenge{ID: newUploadID(), SectionID: sectionID, UserID: actor.UserID, Nonce: hex.EncodeToString(b),
		ExpiresAt: s.now().Add(ChallengeTTL)}
	return c, s.st.insert(ctx, &c)
}

// SignIn checks a bidder in with its signature (base64, SM2 over
// SignInMessage) of a challenge it was issued. A challenge serves once.
// Errors: apperr.Forbidden (not a bidder), apperr.NotFound (no such
// challenge for this user and section), apperr.Conflict (challenge_used,
// wrong_phase), apperr.TooLate (challenge_expired), apperr.Invalid
// (signature_invalid, no_registered_key).
func (s *Service) SignIn(ctx context.Context, actor accounts.Principal, sectionID int64, challengeID, signature string) (Checkin, error) {
	if err := requireBidder(actor); err != nil {
		return Checkin{}, err
	}
	sec, err := s.st.section(ctx, sectionID, false)
	if err != nil {
		return Checkin{}, err
	}
	if err := s.checkinOpen(ctx, sec); err != nil {
		return Checkin{}, err
	}
	var cs []Challenge
	if err := s.db.Conn(ctx).Where("id = ? AND section_id = ? AND user_id = ?", challengeID, sectionID, actor.UserID).Limit(1).Find(&cs).Error; err != nil {
		return Checkin{}, storage.Translate(err)
	}
	if len(cs) == 0 {
		return Checkin{}, apperr.New(apperr.NotFound, "签到挑战不存在", "sign-in challenge not found").WithCode("challenge_not_found")
	}
	now := s.now()
	res := s.db.Conn(ctx).Model(&Challenge{}).Where("id = ? AND used_at IS NULL", challengeID).Update("used_at", now)
	if res.Error != nil {
		return Checkin{}, storage.Translate(res.Error)
	}
	if res.RowsAffected != 1 {
		return Checkin{}, apperr.New(apperr.Conflict, "该签到挑战已使用过（疑似重放）", "this sign-in challenge was already used (a replay?)").WithCode("challenge_used")
	}
	if !now.Before(cs[0].ExpiresAt) {
		return Checkin{}, apperr.New(apperr.TooLate, "签到挑战已过期，请重新获取", "the sign-in challenge expired; request a new one").WithCode("challenge_expired")
	}
	key, err := s.bidderKey(ctx, actor.OrgID)
	if err != nil {
		return Checkin{}, err
	}
	sig, err := base64.StdEncoding.DecodeString(signature)
	if err != nil || !key.Verify(SignInMessage(sectionID, cs[0].Nonce), sig) {
		return Checkin{}, apperr.New(apperr.Invalid, "签名与登记的 SM2 公钥不符", "the signature does not match the registered SM2 key").WithCode("signature_invalid")
	}
	return s.checkin(ctx, sectionID, actor, "bidder")
}

// Join records the host (the project's agent) or a supervisor entering
// the room. Errors: apperr.Forbidden (neither), apperr.NotFound,
// apperr.Conflict (wrong_phase).
func (s *Service) Join(ctx context.Context, actor accounts.Principal, sectionID int64) (Checkin, error) {
	sec, p, err := s.sectionAndProject(ctx, sectionID, false)
	if err != nil {
		return Checkin{}, err
	}
	role := "supervisor"
	switch {
	case runsProject(actor, p):
		role = "host"
	case actor.Has(accounts.RoleSupervisor):
	default:
		return Checkin{}, apperr.New(apperr.Forbidden, "只有主持人（代理机构）和监督人员可以进入", "only the host (the agency) and supervisors may join").WithCode("not_room_staff")
	}
	if err := s.checkinOpen(ctx, sec); err != nil {
		return Checkin{}, err
	}
	return s.checkin(ctx, sectionID, actor, role)
}

// checkin records a participant once; a second check-in returns the first.
func (s *Service) checkin(ctx context.Context, sectionID int64, actor accounts.Principal, role string) (Checkin, error) {
	var c Checkin
	err := s.db.InTx(ctx, func(ctx context.Context) error {
		var cs []Checkin
		if err := s.db.Conn(ctx).Where("section_id = ? AND user_id = ?", sectionID, actor.UserID).Limit(1).Find(&cs).Error; err != nil {
			return storage.Translate(err)
		}
		if len(cs) == 1 {
			c = cs[0]
			return nil
		}
		c = Checkin{SectionID: sectionID, UserID: actor.UserID, OrgID: actor.OrgID, Role: role, CheckedInAt: s.now()}
		if err := s.st.insert(ctx, &c); err != nil {
			return err
		}
		return s.roomEvent(ctx, sectionID, "checkin", "user:"+strconv.FormatInt(actor.UserID, 10),
			map[string]any{"role": role, "orgId": actor.OrgID, "at": c.CheckedInAt})
	})
	return c, err
}

// checkedIn reports whether the actor's organisation has checked in.
func (s *Service) checkedIn(ctx context.Context, sectionID, orgID int64) (bool, error) {
	var n int64
	err := s.db.Conn(ctx).Model(&Checkin{}).Where("section_id = ? AND org_id = ? AND role = ?", sectionID, orgID, "bidder").Count(&n).Error
	return n > 0, storage.Translate(err)
}
