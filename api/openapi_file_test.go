package api

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
)

// committedOpenAPI is the copy of the OpenAPI document the web app's typed
// client is generated from (npm run gen:api), so that building the app
// needs no running server.
var committedOpenAPI = filepath.Join("..", "web", "src", "api", "openapi.json")

// TestCommittedOpenAPIDocument fails when the route table changed and the
// web app's copy was not regenerated: run
// `UPDATE_OPENAPI=1 go test ./api -run TestCommittedOpenAPIDocument`.
func TestCommittedOpenAPIDocument(t *testing.T) {
	s := New(Deps{Log: discardLogger(), Version: "v1"})
	want, err := json.MarshalIndent(s.buildOpenAPI(), "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	want = append(want, '\n')
	if os.Getenv("UPDATE_OPENAPI") != "" {
		if err := os.WriteFile(committedOpenAPI, want, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	got, err := os.ReadFile(committedOpenAPI)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Fatalf("%s is stale: regenerate it with UPDATE_OPENAPI=1 go test ./api -run TestCommittedOpenAPIDocument", committedOpenAPI)
	}
}

// TestOpenAPIEmbeddedAndBytes: embedded structs are flattened as
// encoding/json writes them, []byte is a base64 string, and types of one
// name from two packages get two schemas.
func TestOpenAPIEmbeddedAndBytes(t *testing.T) {
	doc := New(Deps{Log: discardLogger()}).buildOpenAPI()
	schemas := doc["components"].(map[string]any)["schemas"].(map[string]any)
	detail := schemas["PublicDetail"].(map[string]any)["properties"].(map[string]any)
	if _, nested := detail["PublicAnnouncement"]; nested || detail["projectName"] == nil || detail["clarifications"] == nil {
		t.Fatalf("PublicDetail properties: %v", detail)
	}
	for _, pair := range [][2]string{{"Room", "phase"}, {"EvaluationRoom", "networks"}, {"Clarification", "title"}, {"EvaluationClarification", "question"}} {
		props := schemas[pair[0]].(map[string]any)["properties"].(map[string]any)
		if props[pair[1]] == nil {
			t.Errorf("schema %s lacks %q: two packages' types of one name were merged", pair[0], pair[1])
		}
	}
	header := schemas["BidHeaderView"].(map[string]any)["properties"].(map[string]any)["header"].(map[string]any)
	if header["type"] != "string" || header["format"] != "byte" {
		t.Fatalf("[]byte field: %v", header)
	}
}
