// Package archtest checks the dependency rules of ARCHITECTURE.md §2 on the real
// import graph (go list), so that a stray import fails the build's tests.
package archtest

import (
	"encoding/json"
	"go/parser"
	"go/token"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

const module = "github.com/tenderhall/tenderhall"

type pkg struct {
	ImportPath string
	Dir        string
	GoFiles    []string
	Imports    []string
}

func listPackages(t *testing.T) []pkg {
	t.Helper()
	out, err := exec.Command("go", "list", "-json", module+"/...").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	var pkgs []pkg
	dec := json.NewDecoder(strings.NewReader(string(out)))
	for dec.More() {
		var p pkg
		if err := dec.Decode(&p); err != nil {
			t.Fatal(err)
		}
		pkgs = append(pkgs, p)
	}
	if len(pkgs) < 8 {
		t.Fatalf("go list found only %d packages", len(pkgs))
	}
	return pkgs
}

// homes maps each library to where it may be imported (rule 4). A home is a
// package path relative to the module, or "*/store.go" for the store files
// of any domain package.
var homes = map[string][]string{
	"gorm.io/":                            {"storage", "*/store.go"},
	"github.com/glebarez/":                {"storage", "internal/dbtest"},
	"github.com/go-sql-driver/mysql":      {"storage", "internal/dbtest"},
	"github.com/minio/minio-go":           {"storage"},
	"github.com/hibiken/asynq":            {"internal/jobs"},
	"github.com/redis/go-redis":           {"internal/jobs"},
	"github.com/emmansun/gmsm":            {"notary"},
	"github.com/tjfoc/gmsm":               {}, // a test peer only, never in product code
	"github.com/gin-gonic/gin":            {"api"},
	"github.com/prometheus/client_golang": {"api", "internal/jobs"},
	"github.com/go-pdf/fpdf":              {"internal/pdf", "internal/docmeta/docmetatest"},
	"github.com/ledongthuc/pdf":           {}, // a test peer only: reads rendered PDFs back
}

func allowed(rel, file string, places []string) bool {
	for _, h := range places {
		if h == rel || (h == "*/store.go" && file == "store.go") {
			return true
		}
	}
	return false
}

// TestLibrariesStayInTheirHome parses every non-test Go file's imports.
func TestLibrariesStayInTheirHome(t *testing.T) {
	for _, p := range listPackages(t) {
		rel := strings.TrimPrefix(strings.TrimPrefix(p.ImportPath, module), "/")
		for _, f := range p.GoFiles {
			for _, imp := range fileImports(t, filepath.Join(p.Dir, f)) {
				for lib, places := range homes {
					if strings.HasPrefix(imp, lib) && !allowed(rel, f, places) {
						t.Errorf("%s/%s imports %s; it belongs only in %v (DESIGN.md §2 rule 4)", rel, f, imp, places)
					}
				}
			}
		}
	}
}

func fileImports(t *testing.T, path string) []string {
	f, err := parser.ParseFile(token.NewFileSet(), path, nil, parser.ImportsOnly)
	if err != nil {
		t.Fatalf("parse %s: %v", path, err)
	}
	var out []string
	for _, s := range f.Imports {
		v, _ := strconv.Unquote(s.Path.Value)
		out = append(out, v)
	}
	return out
}

// TestLayering checks rules 1, 2 and 6 on package imports.
func TestLayering(t *testing.T) {
	for _, p := range listPackages(t) {
		rel := strings.TrimPrefix(strings.TrimPrefix(p.ImportPath, module), "/")
		for _, imp := range p.Imports {
			if !strings.HasPrefix(imp, module+"/") {
				continue
			}
			dep := strings.TrimPrefix(imp, module+"/")
			switch {
			case strings.HasPrefix(dep, "cmd/"):
				t.Errorf("%s imports %s: nothing imports cmd", rel, dep)
			case strings.HasPrefix(rel, "internal/") && !strings.HasPrefix(dep, "internal/"):
				t.Errorf("%s imports %s: internal packages are leaves", rel, dep)
			case rel == "storage" && !strings.HasPrefix(dep, "internal/"):
				t.Errorf("storage imports %s: storage imports only internal packages", dep)
			case strings.HasPrefix(dep, "internal/") && dep != "internal/apperr" && dep != "internal/clock" &&
				strings.HasPrefix(rel, "internal/") && !internalLeafOK(rel, dep):
				t.Errorf("%s imports %s", rel, dep)
			}
		}
	}
}

// internalLeafOK lists the internal-to-internal imports allowed besides
// apperr and clock: test helpers building on each other.
func internalLeafOK(rel, dep string) bool {
	return rel == "internal/dbtest" && dep == "internal/testenv"
}

// TestRulesBite makes sure the checker would see a violation.
func TestRulesBite(t *testing.T) {
	if allowed("api", "handlers.go", homes["gorm.io/"]) {
		t.Fatal("gorm allowed in api")
	}
	if !allowed("bidding", "store.go", homes["gorm.io/"]) {
		t.Fatal("gorm refused in a domain store.go")
	}
	if allowed("bidding", "store.go", homes["github.com/emmansun/gmsm"]) {
		t.Fatal("gmsm allowed outside notary")
	}
}
