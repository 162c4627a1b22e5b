package notify

import (
	"strings"
	"testing"
	"time"

	"github.com/tenderhall/tenderhall/internal/apperr"
)

func TestCallRequestNormalize(t *testing.T) {
	cases := []struct {
		name  string
		edit  func(*CallRequest)
		field string // "" = valid
	}{
		{"valid with defaults", func(*CallRequest) {}, ""},
		{"international number", func(r *CallRequest) { r.Phone = "+8613800000001" }, ""},
		{"no attempt ID", func(r *CallRequest) { r.AttemptID = "" }, "attempt_id"},
		{"attempt ID with a space", func(r *CallRequest) { r.AttemptID = "a 1" }, "attempt_id"},
		{"attempt ID too long", func(r *CallRequest) { r.AttemptID = strings.Repeat("a", 65) }, "attempt_id"},
		{"phone with letters", func(r *CallRequest) { r.Phone = "1380000abc" }, "phone"},
		{"phone too short", func(r *CallRequest) { r.Phone = "+123" }, "phone"},
		{"empty script", func(r *CallRequest) { r.Script = "  " }, "script"},
		{"script too long", func(r *CallRequest) { r.Script = strings.Repeat("评", 1001) }, "script"},
		{"menu key 4", func(r *CallRequest) { r.Options = []KeyOption{{4, "按4"}} }, "options"},
		{"menu key twice", func(r *CallRequest) { r.Options = []KeyOption{{1, "a"}, {1, "b"}} }, "options"},
		{"menu label empty", func(r *CallRequest) { r.Options = []KeyOption{{1, ""}} }, "options"},
		{"prompt timeout too short", func(r *CallRequest) { r.PromptTimeout = time.Millisecond }, "prompt_timeout"},
		{"too many prompts", func(r *CallRequest) { r.MaxPrompts = 9 }, "max_prompts"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := request("draw42-e7-a1", "13800000001")
			c.edit(&r)
			got, err := r.Normalize()
			if c.field == "" {
				if err != nil || got.PromptTimeout != 5*time.Second || got.MaxPrompts != 3 || len(got.Options) != 3 {
					t.Fatalf("Normalize = %+v, %v", got, err)
				}
				return
			}
			wantErr(t, err, apperr.Invalid, "call_request_invalid")
			e, _ := apperr.As(err)
			if _, ok := e.Fields[c.field]; !ok || len(e.Fields) != 1 {
				t.Errorf("fields = %v, want only %s", e.Fields, c.field)
			}
			if strings.Contains(err.Error(), r.Phone) {
				t.Errorf("error %q echoes the phone number", err)
			}
		})
	}
}

func TestSMSRequestValidate(t *testing.T) {
	ok := SMSRequest{AttemptID: "sms-1", Phone: "13800000001", Text: "您已确认参加评标"}
	if err := ok.Validate(); err != nil {
		t.Fatal(err)
	}
	for name, r := range map[string]SMSRequest{
		"no text":  {AttemptID: "sms-1", Phone: "13800000001"},
		"bad id":   {AttemptID: "sms/1", Phone: "13800000001", Text: "x"},
		"no phone": {AttemptID: "sms-1", Text: "x"},
	} {
		t.Run(name, func(t *testing.T) { wantErr(t, r.Validate(), apperr.Invalid, "sms_request_invalid") })
	}
}
