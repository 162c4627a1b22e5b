package api

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"mime"
	"net/http"
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
		field := typeErr.Field
		return apperr.Newf(apperr.Invalid, "字段 %s 类型错误，应为 %s", "field %s has the wrong type, want %s", field, typeErr.Type.String()).
			WithField(field, "wrong type, want "+typeErr.Type.String())
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		field := strings.Trim(strings.TrimPrefix(err.Error(), "json: unknown field "), `"`)
		return apperr.Newf(apperr.Invalid, "未知字段 %s", "unknown field %s", field).WithField(field, "unknown field")
	case errors.Is(err, io.ErrUnexpectedEOF):
		return apperr.New(apperr.Invalid, "JSON 不完整", "the JSON body is truncated")
	}
	return apperr.Wrap(err, apperr.Invalid, "JSON 无法解析", "the JSON body cannot be parsed")
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
