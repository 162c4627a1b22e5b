package api

import (
	"log/slog"
	"net/http"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/tenderhall/tenderhall/internal/apperr"
)

// statusOf is the one table from error kind to HTTP status.
var statusOf = map[apperr.Kind]int{
	apperr.Internal:        http.StatusInternalServerError,
	apperr.Invalid:         http.StatusBadRequest,
	apperr.NotFound:        http.StatusNotFound,
	apperr.Conflict:        http.StatusConflict,
	apperr.Forbidden:       http.StatusForbidden,
	apperr.Unauthenticated: http.StatusUnauthorized,
	apperr.TooLate:         http.StatusGone,
	apperr.Locked:          http.StatusLocked,
	apperr.TooLarge:        http.StatusRequestEntityTooLarge,
	apperr.Unavailable:     http.StatusServiceUnavailable,
}

// ErrorBody is the JSON shape of every error response.
type ErrorBody struct {
	Error ErrorDetail `json:"error"`
}

// ErrorDetail describes one error: a stable code, a message in the client's
// language, per-field problems, and for locks the time the lock ends.
type ErrorDetail struct {
	Code      string            `json:"code"`
	Message   string            `json:"message"`
	Fields    map[string]string `json:"fields,omitempty"`
	Until     string            `json:"until,omitempty"`
	RequestID string            `json:"requestId,omitempty"`
}

// handlerFunc is a gin handler that returns its error for serveError.
type handlerFunc func(c *gin.Context) error

// adapt turns a handlerFunc into a gin handler: a returned error is written
// once, by serveError.
func adapt(log *slog.Logger, h handlerFunc) gin.HandlerFunc {
	return func(c *gin.Context) {
		if err := h(c); err != nil {
			serveError(c, log, err)
		}
	}
}

// serveError writes err as the JSON error body with the status of its kind.
// Server-side failures (5xx) are logged here and only here, with the cause;
// the client sees a generic message and the request ID.
func serveError(c *gin.Context, log *slog.Logger, err error) {
	e, ok := apperr.As(err)
	if !ok {
		e = apperr.Wrap(err, apperr.Internal, "服务器内部错误", "internal server error")
	}
	status := statusOf[e.Kind]
	if status == 0 {
		status = http.StatusInternalServerError
	}
	rid := requestID(c)
	if status >= 500 {
		log.ErrorContext(c.Request.Context(), "request failed", "request_id", rid, "status", status,
			"method", c.Request.Method, "path", c.FullPath(), "err", err.Error())
		if e.Kind == apperr.Internal {
			e = apperr.New(apperr.Internal, "服务器内部错误，请联系管理员并提供请求编号", "internal server error; quote the request ID to support")
		}
	}
	body := ErrorBody{Error: ErrorDetail{Code: e.MachineCode(), Message: message(c, e), Fields: e.Fields, RequestID: rid}}
	if e.Kind == apperr.Locked && !e.Until.IsZero() {
		body.Error.Until = e.Until.UTC().Format("2006-01-02T15:04:05.000Z07:00")
		c.Header("Retry-After", strconv.Itoa(int(e.Until.Sub(now(c)).Seconds())+1))
	}
	if e.Kind == apperr.Unauthenticated {
		c.Header("WWW-Authenticate", `Bearer realm="tenderhall"`)
	}
	c.AbortWithStatusJSON(status, body)
}

// message picks the message in the client's language: English when the
// Accept-Language header prefers it, Chinese otherwise.
func message(c *gin.Context, e *apperr.Error) string {
	if prefersEnglish(c.GetHeader("Accept-Language")) && e.En != "" {
		return e.En
	}
	if e.Zh != "" {
		return e.Zh
	}
	return e.En
}

func prefersEnglish(header string) bool {
	first, _, _ := strings.Cut(header, ",")
	return strings.HasPrefix(strings.ToLower(strings.TrimSpace(first)), "en")
}

// errNoRoute is the 404 for unknown paths, in the same JSON shape.
var errNoRoute = apperr.New(apperr.NotFound, "请求的接口不存在", "no such API route")
