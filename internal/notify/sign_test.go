package notify

import (
	"bytes"
	"fmt"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/tenderhall/tenderhall/internal/apperr"
)

func TestVerifyCallbackAcceptsSignedEvents(t *testing.T) {
	k := testKey(t)
	for _, e := range validEvents() {
		h, body, err := k.Sign(e, t0)
		if err != nil {
			t.Fatal(err)
		}
		got, err := k.VerifyCallback(h, body, t0.Add(DefaultWindow))
		if err != nil || !sameEvent(got, e) {
			t.Errorf("%s: verify = %+v, %v", e.Type, got, err)
		}
	}
}

func TestVerifyCallbackRefuses(t *testing.T) {
	k := testKey(t)
	other, _ := NewCallbackKey([]byte(strings.Repeat("x", 32)), 0)
	key := validEvents()[2] // a key press
	cases := []struct {
		name string
		make func() (http.Header, []byte) // defaults to key signed at t0
		now  time.Time
		kind apperr.Kind
		code string
	}{
		{"no signature", func() (http.Header, []byte) { return del(k, key, HeaderSignature) }, t0, apperr.Unauthenticated, CodeUnsigned},
		{"no timestamp", func() (http.Header, []byte) { return del(k, key, HeaderTimestamp) }, t0, apperr.Unauthenticated, CodeUnsigned},
		{"no event ID", func() (http.Header, []byte) { return del(k, key, HeaderEventID) }, t0, apperr.Unauthenticated, CodeUnsigned},
		{"wrong secret", func() (http.Header, []byte) { h, b, _ := other.Sign(key, t0); return h, b }, t0, apperr.Unauthenticated, CodeBadSignature},
		{"body tampered", func() (http.Header, []byte) {
			h, b, _ := k.Sign(key, t0)
			return h, bytes.Replace(b, []byte(`"digit":"3"`), []byte(`"digit":"1"`), 1)
		}, t0, apperr.Unauthenticated, CodeBadSignature},
		{"timestamp moved", func() (http.Header, []byte) {
			h, b, _ := k.Sign(key, t0.Add(-time.Hour))
			h.Set(HeaderTimestamp, strconv.FormatInt(t0.Unix(), 10))
			return h, b
		}, t0, apperr.Unauthenticated, CodeBadSignature},
		{"signature not hex", func() (http.Header, []byte) { return set(k, key, HeaderSignature, "v1=zz") }, t0, apperr.Unauthenticated, CodeBadSignature},
		{"timestamp not a number", func() (http.Header, []byte) { return set(k, key, HeaderTimestamp, "yesterday") }, t0, apperr.Unauthenticated, CodeBadTimestamp},
		{"stale: replayed after the window", nil, t0.Add(DefaultWindow + time.Second), apperr.Unauthenticated, CodeStale},
		{"future beyond the window", nil, t0.Add(-DefaultWindow - time.Second), apperr.Unauthenticated, CodeFuture},
		{"too large", func() (http.Header, []byte) {
			h, _, _ := k.Sign(key, t0)
			return h, make([]byte, MaxCallbackBytes+1)
		}, t0, apperr.TooLarge, CodeTooLarge},
		{"signed but malformed JSON", func() (http.Header, []byte) { return raw(k, "e.1", `{"event_id":`) }, t0, apperr.Invalid, CodeMalformed},
		{"signed but keypad 4", func() (http.Header, []byte) {
			b, _ := EncodeEvent(key)
			return raw(k, key.ID, strings.Replace(string(b), `"digit":"3"`, `"digit":"4"`, 1))
		}, t0, apperr.Invalid, CodeBadKey},
		{"nonce differs from the body", func() (http.Header, []byte) { b, _ := EncodeEvent(key); return raw(k, "other.1", string(b)) }, t0, apperr.Invalid, CodeNonce},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var h http.Header
			var b []byte
			if c.make != nil {
				h, b = c.make()
			} else {
				h, b, _ = k.Sign(key, t0)
			}
			_, err := k.VerifyCallback(h, b, c.now)
			wantErr(t, err, c.kind, c.code)
		})
	}
}

// raw signs an arbitrary body as the carrier would, so that body checks
// are reached.
func raw(k *CallbackKey, nonce, body string) (http.Header, []byte) {
	ts := strconv.FormatInt(t0.Unix(), 10)
	h := http.Header{}
	h.Set(HeaderTimestamp, ts)
	h.Set(HeaderEventID, nonce)
	h.Set(HeaderSignature, k.signature(ts, nonce, []byte(body)))
	return h, []byte(body)
}

func del(k *CallbackKey, e Event, name string) (http.Header, []byte) {
	h, b, _ := k.Sign(e, t0)
	h.Del(name)
	return h, b
}

func set(k *CallbackKey, e Event, name, v string) (http.Header, []byte) {
	h, b, _ := k.Sign(e, t0)
	h.Set(name, v)
	return h, b
}

func TestCallbackKeyNeverShowsItsSecret(t *testing.T) {
	k := testKey(t)
	var logs bytes.Buffer
	slog.New(slog.NewTextHandler(&logs, nil)).Info("key", "k", k)
	out := fmt.Sprintf("%v %+v %#v %s", k, k, k, k) + logs.String()
	if strings.Contains(out, "0123456789abcdef") || !strings.Contains(out, "****") {
		t.Fatalf("secret shown: %s", out)
	}
	if _, err := NewCallbackKey([]byte("short"), 0); !apperr.Is(err, apperr.Invalid) {
		t.Fatalf("short secret accepted: %v", err)
	}
}

// FuzzVerifyCallback: arbitrary headers and bodies never panic, and only a
// correctly signed, well-formed, fresh callback is accepted.
func FuzzVerifyCallback(f *testing.F) {
	k := testKey(f)
	for _, e := range validEvents() {
		h, b, _ := k.Sign(e, t0)
		f.Add(h.Get(HeaderTimestamp), h.Get(HeaderEventID), h.Get(HeaderSignature), b)
	}
	f.Add("", "", "", []byte("{}"))
	f.Add("-1", "e.1", "v1=", []byte(`{"event_id":"e.1"}`))
	f.Fuzz(func(t *testing.T, ts, nonce, sig string, body []byte) {
		h := http.Header{}
		h.Set(HeaderTimestamp, ts)
		h.Set(HeaderEventID, nonce)
		h.Set(HeaderSignature, sig)
		e, err := k.VerifyCallback(h, body, t0)
		if err != nil {
			if _, ok := apperr.As(err); !ok {
				t.Fatalf("unclassified error %v", err)
			}
			return
		}
		if sig != k.signature(ts, nonce, body) || e.ID != nonce {
			t.Fatalf("accepted a callback not signed for its event: %+v", e)
		}
	})
}
