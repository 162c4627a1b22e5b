package api

import (
	"bytes"
	"net/http/httptest"
	"testing"

	"github.com/gin-gonic/gin"

	"github.com/tenderhall/tenderhall/internal/apperr"
)

// FuzzDecodeJSON feeds arbitrary bodies to the strict JSON decoder: it must
// never panic, and every refusal is a client error (Invalid), never a 500.
func FuzzDecodeJSON(f *testing.F) {
	for _, s := range []string{`{"kind":"bidder","name":"x"}`, `{"name":`, `[]`, `{"kind":1}`, `{"x":1}`, `{} {}`, ``, "\xff"} {
		f.Add([]byte(s))
	}
	gin.SetMode(gin.ReleaseMode)
	f.Fuzz(func(t *testing.T, body []byte) {
		c, _ := gin.CreateTestContext(httptest.NewRecorder())
		c.Request = httptest.NewRequest("POST", "/", bytes.NewReader(body))
		c.Request.Header.Set("Content-Type", "application/json")
		var v UserRequest
		if err := decodeJSON(c, &v); err != nil && !apperr.Is(err, apperr.Invalid) {
			t.Fatalf("body %q: error kind %v, want Invalid: %v", body, apperr.KindOf(err), err)
		}
	})
}
