package api

import (
	"bytes"
	"compress/gzip"
	"io/fs"
	"mime"
	"net/http"
	"path"
	"strings"
	"sync"

	"github.com/gin-gonic/gin"
)

// The web app (web/, embedded by package web) is not an API route: it is
// the engine's NoRoute fallback for GET and HEAD outside /api/. A file that
// exists is served as it is; any other path without a file extension is a
// page of the app (history-mode routing) and gets index.html.

// webCSP allows the app's own scripts and WebAssembly (the sealer) and
// nothing from elsewhere. Inline styles are allowed because Element Plus
// positions popups with style attributes; blob: frames show PDFs fetched
// with the session; blob: media is the recording player's MediaSource.
const webCSP = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self' 'unsafe-inline'; " +
	"img-src 'self' data: blob:; media-src 'self' blob:; font-src 'self' data:; connect-src 'self'; worker-src 'self' blob:; " +
	"frame-src 'self' blob:; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"

// Cache lifetimes: Vite names everything under assets/ by content hash, so
// those never change; everything else is revalidated.
const (
	cacheImmutable  = "public, max-age=31536000, immutable"
	cacheRevalidate = "no-cache"
)

// notBuiltPage is served when the binary was built before the web app.
const notBuiltPage = `<!doctype html><html lang="zh-CN"><meta charset="utf-8"><title>TenderHall</title>
<body style="font-family:sans-serif;margin:3em"><h1>网页端尚未构建 / The web app is not built</h1>
<p>请运行 <code>make run</code>（会自动构建网页端），或 <code>make web</code> 后重新编译。</p>
<p>Run <code>make run</code> (it builds the web app), or <code>make web</code> and rebuild.</p>
<p>API: <a href="/api/v1/openapi.json">/api/v1/openapi.json</a></p></body></html>`

// webFiles serves the embedded app, gzip-compressing text and WebAssembly
// once per file on first request.
type webFiles struct {
	fsys fs.FS // nil: not built
	mu   sync.Mutex
	gz   map[string][]byte
}

func (s *Server) noRoute(c *gin.Context) {
	p := c.Request.URL.Path
	if strings.HasPrefix(p, "/api/") || (c.Request.Method != http.MethodGet && c.Request.Method != http.MethodHead) {
		serveError(c, s.log, errNoRoute)
		return
	}
	s.web.serve(c, p, func() { serveError(c, s.log, errNoRoute) })
}

func (w *webFiles) serve(c *gin.Context, p string, notFound func()) {
	h := c.Writer.Header()
	h.Set("Content-Security-Policy", webCSP)
	if w.fsys == nil {
		h.Set("Cache-Control", cacheRevalidate)
		c.Data(http.StatusOK, "text/html; charset=utf-8", []byte(notBuiltPage))
		return
	}
	name := strings.TrimPrefix(path.Clean("/"+p), "/")
	data, err := fs.ReadFile(w.fsys, name)
	switch {
	case err == nil && name != "":
		cache := cacheRevalidate
		if strings.HasPrefix(name, "assets/") {
			cache = cacheImmutable
		}
		w.write(c, name, data, cache)
	case path.Ext(name) != "" || strings.HasPrefix(name, "assets/"):
		notFound() // a missing file, never the page in its place
	default:
		index, err := fs.ReadFile(w.fsys, "index.html")
		if err != nil {
			notFound()
			return
		}
		w.write(c, "index.html", index, cacheRevalidate)
	}
}

func (w *webFiles) write(c *gin.Context, name string, data []byte, cache string) {
	h := c.Writer.Header()
	h.Set("Cache-Control", cache)
	h.Add("Vary", "Accept-Encoding")
	ctype := mime.TypeByExtension(path.Ext(name))
	if ctype == "" {
		ctype = "application/octet-stream"
	}
	if gz := w.compressed(name, data, ctype); gz != nil && strings.Contains(c.GetHeader("Accept-Encoding"), "gzip") {
		h.Set("Content-Encoding", "gzip")
		data = gz
	}
	c.Data(http.StatusOK, ctype, data)
}

// compressed returns the gzip form of a compressible file over 1 KiB.
func (w *webFiles) compressed(name string, data []byte, ctype string) []byte {
	if len(data) < 1024 || !(strings.HasPrefix(ctype, "text/") || strings.Contains(ctype, "javascript") ||
		strings.Contains(ctype, "json") || strings.Contains(ctype, "wasm") || strings.Contains(ctype, "svg")) {
		return nil
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	if gz, ok := w.gz[name]; ok {
		return gz
	}
	var buf bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&buf, gzip.BestCompression)
	zw.Write(data)
	zw.Close()
	if w.gz == nil {
		w.gz = map[string][]byte{}
	}
	w.gz[name] = buf.Bytes()
	return w.gz[name]
}
