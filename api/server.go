// Package api is the HTTP face of TenderHall: the route table, request and
// response types, authentication and role checks, and the one adapter that
// turns domain errors into HTTP statuses.
package api

import (
	"io/fs"
	"log/slog"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/tenderhall/tenderhall/accounts"
	"github.com/tenderhall/tenderhall/approval"
	"github.com/tenderhall/tenderhall/bidding"
	"github.com/tenderhall/tenderhall/calendar"
	"github.com/tenderhall/tenderhall/evaluation"
	"github.com/tenderhall/tenderhall/eventlog"
	"github.com/tenderhall/tenderhall/experts"
	"github.com/tenderhall/tenderhall/internal/apperr"
	"github.com/tenderhall/tenderhall/internal/clock"
	"github.com/tenderhall/tenderhall/sandbox"
	"github.com/tenderhall/tenderhall/storage"
	"github.com/tenderhall/tenderhall/supervision"
	"github.com/tenderhall/tenderhall/video"
)

// Deps are what the HTTP layer serves from. cmd builds them.
type Deps struct {
	Log        *slog.Logger
	Clock      clock.Clock
	Accounts   *accounts.Service
	Events     *eventlog.Service
	Tree       *eventlog.Tree // the transparency log; nil answers its routes with 503
	Blobs      storage.Blobs
	Bidding    *bidding.Service    // projects, sections, announcements; nil answers its routes with 503
	Calendar   *calendar.Service   // the working-day calendar; nil answers its routes with 503
	Experts    *experts.Service    // expert pool and draws (issue 6); nil answers its routes with 503
	Web        fs.FS               // the built web app (package web); nil serves a page saying how to build it
	Sandbox    *sandbox.Service    // the sandbox's clock (package sandbox); nil serves as production
	Evaluation *evaluation.Service // evaluation and award (issue 7); nil answers its routes with 503
	Approval   *approval.Service   // administrative approval (issue 15); nil answers its routes with 503
	// Supervision is electronic supervision (issue 16); nil answers its routes with 503.
	Supervision *supervision.Service
	// Video is the video index (issue 17); nil answers its routes with 503.
	Video *video.Service
	// SetCarrierProfile scripts the simulated carrier's callees (a
	// sandbox's demonstrations); nil when this process runs none.
	SetCarrierProfile func(profile string) error
	Ready             []ReadyCheck
	MaxBodyBytes      int64
	SecureCookies     bool     // set the Secure flag on cookies (when served over TLS)
	TrustedProxies    []string // proxies whose X-Forwarded-For is believed
	Version           string
}

// Server is the HTTP service.
type Server struct {
	deps    Deps
	log     *slog.Logger
	metrics *metrics
	routes  []route
	engine  *gin.Engine
	apiDoc  openAPIDoc
	rooms   *roomHub // live opening-room feeds (room_hub.go)
	web     *webFiles
	// revealAll turns screenEvents off. Only tests set it, to show that
	// the secrecy test fails without the screen.
	revealAll bool
}

// New builds the server and its route table.
func New(d Deps) *Server {
	if d.Log == nil {
		d.Log = slog.Default()
	}
	if d.Clock == nil {
		d.Clock = clock.System{}
	}
	if d.MaxBodyBytes == 0 {
		d.MaxBodyBytes = 1 << 20
	}
	s := &Server{deps: d, log: d.Log, metrics: newMetrics()}
	s.rooms = newRoomHub(s)
	s.web = &webFiles{fsys: d.Web}
	s.routes = s.routeTable()
	s.engine = s.buildEngine()
	return s
}

// Handler returns the http.Handler serving every route. It stamps each
// request's arrival on the server clock before anything else runs
// (clock.WithArrival): a bid finalize is judged by that moment, not by
// when sign-in, reads and the commit were done with it.
func (s *Server) Handler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.engine.ServeHTTP(w, r.WithContext(clock.WithArrival(r.Context(), s.deps.Clock.Now())))
	})
}

func (s *Server) buildEngine() *gin.Engine {
	gin.SetMode(gin.ReleaseMode)
	e := gin.New()
	e.HandleMethodNotAllowed = true
	e.SetTrustedProxies(s.deps.TrustedProxies)
	e.Use(withRequestID(s.deps.Clock), recoverPanics(s.log), securityHeaders, s.markSandbox, s.metrics.middleware, accessLog(s.log))
	for _, r := range s.routes {
		handlers := []gin.HandlerFunc{limitBody(s.bodyLimit(r)), s.authorize(r.access), onlyKnownQuery(s.log, r), noBody(s.log, r)}
		handlers = append(handlers, adapt(s.log, r.handler))
		e.Handle(r.method, r.path, handlers...)
	}
	e.NoRoute(s.noRoute) // the web app (web.go), or the JSON 404 under /api/
	e.NoMethod(func(c *gin.Context) {
		serveError(c, s.log, apperr.New(apperr.Invalid, "该接口不支持此请求方法", "method not allowed on this route").WithCode("method_not_allowed"))
	})
	return e
}

// streamedBodies are the routes ("METHOD pattern") whose handlers stream a
// large request body to the blob store, with their own limit in place of
// Deps.MaxBodyBytes.
var streamedBodies = map[string]int64{
	"POST /api/v1/sections/:id/documents":                DocumentUploadLimit,
	"PUT /api/v1/approval/cases/:id/materials/:material": MaterialUploadLimit,
	"PUT /api/v1/video/ingest/:file":                     video.MaxSegmentBytes + 1,
}

// bodyLimit is the request body limit of route r.
func (s *Server) bodyLimit(r route) int64 {
	if n, ok := streamedBodies[r.method+" "+r.path]; ok {
		return n
	}
	return s.deps.MaxBodyBytes
}
