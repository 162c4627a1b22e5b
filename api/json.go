package api

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"mime"
	"net/http"
	"reflect"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/tenderhall/tenderhall/internal/apperr"
)

// decodeJSON reads the request body into v strictly: the content type must be
// JSON, unknown fields and trailing data are refused, and a body over the
// limit is apperr.TooLarge. Errors name the offending field where JSON tells.
func decodeJSON(c *gin.Context, v any) error {
	ct, _, _ := mime.ParseMediaType(c.GetHeader("Content-Type"))
	if ct != "application/json" {
		return apperr.New(apperr.Invalid, "请求体必须是 JSON（Content-Type: application/json）",
			"the request body must be JSON (Content-Type: application/json)").WithCode("unsupported_media_type")
	}
	body, err := io.ReadAll(c.Request.Body)
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			return apperr.Newf(apperr.TooLarge, "请求体超过 %d 字节上限", "the request body exceeds the %d-byte limit", tooBig.Limit)
		}
		return apperr.Wrap(err, apperr.Invalid, "读取请求体失败", "could not read the request body")
	}
	if err := wantShape(body, v); err != nil {
		return err
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return jsonError(err)
	}
	if dec.More() {
		return apperr.New(apperr.Invalid, "请求体在 JSON 之后还有多余内容", "unexpected data after the JSON body")
	}
	return nil
}

func jsonError(err error) error {
	var syntax *json.SyntaxError
	var typeErr *json.UnmarshalTypeError
	switch {
	case errors.Is(err, io.EOF):
		return apperr.New(apperr.Invalid, "请求体为空", "the request body is empty")
	case errors.As(err, &syntax):
		return apperr.Newf(apperr.Invalid, "JSON 格式错误（第 %d 字节）", "malformed JSON at byte %d", syntax.Offset)
	case errors.As(err, &typeErr):
		field, zh, en := typeErr.Field, jsonKindZh(typeErr.Type), jsonKind(typeErr.Type)
		if field == "" {
			return apperr.New(apperr.Invalid, "请求体类型错误，应为"+zh, "the request body must be "+en).WithCode("wrong_body_type")
		}
		return apperr.New(apperr.Invalid, fmt.Sprintf("字段 %s 类型错误，应为%s", field, zh), fmt.Sprintf("field %s has the wrong type, want %s", field, en)).
			WithField(field, "wrong type, want "+en)
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		field := strings.Trim(strings.TrimPrefix(err.Error(), "json: unknown field "), `"`)
		return apperr.Newf(apperr.Invalid, "未知字段 %s", "unknown field %s", field).WithField(field, "unknown field")
	case errors.Is(err, io.ErrUnexpectedEOF):
		return apperr.New(apperr.Invalid, "JSON 不完整", "the JSON body is truncated")
	}
	return apperr.Wrap(err, apperr.Invalid, "JSON 无法解析", "the JSON body cannot be parsed")
}

// wantShape refuses a body whose top-level JSON value is not what v
// decodes from — notably null, which would decode into an empty request.
func wantShape(body []byte, v any) error {
	t := reflect.TypeOf(v)
	for t != nil && t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	trimmed := bytes.TrimLeft(body, " \t\r\n")
	if t == nil || len(trimmed) == 0 {
		return nil // the decoder reports an empty body
	}
	want := map[reflect.Kind]byte{reflect.Struct: '{', reflect.Map: '{', reflect.Slice: '['}[t.Kind()]
	if want != 0 && trimmed[0] != want {
		return apperr.New(apperr.Invalid, "请求体类型错误，应为"+jsonKindZh(t), "the request body must be "+jsonKind(t)).
			WithCode("wrong_body_type")
	}
	return nil
}

// jsonKind names the JSON type a Go type decodes from, for messages.
func jsonKind(t reflect.Type) string {
	switch t.Kind() {
	case reflect.Struct, reflect.Map:
		return "a JSON object"
	case reflect.Slice, reflect.Array:
		if t.Elem().Kind() == reflect.Uint8 {
			return "a base64 string"
		}
		return "a JSON array"
	case reflect.String:
		return "a string"
	case reflect.Bool:
		return "true or false"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return "an integer"
	case reflect.Float32, reflect.Float64:
		return "a number"
	case reflect.Pointer:
		return jsonKind(t.Elem())
	}
	return "another JSON type"
}

// jsonKindZh is jsonKind in Chinese.
func jsonKindZh(t reflect.Type) string {
	zh, ok := map[string]string{"a JSON object": " JSON 对象", "a JSON array": " JSON 数组", "a base64 string": " base64 字符串",
		"a string": "字符串", "true or false": " true 或 false", "an integer": "整数", "a number": "数字"}[jsonKind(t)]
	if !ok {
		return "其他 JSON 类型"
	}
	return zh
}

// rawBodies are the routes without a JSON request type that read a body
// of their own (a chunk, a file, a carrier's report); every other route
// without a request type takes no body.
var rawBodies = map[string]bool{
	"PUT /api/v1/uploads/:id":                            true,
	"POST /api/v1/sections/:id/documents":                true,
	"POST /api/v1/expert-imports":                        true,
	"POST /api/v1/notify/callback":                       true,
	"PUT /api/v1/approval/cases/:id/materials/:material": true,
	"POST /api/v1/approval/item-imports":                 true,
	"PUT /api/v1/video/ingest/:file":                     true,
}

// noBody refuses a body on a write route that takes none, so that a
// request meant for another route, or junk, is not taken as an empty one.
func noBody(log *slog.Logger, r route) gin.HandlerFunc {
	skip := r.request != nil || rawBodies[r.method+" "+r.path] || r.method == http.MethodGet
	return func(c *gin.Context) {
		if skip || c.Request.Body == nil {
			c.Next()
			return
		}
		var one [1]byte
		if n, _ := io.ReadFull(c.Request.Body, one[:]); n == 0 {
			c.Next()
			return
		}
		serveError(c, log, apperr.New(apperr.Invalid, "该接口不接受请求体", "this route takes no request body").WithCode("unexpected_body"))
	}
}

// required returns an Invalid error listing the empty fields among pairs of
// (name, value), or nil when all are set.
func required(pairs ...string) error {
	var e *apperr.Error
	for i := 0; i+1 < len(pairs); i += 2 {
		if strings.TrimSpace(pairs[i+1]) == "" {
			if e == nil {
				e = apperr.New(apperr.Invalid, "缺少必填字段", "required fields are missing")
			}
			e.WithField(pairs[i], "required")
		}
	}
	if e == nil {
		return nil
	}
	return e
}

// ok writes v as JSON with status 200.
func ok(c *gin.Context, v any) error {
	c.JSON(http.StatusOK, v)
	return nil
}

// created writes v as JSON with status 201.
func created(c *gin.Context, v any) error {
	c.JSON(http.StatusCreated, v)
	return nil
}
