package notify

import (
	"bytes"
	"encoding/json"
	"strconv"
	"time"
	"unicode/utf8"

	"github.com/tenderhall/tenderhall/internal/apperr"
)

// EventType names what a callback reports.
type EventType string

// The callback types. A call reports Ringing, then (if picked up) Answered,
// any KeyPressed and PromptRepeated, and always ends with exactly one
// CallCompleted; an SMS reports one SMSReport.
const (
	CallRinging        EventType = "call.ringing"
	CallAnswered       EventType = "call.answered"
	CallKeyPressed     EventType = "call.key"
	CallPromptRepeated EventType = "call.prompt"
	CallCompleted      EventType = "call.completed"
	SMSReport          EventType = "sms.report"
)

// Outcome is how a call ended, carried by CallCompleted.
type Outcome string

// The call outcomes. NoAnswer covers both a phone nobody picked up and a
// callee who picked up but pressed no key through every prompt.
const (
	OutcomeAccept   Outcome = "accept"
	OutcomeDecline  Outcome = "decline"
	OutcomeNoAnswer Outcome = "no_answer"
	OutcomeBusy     Outcome = "busy"
	OutcomeFailed   Outcome = "failed"
)

// SMSStatus is the delivery result carried by SMSReport.
type SMSStatus string

// The SMS delivery results.
const (
	SMSDelivered SMSStatus = "delivered"
	SMSFailed    SMSStatus = "failed"
)

// Event is one verified callback. ID is unique per event of a carrier and
// stays the same when the carrier delivers it again, so consumers store
// (Carrier, ID) under a unique key and treat a second delivery as done.
type Event struct {
	ID        string        // unique event ID (the signed nonce); dedupe on it
	Type      EventType     // what happened
	Carrier   string        // carrier name, e.g. "simulator"
	CarrierID string        // the carrier's call or message ID, as returned by Dial/Send
	AttemptID string        // the caller's idempotency key, echoed back
	Seq       int           // 1, 2, … within one call or message: events may arrive out of order
	At        time.Time     // when it happened at the carrier, UTC
	Key       Key           // CallKeyPressed: the digit, 1-3
	Prompt    int           // CallPromptRepeated: the number of the prompt now played, ≥ 2
	Outcome   Outcome       // CallCompleted
	Ring      time.Duration // CallCompleted: time from dialing to pick-up or give-up
	Status    SMSStatus     // SMSReport
	Detail    string        // the carrier's free-text reason for a failure
}

// wireEvent is the JSON body of a callback; see doc.go for the format.
type wireEvent struct {
	ID        string    `json:"event_id"`
	Type      EventType `json:"type"`
	Carrier   string    `json:"carrier"`
	CarrierID string    `json:"carrier_id"`
	AttemptID string    `json:"attempt_id"`
	Seq       int       `json:"seq"`
	At        time.Time `json:"at"`
	Digit     string    `json:"digit,omitempty"`
	Prompt    int       `json:"prompt,omitempty"`
	Outcome   Outcome   `json:"outcome,omitempty"`
	RingMS    int64     `json:"ring_ms,omitempty"`
	Status    SMSStatus `json:"status,omitempty"`
	Detail    string    `json:"detail,omitempty"`
}

// Error codes of malformed callbacks (apperr.Invalid).
const (
	CodeMalformed = "callback_malformed" // not one JSON object of the callback format
	CodeBadKey    = "callback_bad_key"   // a keypad digit other than 1, 2 or 3
	CodeBadEvent  = "callback_invalid"   // a field missing or not allowed for the type
)

// EncodeEvent returns the JSON body of e, or the error Validate returns.
func EncodeEvent(e Event) ([]byte, error) {
	if err := e.Validate(); err != nil {
		return nil, err
	}
	w := wireEvent{ID: e.ID, Type: e.Type, Carrier: e.Carrier, CarrierID: e.CarrierID, AttemptID: e.AttemptID,
		Seq: e.Seq, At: e.At.UTC(), Prompt: e.Prompt, Outcome: e.Outcome, RingMS: e.Ring.Milliseconds(),
		Status: e.Status, Detail: e.Detail}
	if e.Key != 0 {
		w.Digit = strconv.Itoa(int(e.Key))
	}
	return json.Marshal(w)
}

// ParseEvent decodes and validates a callback body without checking its
// signature (that is VerifyCallback's job). Errors, all apperr.Invalid:
// CodeMalformed for anything but one JSON object of the right field types,
// CodeBadKey for a keypad digit outside 1-3, CodeBadEvent otherwise.
func ParseEvent(body []byte) (Event, error) {
	var w wireEvent
	dec := json.NewDecoder(bytes.NewReader(body))
	if err := dec.Decode(&w); err != nil || bytes.TrimSpace(body)[0] != '{' {
		return Event{}, apperr.Wrap(err, apperr.Invalid, "回调内容不是有效的JSON对象", "the callback body is not a valid JSON object").WithCode(CodeMalformed)
	}
	if len(bytes.TrimSpace(body[dec.InputOffset():])) != 0 {
		return Event{}, apperr.New(apperr.Invalid, "回调内容后有多余数据", "trailing data after the callback JSON").WithCode(CodeMalformed)
	}
	e := Event{ID: w.ID, Type: w.Type, Carrier: w.Carrier, CarrierID: w.CarrierID, AttemptID: w.AttemptID,
		Seq: w.Seq, At: w.At.UTC(), Prompt: w.Prompt, Outcome: w.Outcome, Ring: time.Duration(w.RingMS) * time.Millisecond,
		Status: w.Status, Detail: w.Detail}
	if w.RingMS < 0 || w.RingMS > maxRingMS {
		return Event{}, badEvent("ring_ms")
	}
	if w.Digit != "" {
		k, err := parseDigit(w.Digit)
		if err != nil {
			return Event{}, err
		}
		e.Key = k
	}
	return e, e.Validate()
}

// maxRingMS bounds ring durations to a day, far beyond any real call, so
// that conversions cannot overflow.
const maxRingMS = int64(24 * time.Hour / time.Millisecond)

func parseDigit(d string) (Key, error) {
	if len(d) == 1 && d[0] >= '1' && d[0] <= '3' {
		return Key(d[0] - '0'), nil
	}
	return 0, apperr.New(apperr.Invalid, "按键无效：只接受1（参加）、2（拒绝）、3（重听）",
		"invalid keypad digit: only 1 (attend), 2 (decline) and 3 (repeat) are accepted").
		WithCode(CodeBadKey).WithField("digit", "must be 1, 2 or 3 / 应为1、2或3")
}

// Validate checks that e is a well-formed event of its type: identifiers in
// the safe alphabet, a time in years 2000-9999, a positive Seq, and exactly
// the type's own fields. Errors: apperr.Invalid with CodeBadKey for a key
// outside 1-3, CodeBadEvent naming the first bad field otherwise.
func (e Event) Validate() error {
	switch {
	case !validID(e.ID, 128):
		return badEvent("event_id")
	case !validID(e.Carrier, 32):
		return badEvent("carrier")
	case !validID(e.CarrierID, 128):
		return badEvent("carrier_id")
	case !validID(e.AttemptID, maxAttemptID):
		return badEvent("attempt_id")
	case e.Seq < 1 || e.Seq > 10000:
		return badEvent("seq")
	case e.At.UTC().Year() < 2000 || e.At.UTC().Year() > 9999:
		return badEvent("at")
	case len(e.Detail) > 500 || !utf8.ValidString(e.Detail):
		return badEvent("detail")
	case e.Ring < 0 || e.Ring.Milliseconds() > maxRingMS || e.Ring%time.Millisecond != 0:
		return badEvent("ring_ms")
	}
	return e.validateTypeFields()
}

// validateTypeFields allows each type only its own fields, so that a
// consumer never has to guess what a key on a completed call means.
func (e Event) validateTypeFields() error {
	want := struct{ key, prompt, outcome, ring, status bool }{}
	switch e.Type {
	case CallRinging, CallAnswered:
	case CallKeyPressed:
		want.key = true
		if !e.Key.Valid() {
			_, err := parseDigit(strconv.Itoa(int(e.Key)))
			return err
		}
	case CallPromptRepeated:
		want.prompt = true
		if e.Prompt < 2 || e.Prompt > 10 {
			return badEvent("prompt")
		}
	case CallCompleted:
		want.outcome, want.ring = true, true
		if !e.Outcome.valid() {
			return badEvent("outcome")
		}
	case SMSReport:
		want.status = true
		if e.Status != SMSDelivered && e.Status != SMSFailed {
			return badEvent("status")
		}
	default:
		return badEvent("type")
	}
	checks := []struct {
		field   string
		present bool
		allowed bool
	}{
		{"digit", e.Key != 0, want.key}, {"prompt", e.Prompt != 0, want.prompt},
		{"outcome", e.Outcome != "", want.outcome}, {"ring_ms", e.Ring != 0, want.ring},
		{"status", e.Status != "", want.status},
	}
	for _, c := range checks {
		if c.present && !c.allowed {
			return badEvent(c.field)
		}
	}
	return nil
}

func (o Outcome) valid() bool {
	switch o {
	case OutcomeAccept, OutcomeDecline, OutcomeNoAnswer, OutcomeBusy, OutcomeFailed:
		return true
	}
	return false
}

func badEvent(field string) error {
	return apperr.Newf(apperr.Invalid, "回调事件字段 %s 缺失或无效", "callback event field %s is missing or invalid", field).
		WithCode(CodeBadEvent).WithField(field, "missing, invalid or not allowed for this type / 缺失、无效或不属于该类型")
}
