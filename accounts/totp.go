package accounts

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha1"
	"crypto/subtle"
	"encoding/base32"
	"encoding/binary"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/tenderhall/tenderhall/internal/apperr"
)

// TOTP per RFC 6238 with the parameters every authenticator app supports:
// HMAC-SHA1, 30-second steps, 6 digits; a code is accepted one step early or
// late, and each step only once.
const (
	totpPeriod = 30
	totpDigits = 6
	totpSkew   = 1
	totpSecret = 20 // bytes, the RFC 4226 recommended 160 bits
)

var totpEncoding = base32.StdEncoding.WithPadding(base32.NoPadding)

// TOTPEnrolment is what a user scans or types into an authenticator app.
type TOTPEnrolment struct {
	Secret string // base32, no padding
	URL    string // otpauth://totp/... for a QR code
}

// totpCode computes the code for one time step (RFC 4226 dynamic truncation).
func totpCode(secret []byte, step int64) string {
	mac := hmac.New(sha1.New, secret)
	var msg [8]byte
	binary.BigEndian.PutUint64(msg[:], uint64(step))
	mac.Write(msg[:])
	sum := mac.Sum(nil)
	off := sum[len(sum)-1] & 0x0f
	v := binary.BigEndian.Uint32(sum[off:off+4]) & 0x7fffffff
	return fmt.Sprintf("%0*d", totpDigits, v%1000000)
}

func totpStep(t time.Time) int64 { return t.Unix() / totpPeriod }

func totpLabel(userID int64) string { return "users.totp_secret:" + strconv.FormatInt(userID, 10) }

// matchTOTP returns the time step whose code is code, within the allowed
// skew of now and after lastStep, or 0 when there is none. All candidate
// steps are compared so the time taken does not depend on which matched.
func (s *Service) matchTOTP(u userRow, code string, now time.Time) (int64, error) {
	code = strings.ReplaceAll(strings.TrimSpace(code), " ", "")
	if len(code) != totpDigits || strings.Trim(code, "0123456789") != "" || u.TOTPSecret == "" {
		return 0, nil
	}
	secret, err := s.fields.Open(u.TOTPSecret, totpLabel(u.ID))
	if err != nil {
		return 0, err
	}
	var found int64
	cur := totpStep(now)
	for st := cur - totpSkew; st <= cur+totpSkew; st++ {
		if subtle.ConstantTimeCompare([]byte(totpCode(secret, st)), []byte(code)) == 1 && st > u.TOTPLastStep {
			found = st
		}
	}
	return found, nil
}

// EnrollTOTP starts (or restarts) TOTP enrolment for a user who has not
// turned it on: it stores a new random secret, encrypted with the field
// cipher and bound to the user, and returns it with an otpauth:// URL. TOTP
// is enforced only after ConfirmTOTP. It returns apperr.NotFound for an
// unknown user and apperr.Conflict when TOTP is on already.
func (s *Service) EnrollTOTP(ctx context.Context, userID int64) (TOTPEnrolment, error) {
	u, err := s.getUser(ctx, userID)
	if err != nil {
		return TOTPEnrolment{}, userNotFound(err, userID)
	}
	if u.TOTPEnabled {
		return TOTPEnrolment{}, apperr.New(apperr.Conflict, "动态验证码已启用", "TOTP is already turned on").WithCode("totp_enabled")
	}
	secret := make([]byte, totpSecret)
	if _, err := rand.Read(secret); err != nil {
		panic("accounts: no randomness: " + err.Error())
	}
	sealed := s.fields.Seal(secret, totpLabel(userID))
	err = s.db.InTx(ctx, func(ctx context.Context) error {
		if err := s.setTOTP(ctx, userID, sealed, s.now()); err != nil {
			return err
		}
		return s.audit(ctx, EventTOTPEnrolled, userRef(userID), userRef(userID), nil)
	})
	if err != nil {
		return TOTPEnrolment{}, err
	}
	enc := totpEncoding.EncodeToString(secret)
	issuer := s.opts.TOTPIssuer
	q := url.Values{"secret": {enc}, "issuer": {issuer}, "algorithm": {"SHA1"},
		"digits": {strconv.Itoa(totpDigits)}, "period": {strconv.Itoa(totpPeriod)}}
	u2 := url.URL{Scheme: "otpauth", Host: "totp", Path: "/" + issuer + ":" + u.Username, RawQuery: q.Encode()}
	return TOTPEnrolment{Secret: enc, URL: u2.String()}, nil
}

// ConfirmTOTP turns TOTP on once the user proves, with a current code, that
// their app holds the secret from EnrollTOTP. From then on Login requires a
// code. It returns apperr.NotFound for an unknown user, apperr.Conflict when
// TOTP is not enrolled or already on, and apperr.Invalid (field "code") for
// a wrong code.
func (s *Service) ConfirmTOTP(ctx context.Context, userID int64, code string) error {
	u, err := s.getUser(ctx, userID)
	if err != nil {
		return userNotFound(err, userID)
	}
	if u.TOTPEnabled || u.TOTPSecret == "" {
		return apperr.New(apperr.Conflict, "请先开始绑定动态验证码", "start TOTP enrolment first").WithCode("totp_not_enrolling")
	}
	step, err := s.matchTOTP(u, code, s.now())
	if err != nil {
		return err
	}
	if step == 0 {
		return apperr.New(apperr.Invalid, "动态验证码错误", "the code is wrong").WithField("code", "wrong").WithCode("bad_totp")
	}
	return s.db.InTx(ctx, func(ctx context.Context) error {
		ok, err := s.enableTOTP(ctx, userID, step, s.now())
		if err != nil {
			return err
		}
		if !ok {
			return apperr.New(apperr.Conflict, "动态验证码已启用", "TOTP is already turned on").WithCode("totp_enabled")
		}
		return s.audit(ctx, EventTOTPEnabled, userRef(userID), userRef(userID), nil)
	})
}

// ResetTOTP turns a user's TOTP off and forgets the secret (a lost phone),
// on behalf of an administrator, and audits it. It returns apperr.Forbidden
// if actor is not an admin and apperr.NotFound for an unknown user.
func (s *Service) ResetTOTP(ctx context.Context, actor Principal, userID int64) error {
	if err := requireAdmin(actor); err != nil {
		return err
	}
	return s.db.InTx(ctx, func(ctx context.Context) error {
		if _, err := s.getUser(ctx, userID); err != nil {
			return userNotFound(err, userID)
		}
		if err := s.setTOTP(ctx, userID, "", s.now()); err != nil {
			return err
		}
		return s.audit(ctx, EventTOTPReset, userRef(userID), actor.Actor(), nil)
	})
}
