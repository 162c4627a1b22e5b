package api

import (
	"bytes"
	"compress/gzip"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"testing/fstest"
)

var testApp = fstest.MapFS{
	"index.html":             {Data: []byte(`<!doctype html><div id="app"></div><script src="/assets/index-AbC123.js"></script>`)},
	"assets/index-AbC123.js": {Data: []byte("console.log(1);" + strings.Repeat(" ", 2000))},
	"assets/notary-Zz9.wasm": {Data: append([]byte("\x00asm"), make([]byte, 4096)...)},
	"favicon.svg":            {Data: []byte("<svg/>")},
}

func webGet(t *testing.T, h http.Handler, method, path string, headers ...string) *httptest.ResponseRecorder {
	t.Helper()
	req := httptest.NewRequest(method, path, nil)
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec
}

// TestWebAppServing: history-mode pages get index.html revalidated, hashed
// assets are immutable with their content type, missing files and unknown
// API paths are 404 (the API's in its JSON shape), and every app response
// carries the CSP that allows WebAssembly but no foreign script.
func TestWebAppServing(t *testing.T) {
	h := New(Deps{Log: discardLogger(), Web: testApp}).Handler()
	cases := []struct {
		method, path string
		status       int
		ctype, cache string
		body         string
	}{
		{"GET", "/", 200, "text/html", cacheRevalidate, `<div id="app">`},
		{"GET", "/announcements/12", 200, "text/html", cacheRevalidate, `<div id="app">`},
		{"GET", "/bidder/sections/3/seal", 200, "text/html", cacheRevalidate, `<div id="app">`},
		{"HEAD", "/login", 200, "text/html", cacheRevalidate, ""},
		{"GET", "/assets/index-AbC123.js", 200, "javascript", cacheImmutable, "console.log"},
		{"GET", "/assets/notary-Zz9.wasm", 200, "application/wasm", cacheImmutable, "\x00asm"},
		{"GET", "/favicon.svg", 200, "image/svg+xml", cacheRevalidate, "<svg/>"},
		{"GET", "/assets/gone-111.js", 404, "application/json", "", `"code":"not_found"`},
		{"GET", "/robots.txt", 404, "application/json", "", `"code":"not_found"`},
		{"GET", "/api/v1/no-such-route", 404, "application/json", "", `"code":"not_found"`},
		{"POST", "/announcements/12", 404, "application/json", "", `"code":"not_found"`},
	}
	for _, c := range cases {
		rec := webGet(t, h, c.method, c.path)
		if rec.Code != c.status || !strings.Contains(rec.Header().Get("Content-Type"), c.ctype) ||
			rec.Header().Get("Cache-Control") != c.cache || !strings.Contains(rec.Body.String(), c.body) {
			t.Errorf("%s %s: %d %q cache %q body %.60q", c.method, c.path, rec.Code, rec.Header().Get("Content-Type"),
				rec.Header().Get("Cache-Control"), rec.Body.String())
		}
		if c.status == 200 {
			csp := rec.Header().Get("Content-Security-Policy")
			if !strings.Contains(csp, "script-src 'self' 'wasm-unsafe-eval';") ||
				strings.Contains(strings.ReplaceAll(csp, "'wasm-unsafe-eval'", ""), "unsafe-eval") {
				t.Errorf("%s: CSP %q", c.path, csp)
			}
		}
	}
}

// TestWebAppGzip: a client that accepts gzip gets the same bytes compressed.
func TestWebAppGzip(t *testing.T) {
	h := New(Deps{Log: discardLogger(), Web: testApp}).Handler()
	rec := webGet(t, h, "GET", "/assets/notary-Zz9.wasm", "Accept-Encoding", "gzip, br")
	if rec.Header().Get("Content-Encoding") != "gzip" || rec.Body.Len() >= 4100 {
		t.Fatalf("not compressed: %q, %d bytes", rec.Header().Get("Content-Encoding"), rec.Body.Len())
	}
	zr, err := gzip.NewReader(rec.Body)
	if err != nil {
		t.Fatal(err)
	}
	got, _ := io.ReadAll(zr)
	if !bytes.Equal(got, testApp["assets/notary-Zz9.wasm"].Data) {
		t.Fatal("gzip body differs from the file")
	}
	if plain := webGet(t, h, "GET", "/assets/notary-Zz9.wasm"); plain.Header().Get("Content-Encoding") != "" {
		t.Fatal("compressed for a client that did not ask")
	}
}

// TestWebAppNotBuilt: a binary built before the web app says how to build it.
func TestWebAppNotBuilt(t *testing.T) {
	h := New(Deps{Log: discardLogger()}).Handler()
	rec := webGet(t, h, "GET", "/")
	if rec.Code != 200 || !strings.Contains(rec.Body.String(), "make run") {
		t.Fatalf("%d %s", rec.Code, rec.Body.String())
	}
	if rec := webGet(t, h, "GET", "/api/v1/nothing"); rec.Code != 404 {
		t.Fatalf("API 404 became %d", rec.Code)
	}
}
