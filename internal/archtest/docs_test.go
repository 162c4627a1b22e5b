package archtest

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// repoPath matches a backticked repository path in a document: it starts
// with one of the repository's top-level directories.
var repoPath = regexp.MustCompile("`((?:api|accounts|bidding|calendar|cmd|deploy|evaluation|eventlog|experts|internal|notary|sandbox|storage|web)/[^`\\s]*)`")

// TestDocumentsNameFilesThatExist keeps README.md and ARCHITECTURE.md
// honest about the code: every repository path they name in backticks
// exists (a glob must match something), so a renamed file fails here.
func TestDocumentsNameFilesThatExist(t *testing.T) {
	root := filepath.Join("..", "..")
	for _, doc := range []string{"README.md", "ARCHITECTURE.md"} {
		text, err := os.ReadFile(filepath.Join(root, doc))
		if err != nil {
			t.Fatal(err)
		}
		seen := 0
		for _, m := range repoPath.FindAllStringSubmatch(string(text), -1) {
			p := strings.TrimSuffix(strings.TrimSuffix(m[1], "/..."), "/")
			if strings.ContainsAny(p, ":<") { // a route or a task ID, not a file
				continue
			}
			matches, err := filepath.Glob(filepath.Join(root, p))
			if err != nil || len(matches) == 0 {
				t.Errorf("%s names %s, which does not exist", doc, m[1])
			}
			seen++
		}
		if seen < 10 {
			t.Errorf("%s: only %d repository paths found; has the pattern stopped matching?", doc, seen)
		}
	}
}
