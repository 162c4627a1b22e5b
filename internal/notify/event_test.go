package notify

import (
	"strings"
	"testing"
	"time"

	"github.com/tenderhall/tenderhall/internal/apperr"
)

// validEvents has one well-formed event of every type.
func validEvents() []Event {
	base := Event{ID: "simcall-1.1", Carrier: "simulator", CarrierID: "simcall-1", AttemptID: "draw42-e7-a1", Seq: 1, At: t0}
	with := func(f func(*Event)) Event { e := base; f(&e); return e }
	return []Event{
		with(func(e *Event) { e.Type = CallRinging }),
		with(func(e *Event) { e.Type = CallAnswered }),
		with(func(e *Event) { e.Type, e.Key = CallKeyPressed, KeyRepeat }),
		with(func(e *Event) { e.Type, e.Prompt = CallPromptRepeated, 2 }),
		with(func(e *Event) { e.Type, e.Outcome, e.Ring = CallCompleted, OutcomeAccept, 4200*time.Millisecond }),
		with(func(e *Event) { e.Type, e.Outcome, e.Detail = CallCompleted, OutcomeFailed, "线路故障" }),
		with(func(e *Event) { e.Type, e.Status = SMSReport, SMSDelivered }),
	}
}

func TestEventRoundTrip(t *testing.T) {
	for _, e := range validEvents() {
		body, err := EncodeEvent(e)
		if err != nil {
			t.Fatalf("%s: %v", e.Type, err)
		}
		got, err := ParseEvent(body)
		if err != nil || !sameEvent(got, e) {
			t.Errorf("%s: round trip = %+v, %v; want %+v", e.Type, got, err, e)
		}
	}
}

func TestParseEventRefusesBadBodies(t *testing.T) {
	good := `"event_id":"e.1","carrier":"simulator","carrier_id":"c1","attempt_id":"a1","seq":1,"at":"2026-11-23T01:00:00Z"`
	cases := []struct {
		name, body, code string
	}{
		{"empty", ``, CodeMalformed},
		{"not JSON", `hello`, CodeMalformed},
		{"array", `[1]`, CodeMalformed},
		{"null", `null`, CodeMalformed},
		{"truncated", `{"event_id":"e.1"`, CodeMalformed},
		{"trailing data", `{` + good + `,"type":"call.ringing"} x`, CodeMalformed},
		{"trailing bracket", `{` + good + `,"type":"call.ringing"}]`, CodeMalformed},
		{"seq as string", `{` + good + `,"type":"call.ringing","seq":"1"}`, CodeMalformed},
		{"digit 4", `{` + good + `,"type":"call.key","digit":"4"}`, CodeBadKey},
		{"digit 0", `{` + good + `,"type":"call.key","digit":"0"}`, CodeBadKey},
		{"digit star", `{` + good + `,"type":"call.key","digit":"*"}`, CodeBadKey},
		{"digit 12", `{` + good + `,"type":"call.key","digit":"12"}`, CodeBadKey},
		{"key without digit", `{` + good + `,"type":"call.key"}`, CodeBadKey},
		{"digit on ringing", `{` + good + `,"type":"call.ringing","digit":"1"}`, CodeBadEvent},
		{"unknown type", `{` + good + `,"type":"call.transfer"}`, CodeBadEvent},
		{"unknown outcome", `{` + good + `,"type":"call.completed","outcome":"maybe"}`, CodeBadEvent},
		{"negative ring", `{` + good + `,"type":"call.completed","outcome":"busy","ring_ms":-1}`, CodeBadEvent},
		{"prompt 1", `{` + good + `,"type":"call.prompt","prompt":1}`, CodeBadEvent},
		{"sms without status", `{` + good + `,"type":"sms.report"}`, CodeBadEvent},
		{"no event ID", `{"type":"call.ringing","carrier":"simulator","carrier_id":"c1","attempt_id":"a1","seq":1,"at":"2026-11-23T01:00:00Z"}`, CodeBadEvent},
		{"no time", `{"event_id":"e.1","type":"call.ringing","carrier":"simulator","carrier_id":"c1","attempt_id":"a1","seq":1}`, CodeBadEvent},
		{"event ID with newline", strings.Replace(`{`+good+`,"type":"call.ringing"}`, `"e.1"`, `"e\n1"`, 1), CodeBadEvent},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := ParseEvent([]byte(c.body))
			wantErr(t, err, apperr.Invalid, c.code)
		})
	}
}

// FuzzParseCallback: the parser never panics, and whatever it accepts
// encodes back to a body that parses to the same event.
func FuzzParseCallback(f *testing.F) {
	for _, e := range validEvents() {
		b, _ := EncodeEvent(e)
		f.Add(b)
	}
	f.Add([]byte(`{"event_id":"e.1","type":"call.key","digit":"9"}`))
	f.Add([]byte(`{"at":"2026-11-23T01:00:00+23:59"}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		e, err := ParseEvent(body)
		if err != nil {
			if _, ok := apperr.As(err); !ok || apperr.KindOf(err) != apperr.Invalid {
				t.Fatalf("error %v is not apperr.Invalid", err)
			}
			return
		}
		again, err := EncodeEvent(e)
		if err != nil {
			t.Fatalf("accepted event does not encode: %+v: %v", e, err)
		}
		e2, err := ParseEvent(again)
		if err != nil || !sameEvent(e, e2) {
			t.Fatalf("round trip changed %+v into %+v (%v)", e, e2, err)
		}
		if !e.Type.isCall() && e.Type != SMSReport || e.Type == CallKeyPressed && !e.Key.Valid() {
			t.Fatalf("accepted an event of an impossible shape: %+v", e)
		}
	})
}

func (t EventType) isCall() bool { return strings.HasPrefix(string(t), "call.") }
