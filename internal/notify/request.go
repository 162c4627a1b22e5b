package notify

import (
	"context"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/tenderhall/tenderhall/internal/apperr"
)

// Key is a keypad digit of the IVR menu. The menu is fixed by the expert
// rules (DESIGN.md §5 "Calls"): 1 attend, 2 decline, 3 repeat the script.
type Key int

// The keys the IVR accepts; any other digit is refused by VerifyCallback.
const (
	KeyAttend  Key = 1
	KeyDecline Key = 2
	KeyRepeat  Key = 3
)

// Valid reports whether k is one of the three menu keys.
func (k Key) Valid() bool { return k >= KeyAttend && k <= KeyRepeat }

// KeyOption is one entry of the keypad menu, read to the callee after the
// script: the key and the sentence that announces it.
type KeyOption struct {
	Key   Key
	Label string // spoken text, e.g. "确认参加请按1"
}

// StandardMenu returns the expert-call menu: 1 attend, 2 decline, 3 repeat.
func StandardMenu() []KeyOption {
	return []KeyOption{
		{KeyAttend, "确认参加请按1"},
		{KeyDecline, "不能参加请按2"},
		{KeyRepeat, "重听请按3"},
	}
}

// The IVR defaults of the expert rules: no key within 5 s prompts again,
// three prompts, then "no answer".
const (
	DefaultPromptTimeout = 5 * time.Second
	DefaultMaxPrompts    = 3
)

// Limits on requests; carriers refuse longer TTS texts and SMS bodies.
const (
	maxScriptRunes = 1000
	maxSMSRunes    = 500
	maxAttemptID   = 64
)

// CallRequest is one voice call to place. AttemptID is the idempotency key:
// the campaign chooses it (one per attempt, e.g. "draw42-exp7-a2") and a
// carrier that sees it twice places one call and answers with the same
// carrier call ID, as real carriers do with client request IDs.
type CallRequest struct {
	AttemptID     string        // 1-64 of [A-Za-z0-9._:-]; stored by the carrier to dedupe
	Phone         string        // digits with an optional leading +; never logged
	Script        string        // rendered TTS text: expert, time and place, never a bidder
	Options       []KeyOption   // keypad menu; empty: StandardMenu
	PromptTimeout time.Duration // wait for a key after each prompt; zero: 5 s
	MaxPrompts    int           // prompts without a key before "no answer"; zero: 3
}

// Normalize returns r with defaults filled in, or an apperr.Invalid error
// (code "call_request_invalid") whose Fields name every bad field. Messages
// never echo the phone number or the script: both are personal data.
func (r CallRequest) Normalize() (CallRequest, error) {
	if len(r.Options) == 0 {
		r.Options = StandardMenu()
	}
	if r.PromptTimeout == 0 {
		r.PromptTimeout = DefaultPromptTimeout
	}
	if r.MaxPrompts == 0 {
		r.MaxPrompts = DefaultMaxPrompts
	}
	e := apperr.New(apperr.Invalid, "语音呼叫请求无效", "invalid voice call request").WithCode("call_request_invalid")
	checkAttemptID(e, r.AttemptID)
	checkPhone(e, r.Phone)
	checkText(e, "script", r.Script, maxScriptRunes)
	checkMenu(e, r.Options)
	if r.PromptTimeout < time.Second || r.PromptTimeout > 30*time.Second {
		e.WithField("prompt_timeout", "must be between 1s and 30s / 应在1至30秒之间")
	}
	if r.MaxPrompts < 1 || r.MaxPrompts > 5 {
		e.WithField("max_prompts", "must be between 1 and 5 / 应在1至5之间")
	}
	if len(e.Fields) > 0 {
		return r, e
	}
	return r, nil
}

// offers reports whether the menu of r accepts k.
func (r CallRequest) offers(k Key) bool {
	for _, o := range r.Options {
		if o.Key == k {
			return true
		}
	}
	return false
}

// SMSRequest is one text message to send. AttemptID dedupes like
// CallRequest.AttemptID: sending twice with it sends one message.
type SMSRequest struct {
	AttemptID string // 1-64 of [A-Za-z0-9._:-]
	Phone     string // digits with an optional leading +; never logged
	Text      string // at most 500 characters
}

// Validate returns nil or an apperr.Invalid error (code
// "sms_request_invalid") whose Fields name every bad field.
func (r SMSRequest) Validate() error {
	e := apperr.New(apperr.Invalid, "短信请求无效", "invalid SMS request").WithCode("sms_request_invalid")
	checkAttemptID(e, r.AttemptID)
	checkPhone(e, r.Phone)
	checkText(e, "text", r.Text, maxSMSRunes)
	if len(e.Fields) > 0 {
		return e
	}
	return nil
}

// Caller places voice calls through a carrier. Results are not returned:
// they arrive later as signed callbacks (see CallbackKey.VerifyCallback).
type Caller interface {
	// Dial asks the carrier to call r.Phone and returns the carrier's call
	// ID. Dialing again with the same AttemptID places no second call and
	// returns the first call's ID. Errors: apperr.Invalid for a bad
	// request (see Normalize); apperr.Conflict when the AttemptID was used
	// for a different number or script; apperr.Unavailable when the carrier
	// cannot be reached or the gateway is closed (retry with the same
	// AttemptID).
	Dial(ctx context.Context, r CallRequest) (string, error)
}

// SMSSender sends text messages through a carrier; delivery reports arrive
// as signed callbacks of type SMSReport.
type SMSSender interface {
	// Send asks the carrier to deliver r and returns the carrier's message
	// ID, deduping on r.AttemptID like Caller.Dial. Errors: apperr.Invalid,
	// apperr.Conflict and apperr.Unavailable, as for Dial.
	Send(ctx context.Context, r SMSRequest) (string, error)
}

func checkAttemptID(e *apperr.Error, id string) {
	if !validID(id, maxAttemptID) {
		e.WithField("attempt_id", "1-64 characters of A-Z a-z 0-9 . _ : - / 应为1至64个字母、数字或 . _ : -")
	}
}

func checkPhone(e *apperr.Error, p string) {
	digits := strings.TrimPrefix(p, "+")
	ok := len(digits) >= 5 && len(digits) <= 20
	for _, c := range digits {
		ok = ok && c >= '0' && c <= '9'
	}
	if !ok {
		e.WithField("phone", "5-20 digits with an optional leading + / 应为5至20位数字，可带前导+")
	}
}

func checkText(e *apperr.Error, field, s string, max int) {
	if strings.TrimSpace(s) == "" || !utf8.ValidString(s) || utf8.RuneCountInString(s) > max {
		e.WithField(field, "must be non-empty UTF-8 text of limited length / 应为非空且长度受限的文本")
	}
}

func checkMenu(e *apperr.Error, opts []KeyOption) {
	seen := map[Key]bool{}
	for _, o := range opts {
		if !o.Key.Valid() || seen[o.Key] || strings.TrimSpace(o.Label) == "" {
			e.WithField("options", "keys 1-3, each once, each with a label / 按键应为1至3、不重复且有提示语")
			return
		}
		seen[o.Key] = true
	}
}

// validID reports whether s is 1..max characters of [A-Za-z0-9._:-]: safe
// in headers, URLs, task IDs and database keys.
func validID(s string, max int) bool {
	if len(s) == 0 || len(s) > max {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		ok := c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '.' || c == '_' || c == ':' || c == '-'
		if !ok {
			return false
		}
	}
	return true
}
