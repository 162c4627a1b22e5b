package notify

import (
	"strings"
	"testing"
	"time"

	"github.com/tenderhall/tenderhall/internal/apperr"
)

var t0 = time.Date(2026, 11, 23, 1, 0, 0, 0, time.UTC)

const testSecret = "0123456789abcdef0123456789abcdef-test"

func testKey(t testing.TB) *CallbackKey {
	t.Helper()
	k, err := NewCallbackKey([]byte(testSecret), 0)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// wantErr checks err's kind and machine code ("" accepts any code).
func wantErr(t *testing.T, err error, kind apperr.Kind, code string) {
	t.Helper()
	e, ok := apperr.As(err)
	if !ok {
		t.Fatalf("err = %v, want an *apperr.Error of kind %v", err, kind)
	}
	if e.Kind != kind || (code != "" && e.MachineCode() != code) {
		t.Fatalf("err = %v (kind %v, code %s), want kind %v code %s", err, e.Kind, e.MachineCode(), kind, code)
	}
	if e.Zh == "" || e.En == "" {
		t.Errorf("err %v lacks a Chinese or English message", err)
	}
}

func request(id, phone string) CallRequest {
	return CallRequest{AttemptID: id, Phone: phone, Script: "张专家您好，请于11月25日9时到评标室参加评标。"}
}

// sameEvent compares events, times by instant.
func sameEvent(a, b Event) bool {
	at := a.At.Equal(b.At)
	a.At, b.At = time.Time{}, time.Time{}
	return at && a == b
}

func keys(s string) []Key {
	var ks []Key
	for _, c := range s {
		ks = append(ks, Key(c-'0'))
	}
	return ks
}

// describe renders a timeline compactly: "ring@0s answer@4s key1@18s accept@18s".
func describe(evs []Event, start time.Time) string {
	var b strings.Builder
	for i, e := range evs {
		if i > 0 {
			b.WriteByte(' ')
		}
		switch e.Type {
		case CallRinging:
			b.WriteString("ring")
		case CallAnswered:
			b.WriteString("answer")
		case CallKeyPressed:
			b.WriteString("key" + string(rune('0'+e.Key)))
		case CallPromptRepeated:
			b.WriteString("prompt" + string(rune('0'+e.Prompt)))
		case CallCompleted:
			b.WriteString(string(e.Outcome))
		}
		b.WriteString("@" + e.At.Sub(start).String())
	}
	return b.String()
}
