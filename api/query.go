package api

import (
	"log/slog"
	"sort"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/tenderhall/tenderhall/internal/apperr"
)

// queryParam is one query parameter a route accepts, for the check below
// and the OpenAPI document.
type queryParam struct {
	name string
	typ  string // "integer" or "string"
	doc  string
}

// routeQueries lists the query parameters of every route that takes any
// ("METHOD pattern"); every other route takes none. A parameter not listed
// is refused (400, code unknown_parameter, naming it) so that a mistyped
// one — ?after= on a route paged by ?from= — never silently answers as if
// it were absent.
var routeQueries = map[string][]queryParam{
	"GET /api/v1/organizations": {{"kind", "string", "organisation kind: platform, agency, tenderer, department, bidder"}},
	"GET /api/v1/public/announcements": {{"q", "string", "keyword"}, {"region", "string", "region code prefix"},
		{"kind", "string", "engineering, goods or services"}, {"status", "string", "section state"},
		{"from", "string", "published on or after (YYYY-MM-DD)"}, {"to", "string", "published on or before (YYYY-MM-DD)"},
		{"cursor", "integer", "the next cursor of the previous page"}, {"limit", "integer", "page size, 1..100"}},
	"GET /api/v1/video/cameras/:id/gaps": {{"from", "integer", "Unix milliseconds (default: the beginning)"}, {"to", "integer", "Unix milliseconds (default: now)"}},
	"GET /api/v1/video/cameras/:id/window": {{"at", "integer", "the moment, Unix milliseconds"}, {"before", "integer", "seconds before it (default 60)"},
		{"after", "integer", "seconds after it (default 120)"}, {"format", "string", "m3u8 for an HLS playlist"}},
	"PUT /api/v1/uploads/:id":                            {{"offset", "integer", "where the chunk starts"}},
	"POST /api/v1/uploads/:id/finalize":                  {{"size", "integer", "the envelope's total size"}},
	"POST /api/v1/sections/:id/documents":                {{"name", "string", "file name of a raw body"}},
	"GET /api/v1/evaluations/:id/bids/:bid/file":         {{"name", "string", "the document's name"}},
	"GET /api/v1/evaluations/:id/report":                 {{"format", "string", "json, signed or pdf"}},
	"GET /api/v1/experts":                                {{"after", "integer", "the last id of the previous page"}, {"limit", "integer", "page size"}, {"status", "string", "active, suspended or blacklisted"}},
	"POST /api/v1/expert-imports":                        {{"format", "string", "csv or xlsx"}},
	"GET /api/v1/log/events":                             {{"from", "integer", "first sequence number, default 1"}, {"limit", "integer", "1..1000, default 100"}},
	"GET /api/v1/audit/events":                           {{"from", "integer", "first sequence number, default 1"}, {"limit", "integer", "1..1000, default 100"}},
	"GET /api/v1/log/heads":                              {{"from", "integer", "first head id, default 1"}, {"limit", "integer", "1..1000, default 100"}},
	"GET /api/v1/log/proof/inclusion":                    {{"seq", "integer", "the event (required)"}, {"size", "integer", "tree size, default the current"}},
	"GET /api/v1/log/proof/consistency":                  {{"first", "integer", "the smaller tree size (required)"}, {"second", "integer", "the larger, default the current"}},
	"GET /api/v1/sections/:id/room/messages":             {{"after", "integer", "the last message seq seen"}},
	"GET /api/v1/sections/:id/room/stream":               {{"after", "integer", "the last message seq seen (or Last-Event-ID)"}},
	"GET /api/v1/sections/:id/opening-record":            {{"format", "string", "json or pdf"}},
	"GET /api/v1/public/approval/items":                  {{"q", "string", "keyword in the code or name"}},
	"GET /api/v1/approval/cases":                         {{"state", "string", "case state"}},
	"PUT /api/v1/approval/cases/:id/materials/:material": {{"name", "string", "the file's name (required)"}},
	"GET /api/v1/approval/tasks":                         {{"state", "string", "open or closed"}},
	"GET /api/v1/supervision/board": {{"kind", "string", "case or section"}, {"light", "string", "green, yellow or red"},
		{"limit", "integer", "at most 10000"}},
	"GET /api/v1/supervision/efficiency": {{"period", "string", "a month 2026-11 or a quarter 2026-Q4"}},
	"GET /api/v1/public/efficiency":      {{"period", "string", "an ended month 2026-11 or quarter 2026-Q4"}},
	"GET /api/v1/supervision/warnings": {{"state", "string", "open, answered, accepted or escalated"},
		{"subject", "string", "e.g. case:12 or section:3"}, {"limit", "integer", "default 500"}},
	"GET /api/v1/blobs/*key": {{"expires", "integer", "the link's expiry (Unix seconds)"}, {"sig", "string", "the link's signature"}},
}

// onlyKnownQuery refuses a request to r that carries a query parameter r
// does not take, naming each such parameter.
func onlyKnownQuery(log *slog.Logger, r route) gin.HandlerFunc {
	known := map[string]bool{}
	for _, p := range routeQueries[r.method+" "+r.path] {
		known[p.name] = true
	}
	return func(c *gin.Context) {
		var unknown []string
		for name := range c.Request.URL.Query() {
			if !known[name] {
				unknown = append(unknown, name)
			}
		}
		if len(unknown) == 0 {
			c.Next()
			return
		}
		sort.Strings(unknown)
		err := apperr.Newf(apperr.Invalid, "该接口不接受查询参数 %s", "this route takes no query parameter %s",
			strings.Join(unknown, ", ")).WithCode("unknown_parameter")
		for _, name := range unknown {
			err.WithField(name, "unknown parameter")
		}
		serveError(c, log, err)
	}
}

// queryDoc describes r's query parameters for the OpenAPI document.
func queryDoc(r route) []any {
	var out []any
	for _, p := range routeQueries[r.method+" "+r.path] {
		out = append(out, map[string]any{"name": p.name, "in": "query", "required": strings.Contains(p.doc, "(required)"),
			"description": p.doc, "schema": map[string]any{"type": p.typ}})
	}
	return out
}
