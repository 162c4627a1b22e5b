package api

import (
	"encoding/json"
	"github.com/tenderhall/tenderhall/evaluation"
	"path"
	"reflect"
	"regexp"
	"strings"
	"sync"

	"github.com/gin-gonic/gin"
)

// The OpenAPI 3 document is generated from the route table, so it lists
// exactly the routes the router serves; TestOpenAPIMatchesRouter checks that
// against gin's own list.

var ginParam = regexp.MustCompile(`[:*]([A-Za-z_]+)`)

// openAPIPath turns a gin pattern into an OpenAPI path template.
func openAPIPath(p string) string { return ginParam.ReplaceAllString(p, "{$1}") }

// openAPIDoc is a server's generated document, built on first request.
type openAPIDoc struct {
	once sync.Once
	doc  map[string]any
}

func (s *Server) openAPI(c *gin.Context) error {
	s.apiDoc.once.Do(func() { s.apiDoc.doc = s.buildOpenAPI() })
	c.Header("Cache-Control", "public, max-age=60")
	return ok(c, s.apiDoc.doc)
}

func (s *Server) buildOpenAPI() map[string]any {
	schemas := map[string]any{}
	paths := map[string]any{}
	for _, r := range s.routes {
		p := openAPIPath(r.path)
		item, _ := paths[p].(map[string]any)
		if item == nil {
			item = map[string]any{}
			paths[p] = item
		}
		item[strings.ToLower(r.method)] = s.operation(r, schemas)
	}
	schemas["Error"] = schemaOf(reflect.TypeOf(ErrorBody{}), schemas)
	delete(schemas, schemaTypes)
	return map[string]any{
		"openapi": "3.0.3",
		"info": map[string]any{"title": "TenderHall API", "version": s.deps.Version,
			"description": "公共资源交易与电子招投标平台 / public-resource trading and e-bidding platform"},
		"paths": paths,
		"components": map[string]any{
			"schemas": schemas,
			"securitySchemes": map[string]any{
				"bearer":  map[string]any{"type": "http", "scheme": "bearer"},
				"session": map[string]any{"type": "apiKey", "in": "cookie", "name": sessionCookie},
			},
		},
	}
}

func (s *Server) operation(r route, schemas map[string]any) map[string]any {
	op := map[string]any{
		"summary":     r.summary,
		"tags":        []string{r.tag},
		"operationId": operationID(r),
		"x-access":    r.access.String(),
	}
	var params []any
	for _, m := range ginParam.FindAllStringSubmatch(r.path, -1) {
		params = append(params, map[string]any{"name": m[1], "in": "path", "required": true, "schema": map[string]any{"type": "string"}})
	}
	params = append(params, queryDoc(r)...)
	if params != nil {
		op["parameters"] = params
	}
	if !r.access.public {
		op["security"] = []any{map[string]any{"bearer": []string{}}, map[string]any{"session": []string{}}}
	}
	if r.request != nil {
		op["requestBody"] = map[string]any{"required": true, "content": map[string]any{
			"application/json": map[string]any{"schema": schemaRef(reflect.TypeOf(r.request), schemas)}}}
	}
	okResp := map[string]any{"description": "OK"}
	if r.respond != nil {
		okResp["content"] = map[string]any{"application/json": map[string]any{"schema": schemaRef(reflect.TypeOf(r.respond), schemas)}}
	}
	errResp := map[string]any{"description": "Error", "content": map[string]any{
		"application/json": map[string]any{"schema": map[string]any{"$ref": "#/components/schemas/Error"}}}}
	op["responses"] = map[string]any{"200": okResp, "default": errResp}
	return op
}

func operationID(r route) string {
	parts := []string{strings.ToLower(r.method)}
	for _, seg := range strings.Split(r.path, "/") {
		seg = strings.Trim(seg, ":*")
		if seg == "" || seg == "api" || seg == "v1" {
			continue
		}
		parts = append(parts, strings.NewReplacer("-", "_", ".", "_").Replace(seg))
	}
	return strings.Join(parts, "_")
}

// schemaTypes is the key under which buildOpenAPI keeps, while it runs,
// which Go type each schema name stands for.
const schemaTypes = "\x00types"

// schemaName is a struct's schema name: its Go name, or, when a type of
// another package took that name first (evaluation.Room after
// bidding.Room), the name prefixed with its package's (EvaluationRoom).
func schemaName(t reflect.Type, schemas map[string]any) string {
	reg, _ := schemas[schemaTypes].(map[string]reflect.Type)
	if reg == nil {
		reg = map[string]reflect.Type{}
		schemas[schemaTypes] = reg
	}
	name := t.Name()
	if prev, ok := reg[name]; ok && prev != t {
		pkg := path.Base(t.PkgPath())
		name = strings.ToUpper(pkg[:1]) + pkg[1:] + name
	}
	reg[name] = t
	return name
}

// schemaRef returns a $ref for named structs (registering them) or an inline schema.
func schemaRef(t reflect.Type, schemas map[string]any) map[string]any {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t.Kind() == reflect.Struct && t.Name() != "" && t.PkgPath() != "time" {
		name := schemaName(t, schemas)
		if _, done := schemas[name]; !done {
			schemas[name] = map[string]any{} // placeholder against recursion
			schemas[name] = schemaOf(t, schemas)
		}
		return map[string]any{"$ref": "#/components/schemas/" + name}
	}
	return schemaOf(t, schemas)
}

func schemaOf(t reflect.Type, schemas map[string]any) map[string]any {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t == pointsType {
		// Exact scores travel as JSON numbers with two decimals.
		return map[string]any{"type": "number", "multipleOf": 0.01}
	}
	switch t.Kind() {
	case reflect.String:
		return map[string]any{"type": "string"}
	case reflect.Bool:
		return map[string]any{"type": "boolean"}
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64, reflect.Uint, reflect.Uint32, reflect.Uint64:
		return map[string]any{"type": "integer", "format": "int64"}
	case reflect.Float32, reflect.Float64:
		return map[string]any{"type": "number"}
	case reflect.Slice, reflect.Array:
		return map[string]any{"type": "array", "items": schemaRef(t.Elem(), schemas)}
	case reflect.Map:
		return map[string]any{"type": "object", "additionalProperties": schemaRef(t.Elem(), schemas)}
	case reflect.Struct:
		if t.PkgPath() == "time" && t.Name() == "Time" {
			return map[string]any{"type": "string", "format": "date-time"}
		}
		return structSchema(t, schemas)
	}
	return map[string]any{}
}

func structSchema(t reflect.Type, schemas map[string]any) map[string]any {
	props := map[string]any{}
	req := structFields(t, schemas, props)
	s := map[string]any{"type": "object", "properties": props}
	if req != nil {
		s["required"] = req
	}
	return s
}

// structFields adds t's JSON fields to props and returns the required ones.
// An embedded struct without a JSON name has its fields promoted, as
// encoding/json does (bidding.PublicDetail embeds PublicAnnouncement).
func structFields(t reflect.Type, schemas map[string]any, props map[string]any) []string {
	var req []string
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		name, opts, _ := strings.Cut(f.Tag.Get("json"), ",")
		if f.Anonymous && name == "" && f.Type.Kind() == reflect.Struct {
			req = append(req, structFields(f.Type, schemas, props)...)
			continue
		}
		if !f.IsExported() || name == "-" {
			continue
		}
		if name == "" {
			name = f.Name
		}
		props[name] = fieldSchema(f.Type, schemas)
		if !strings.Contains(opts, "omitempty") && f.Tag.Get("required") == "true" {
			req = append(req, name)
		}
	}
	return req
}

// fieldSchema is schemaRef but for the byte types encoding/json treats
// specially: []byte is a base64 string, json.RawMessage any JSON value.
func fieldSchema(t reflect.Type, schemas map[string]any) map[string]any {
	switch {
	case t == reflect.TypeOf(json.RawMessage{}):
		return map[string]any{}
	case t.Kind() == reflect.Slice && t.Elem().Kind() == reflect.Uint8:
		return map[string]any{"type": "string", "format": "byte"}
	}
	return schemaRef(t, schemas)
}

var pointsType = reflect.TypeOf(evaluation.Points(0))
