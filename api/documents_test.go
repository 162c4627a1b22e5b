package api

import (
	"bytes"
	"context"
	"encoding/hex"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/tenderhall/tenderhall/accounts"
	"github.com/tenderhall/tenderhall/bidding"
	"github.com/tenderhall/tenderhall/internal/dbtest"
	"github.com/tenderhall/tenderhall/notary"
)

// docsEnv is a bidding env with the blob store given to the service and a
// section of a project, still a draft.
type docsEnv struct {
	*biddingEnv
	project  bidding.Project
	section  bidding.Section
	ann      bidding.Announcement
	deadline time.Time
}

func newDocsEnv(t *testing.T, b dbtest.Backend) *docsEnv {
	t.Helper()
	e := &docsEnv{biddingEnv: newBiddingEnv(t, b), deadline: shanghai("2026-12-14 09:30")}
	e.srv.deps.Bidding.SetDocumentBlobs(e.srv.deps.Blobs)
	agent := e.tokens[accounts.RoleAgent]
	resp := e.do("POST", "/api/v1/projects", agent, ProjectRequest{Name: "市政道路改造", TendererOrgID: e.tendererOrg, Region: "350100"})
	wantStatus(t, resp, http.StatusCreated)
	decode(t, resp, &e.project)
	resp = e.do("POST", fmt.Sprintf("/api/v1/projects/%d/sections", e.project.ID), agent,
		SectionRequest{Code: "A010101", Name: "一标段", Kind: "engineering", BudgetFen: 1_200_000_00, Rulebook: "engineering"})
	wantStatus(t, resp, http.StatusCreated)
	decode(t, resp, &e.section)
	return e
}

// publish publishes the section's announcement (deadline e.deadline).
func (e *docsEnv) publish() {
	t := e.t
	secPath := fmt.Sprintf("/api/v1/sections/%d", e.section.ID)
	wantStatus(t, e.do("PUT", secPath+"/announcement", e.tokens[accounts.RoleAgent], AnnouncementRequest{Title: "市政道路改造一标段招标公告",
		Body: "详见招标文件", DocsFrom: e.clock.Now(), DocsUntil: shanghai("2026-11-30 17:00"), Deadline: e.deadline}), http.StatusOK)
	wantStatus(t, e.do("POST", secPath+"/announcement/approve", e.tendererAgent, nil), http.StatusOK)
	resp := e.do("POST", secPath+"/announcement/publish", e.tokens[accounts.RoleAgent], nil)
	wantStatus(t, resp, http.StatusOK)
	decode(t, resp, &e.ann)
}

// upload sends body raw (multipart when form is true) as name.
func (e *docsEnv) upload(token, name string, body []byte, form bool) *http.Response {
	e.t.Helper()
	path := fmt.Sprintf("%s/api/v1/sections/%d/documents", e.http.URL, e.section.ID)
	var r io.Reader = bytes.NewReader(body)
	ct := "application/pdf"
	if form {
		var buf bytes.Buffer
		w := multipart.NewWriter(&buf)
		w.WriteField("note", "ignored")
		fw, _ := w.CreateFormFile("file", name)
		fw.Write(body)
		w.Close()
		r, ct = &buf, w.FormDataContentType()
	} else {
		path += "?name=" + url.QueryEscape(name)
	}
	req, _ := http.NewRequest("POST", path, r)
	req.Header.Set("Content-Type", ct)
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	e.t.Cleanup(func() { resp.Body.Close() })
	return resp
}

func sm3Hex(b []byte) string {
	h := notary.NewSM3()
	h.Write(b)
	return hex.EncodeToString(h.Sum(nil))
}

func (e *docsEnv) documents(token string, public bool) []bidding.Document {
	e.t.Helper()
	path := fmt.Sprintf("/api/v1/sections/%d/documents", e.section.ID)
	if public {
		path = fmt.Sprintf("/api/v1/public/sections/%d/documents", e.section.ID)
	}
	var docs []bidding.Document
	resp := e.do("GET", path, token, nil)
	wantStatus(e.t, resp, http.StatusOK)
	decode(e.t, resp, &docs)
	return docs
}

func TestDocumentUploadAndDownload(t *testing.T) {
	forEachBackend2(t, func(t *testing.T, e *docsEnv) {
		agent, bidder := e.tokens[accounts.RoleAgent], e.tokens[accounts.RoleBidder]
		pdf := bytes.Repeat([]byte("招标文件 tender document\n"), 5000)
		var doc bidding.Document
		resp := e.upload(agent, "招标文件（第一册）.pdf", pdf, false)
		wantStatus(t, resp, http.StatusCreated)
		decode(t, resp, &doc)
		if doc.Size != int64(len(pdf)) || doc.SM3 != sm3Hex(pdf) || doc.Name != "招标文件（第一册）.pdf" {
			t.Fatalf("uploaded %+v", doc)
		}
		drawing := []byte("%PDF drawings")
		wantStatus(t, e.upload(agent, `C:\docs\图纸.pdf`, drawing, true), http.StatusCreated)
		e.wantError(e.upload(bidder, "x.pdf", pdf, false), http.StatusForbidden, "forbidden_role")
		e.wantError(e.upload(e.tendererAgent, "x.pdf", pdf, false), http.StatusForbidden, "not_project_agent")
		e.wantError(e.upload(agent, "", pdf, false), http.StatusBadRequest, "")

		// A draft's documents are the agent's alone.
		if docs := e.documents(agent, false); len(docs) != 2 || docs[1].Name != "图纸.pdf" || docs[1].SM3 != sm3Hex(drawing) {
			t.Fatalf("agent's list %+v", docs)
		}
		wantStatus(t, e.do("GET", fmt.Sprintf("/api/v1/public/sections/%d/documents", e.section.ID), "", nil), http.StatusNotFound)
		wantStatus(t, e.do("GET", fmt.Sprintf("/api/v1/documents/%d", doc.ID), bidder, nil), http.StatusNotFound)

		e.publish()
		// Replacing by name keeps one current document of that name.
		pdf2 := append(pdf, "补充"...)
		wantStatus(t, e.upload(agent, "招标文件（第一册）.pdf", pdf2, false), http.StatusCreated)
		docs := e.documents("", true)
		if len(docs) != 2 || docs[1].Name != "招标文件（第一册）.pdf" || docs[1].SM3 != sm3Hex(pdf2) || docs[1].Size != int64(len(pdf2)) {
			t.Fatalf("public list %+v", docs)
		}
		if evs, _ := e.events.ByType(context.Background(), "document.replaced", 10); len(evs) != 1 {
			t.Fatalf("document.replaced events: %d", len(evs))
		}

		// Any signed-in user downloads, with no precondition; the old
		// version stays downloadable.
		for _, tc := range []struct {
			id   int64
			want []byte
		}{{docs[1].ID, pdf2}, {doc.ID, pdf}} {
			resp = e.do("GET", fmt.Sprintf("/api/v1/documents/%d", tc.id), bidder, nil)
			wantStatus(t, resp, http.StatusOK)
			got, _ := io.ReadAll(resp.Body)
			h := resp.Header
			if !bytes.Equal(got, tc.want) || h.Get(SM3Header) != sm3Hex(tc.want) || h.Get("Content-Length") != fmt.Sprint(len(tc.want)) {
				t.Fatalf("download %d: %d bytes, headers %v", tc.id, len(got), h)
			}
			if cd := h.Get("Content-Disposition"); !strings.Contains(cd, "filename*=UTF-8''%E6%8B%9B%E6%A0%87") || !strings.HasPrefix(cd, "attachment;") {
				t.Fatalf("Content-Disposition %q", cd)
			}
		}
		wantStatus(t, e.do("GET", "/api/v1/documents/999999", bidder, nil), http.StatusNotFound)
		wantStatus(t, e.do("GET", fmt.Sprintf("/api/v1/documents/%d", doc.ID), "", nil), http.StatusUnauthorized)
		evs, _ := e.events.ByType(context.Background(), "document.downloaded", 10)
		if len(evs) != 2 || evs[0].Actor != fmt.Sprintf("user:%d", e.ids[accounts.RoleBidder]) || evs[0].IP == "" {
			t.Fatalf("document.downloaded events %+v", evs)
		}
	})
}

func TestContentDisposition(t *testing.T) {
	for _, tc := range []struct{ name, want string }{
		{"a.pdf", `attachment; filename="a.pdf"; filename*=UTF-8''a.pdf`},
		{"图 1.pdf", `attachment; filename="_ 1.pdf"; filename*=UTF-8''%E5%9B%BE%201.pdf`},
		{`q"\.pdf`, `attachment; filename="q__.pdf"; filename*=UTF-8''q%22%5C.pdf`},
	} {
		if got := contentDisposition(tc.name); got != tc.want {
			t.Errorf("%q: %s, want %s", tc.name, got, tc.want)
		}
	}
}

// forEachBackend2 runs fn on a fresh docsEnv over each database backend.
func forEachBackend2(t *testing.T, fn func(t *testing.T, e *docsEnv)) {
	for _, b := range dbtest.Backends() {
		t.Run(string(b), func(t *testing.T) { fn(t, newDocsEnv(t, b)) })
	}
}
