package notify

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/tenderhall/tenderhall/internal/apperr"
)

// The callback headers. The signature is "v1=" and the hex HMAC-SHA256,
// keyed with the shared callback secret, of
//
//	timestamp + "\n" + event ID + "\n" + body
//
// The separators make the concatenation unambiguous (the timestamp is
// decimal digits and the event ID cannot hold a newline); the version
// prefix lets a later scheme coexist during a migration.
const (
	HeaderTimestamp = "X-Notify-Timestamp" // Unix seconds at signing, decimal
	HeaderEventID   = "X-Notify-Event-Id"  // the nonce: equals the body's event_id
	HeaderSignature = "X-Notify-Signature" // "v1=" + hex HMAC-SHA256
)

// Callback limits: DefaultWindow is how far a timestamp may be from now
// before a callback counts as replayed (stale) or forged (future);
// MaxCallbackBytes bounds a body, far above any real event.
const (
	DefaultWindow    = 5 * time.Minute
	MaxCallbackBytes = 64 << 10
	MinSecretBytes   = 32
)

// Error codes of rejected callbacks (apperr.Unauthenticated, except
// CodeTooLarge which is apperr.TooLarge).
const (
	CodeUnsigned     = "callback_unsigned"      // a signature, timestamp or event ID header is missing
	CodeBadSignature = "callback_bad_signature" // the signature does not match
	CodeBadTimestamp = "callback_bad_timestamp" // the timestamp header is not Unix seconds
	CodeStale        = "callback_stale"         // signed longer ago than the window: a replay
	CodeFuture       = "callback_future"        // signed further ahead than the window
	CodeNonce        = "callback_nonce_mismatch"
	CodeTooLarge     = "callback_too_large"
)

// CallbackKey signs callbacks (the carrier's side, and the simulator's) and
// verifies them (the platform's side). It never prints its secret: String,
// GoString and LogValue show a mask.
type CallbackKey struct {
	secret []byte
	window time.Duration
}

// NewCallbackKey returns a key for secret with the given replay window
// (zero: DefaultWindow). Errors: apperr.Invalid when the secret is shorter
// than MinSecretBytes or the window is negative.
func NewCallbackKey(secret []byte, window time.Duration) (*CallbackKey, error) {
	if len(secret) < MinSecretBytes {
		return nil, apperr.Newf(apperr.Invalid, "回调密钥至少需要 %d 字节", "the callback secret needs at least %d bytes", MinSecretBytes).
			WithCode("callback_secret_short")
	}
	if window < 0 {
		return nil, apperr.New(apperr.Invalid, "回调时间窗口不能为负", "the callback window cannot be negative")
	}
	if window == 0 {
		window = DefaultWindow
	}
	return &CallbackKey{secret: append([]byte(nil), secret...), window: window}, nil
}

// String masks the secret so that a key printed by mistake leaks nothing.
func (k *CallbackKey) String() string { return "CallbackKey(****)" }

// GoString masks the secret for %#v.
func (k *CallbackKey) GoString() string { return k.String() }

// LogValue masks the secret for log/slog.
func (k *CallbackKey) LogValue() slog.Value { return slog.StringValue(k.String()) }

// Sign encodes e and returns the headers and body of its callback, signed
// at now. Errors: those of EncodeEvent.
func (k *CallbackKey) Sign(e Event, now time.Time) (http.Header, []byte, error) {
	body, err := EncodeEvent(e)
	if err != nil {
		return nil, nil, err
	}
	ts := strconv.FormatInt(now.Unix(), 10)
	h := http.Header{}
	h.Set("Content-Type", "application/json")
	h.Set(HeaderTimestamp, ts)
	h.Set(HeaderEventID, e.ID)
	h.Set(HeaderSignature, k.signature(ts, e.ID, body))
	return h, body, nil
}

func (k *CallbackKey) signature(ts, nonce string, body []byte) string {
	m := hmac.New(sha256.New, k.secret)
	m.Write([]byte(ts))
	m.Write([]byte{'\n'})
	m.Write([]byte(nonce))
	m.Write([]byte{'\n'})
	m.Write(body)
	return "v1=" + hex.EncodeToString(m.Sum(nil))
}

// VerifyCallback checks a callback's signature and freshness and returns
// its event. The checks run in an order that gives the most precise error:
// headers present (CodeUnsigned), size (CodeTooLarge, apperr.TooLarge),
// timestamp syntax (CodeBadTimestamp), signature (CodeBadSignature), then
// freshness (CodeStale, CodeFuture) — all apperr.Unauthenticated — and last
// the body (ParseEvent's apperr.Invalid errors, and CodeNonce when the
// signed event ID header is not the body's event_id).
//
// A verified event may still be a duplicate: carriers retry until they get
// a 2xx, so consumers dedupe on Event.ID.
func (k *CallbackKey) VerifyCallback(h http.Header, body []byte, now time.Time) (Event, error) {
	ts, nonce, sig := h.Get(HeaderTimestamp), h.Get(HeaderEventID), h.Get(HeaderSignature)
	if ts == "" || nonce == "" || sig == "" {
		return Event{}, unauth(CodeUnsigned, "回调未签名", "the callback is not signed")
	}
	if len(body) > MaxCallbackBytes {
		return Event{}, apperr.Newf(apperr.TooLarge, "回调内容超过 %d 字节", "the callback body is over %d bytes", MaxCallbackBytes).WithCode(CodeTooLarge)
	}
	sec, err := strconv.ParseInt(ts, 10, 64)
	if err != nil || strings.HasPrefix(ts, "+") || sec < 0 || sec > 1<<40 {
		return Event{}, unauth(CodeBadTimestamp, "回调时间戳格式无效", "the callback timestamp is not Unix seconds")
	}
	if !hmac.Equal([]byte(sig), []byte(k.signature(ts, nonce, body))) {
		return Event{}, unauth(CodeBadSignature, "回调签名不正确", "the callback signature does not match")
	}
	if err := k.fresh(time.Unix(sec, 0), now); err != nil {
		return Event{}, err
	}
	e, err := ParseEvent(body)
	if err != nil {
		return Event{}, err
	}
	if e.ID != nonce {
		return Event{}, apperr.New(apperr.Invalid, "回调事件编号与签名头不一致", "the callback event ID differs from its signed header").WithCode(CodeNonce)
	}
	return e, nil
}

// fresh refuses a timestamp outside now ± window: an old one is a replay of
// a captured callback, a future one a forgery or a broken carrier clock.
func (k *CallbackKey) fresh(signed, now time.Time) error {
	switch d := now.Sub(signed); {
	case d > k.window:
		return unauth(CodeStale, "回调已过期（可能被重放）", "the callback is stale (possibly replayed)")
	case d < -k.window:
		return unauth(CodeFuture, "回调时间晚于当前时间", "the callback is signed in the future")
	}
	return nil
}

func unauth(code, zh, en string) error {
	return apperr.New(apperr.Unauthenticated, zh, en).WithCode(code)
}
