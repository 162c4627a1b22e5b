package api

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"strconv"
	"strings"
	"testing"

	"github.com/tenderhall/tenderhall/internal/dbtest"
	"github.com/tenderhall/tenderhall/internal/notify"
)

const testCallbackSecret = "carrier-callback-secret-0123456789abcdef"

// signCallback signs body as the carrier does, written from the wire
// format (internal/notify/doc.go) rather than with notify's own signer.
func signCallback(secret, ts, id, body string) string {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write([]byte(ts + "\n" + id + "\n" + body))
	return "v1=" + hex.EncodeToString(m.Sum(nil))
}

// TestCarrierCallbackRoute: the public callback route refuses unsigned,
// forged, replayed and malformed callbacks and one for a call never made,
// each with its own status and code.
func TestCarrierCallbackRoute(t *testing.T) {
	e := newExpertsEnv(t, dbtest.SQLite)
	key, err := notify.NewCallbackKey([]byte(testCallbackSecret), 0)
	if err != nil {
		t.Fatal(err)
	}
	e.srv.deps.Experts.SetGateways(nil, nil, key)
	now := strconv.FormatInt(e.clock.Now().Unix(), 10)
	stale := strconv.FormatInt(e.clock.Now().Unix()-600, 10)
	body := func(digit string) string {
		return `{"event_id":"ev-1","type":"call.key","carrier":"simulator","carrier_id":"c-1","attempt_id":"d9-e9-a1","seq":3,` +
			`"at":"2026-11-22T08:00:00Z","digit":"` + digit + `"}`
	}
	good := body("1")
	for _, c := range []struct {
		name, ts, id, sig, body string
		status                  int
		code                    string
	}{
		{"unsigned", "", "", "", good, http.StatusUnauthorized, notify.CodeUnsigned},
		{"forged", now, "ev-1", signCallback("another-secret-0123456789abcdefghij", now, "ev-1", good), good, http.StatusUnauthorized, notify.CodeBadSignature},
		{"replayed ten minutes later", stale, "ev-1", signCallback(testCallbackSecret, stale, "ev-1", good), good, http.StatusUnauthorized, notify.CodeStale},
		{"keypad 4", now, "ev-1", signCallback(testCallbackSecret, now, "ev-1", body("4")), body("4"), http.StatusBadRequest, notify.CodeBadKey},
		{"not JSON", now, "ev-1", signCallback(testCallbackSecret, now, "ev-1", "[1]"), "[1]", http.StatusBadRequest, notify.CodeMalformed},
		{"unknown call", now, "ev-1", signCallback(testCallbackSecret, now, "ev-1", good), good, http.StatusNotFound, "unknown_call"},
		{"too large", now, "ev-1", "v1=00", strings.Repeat(" ", maxCallbackBytes+1), http.StatusRequestEntityTooLarge, "callback_too_large"},
	} {
		t.Run(c.name, func(t *testing.T) {
			var h []string
			if c.ts != "" {
				h = []string{notify.HeaderTimestamp, c.ts, notify.HeaderEventID, c.id, notify.HeaderSignature, c.sig}
			}
			resp := e.do("POST", "/api/v1/notify/callback", "", c.body, h...)
			wantStatus(t, resp, c.status)
			// The server's own body limit (64 KiB here) may answer before the route's.
			if got := errorOf(t, resp).Code; got != c.code && !(c.code == "callback_too_large" && got == "too_large") {
				t.Fatalf("code %q, want %q", got, c.code)
			}
		})
	}
}
