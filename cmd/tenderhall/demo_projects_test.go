package main

import (
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"testing"

	"github.com/tenderhall/tenderhall/bidding"
)

// TestDemoSeedsPublishedProjects: `demo seed` publishes the demo tenders,
// so the portal of a fresh demo database lists them with their documents;
// a second seed adds nothing.
func TestDemoSeedsPublishedProjects(t *testing.T) {
	env := map[string]string{"TENDERHALL_DATA": t.TempDir()}
	out, _, err := execute(t, env, "demo", "seed")
	if err != nil || !strings.Contains(out, "demo projects: 4 announcements published") {
		t.Fatalf("seed: %v\n%s", err, out)
	}
	if out, _, err := execute(t, env, "demo", "seed"); err != nil || !strings.Contains(out, "already present") {
		t.Fatalf("second seed: %v\n%s", err, out)
	}
	base, _, _ := startServe(t, env)
	var page bidding.AnnouncementPage
	getJSON(t, base+"/api/v1/public/announcements", &page)
	if len(page.Items) != len(demoProjects) {
		t.Fatalf("%d announcements listed, want %d", len(page.Items), len(demoProjects))
	}
	for _, a := range page.Items {
		if a.State != bidding.StateAnnounced || a.Deadline == nil || a.ProjectID == 0 {
			t.Errorf("announcement %+v", a)
		}
		var docs []bidding.Document
		getJSON(t, base+"/api/v1/public/sections/"+strconv.FormatInt(a.SectionID, 10)+"/documents", &docs)
		if len(docs) != 1 || len(docs[0].SM3) != 64 {
			t.Errorf("section %d documents: %+v", a.SectionID, docs)
		}
	}
}

func getJSON(t *testing.T, url string, v any) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != 200 || json.NewDecoder(resp.Body).Decode(v) != nil {
		t.Fatalf("GET %s: %d", url, resp.StatusCode)
	}
}
