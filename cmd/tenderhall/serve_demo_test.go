package main

// This file is named to run after envelope_memory_test.go: that test reads
// the sealing child's ru_maxrss, which Linux raises to this process's own
// high-water mark when the child execs from a CLONE_VM fork, and seeding the
// demo data (argon2 at 64 MiB per login) raises it past that test's limit.

import (
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
	getJSON(t, base+"/api/v1/public/announcements", "", &page)
	if len(page.Items) != len(demoProjects) {
		t.Fatalf("%d announcements listed, want %d", len(page.Items), len(demoProjects))
	}
	for _, a := range page.Items {
		if a.State != bidding.StateAnnounced || a.Deadline == nil || a.ProjectID == 0 {
			t.Errorf("announcement %+v", a)
		}
		var docs []bidding.Document
		getJSON(t, base+"/api/v1/public/sections/"+strconv.FormatInt(a.SectionID, 10)+"/documents", "", &docs)
		if len(docs) != 1 || len(docs[0].SM3) != 64 {
			t.Errorf("section %d documents: %+v", a.SectionID, docs)
		}
	}
}
