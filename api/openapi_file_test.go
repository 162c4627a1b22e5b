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
