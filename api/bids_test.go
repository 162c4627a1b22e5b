package api

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/tenderhall/tenderhall/accounts"
	"github.com/tenderhall/tenderhall/bidding"
	"github.com/tenderhall/tenderhall/internal/dbtest"
	"github.com/tenderhall/tenderhall/notary"
)

// bidsEnv is a biddingEnv with an announced section, the bidder's
// registered key and a second bidder organisation.
type bidsEnv struct {
	*biddingEnv
	platform      *notary.PrivateKey
	key           *notary.PrivateKey
	sec           bidding.Section
	deadline      time.Time
	otherBidder   string // token of a bidder of another organisation
	bidderOrgID   int64
	otherBidderID int64
}

func newBidsEnv(t *testing.T, e *biddingEnv) *bidsEnv {
	t.Helper()
	be := &bidsEnv{biddingEnv: e, deadline: shanghai("2026-12-14 09:30")}
	var err error
	if be.platform, err = notary.GenerateKey(); err != nil {
		t.Fatal(err)
	}
	if be.key, err = notary.GenerateKey(); err != nil {
		t.Fatal(err)
	}
	e.srv.deps.Bidding.SetBlobs(e.srv.deps.Blobs)
	e.srv.deps.Bidding.SetPlatformKey(be.platform)
	agent, bidder, admin := e.tokens[accounts.RoleAgent], e.tokens[accounts.RoleBidder], e.tokens[accounts.RoleAdmin]
	be.bidderOrgID = e.principal(accounts.RoleBidder).OrgID
	wantStatus(t, e.do("PUT", fmt.Sprintf("/api/v1/organizations/%d/public-key", be.bidderOrgID), bidder,
		PublicKeyRequest{PEM: be.key.Public().PEM}), http.StatusOK)

	var org OrgView
	resp := e.do("POST", "/api/v1/organizations", admin, OrgRequest{Kind: "bidder", Name: "另一投标人", USCC: usccFor(t, "9135010000000002X"), Region: "350100"})
	wantStatus(t, resp, http.StatusCreated)
	decode(t, resp, &org)
	be.otherBidderID = org.ID
	wantStatus(t, e.do("POST", "/api/v1/users", admin, UserRequest{Username: "other-bidder", DisplayName: "另一投标人",
		Password: testPassword, OrgID: org.ID, Roles: []accounts.Role{accounts.RoleBidder}}), http.StatusCreated)
	be.otherBidder = e.login("other-bidder")

	var p bidding.Project
	resp = e.do("POST", "/api/v1/projects", agent, ProjectRequest{Name: "市政道路改造", TendererOrgID: e.tendererOrg, Region: "350100"})
	wantStatus(t, resp, http.StatusCreated)
	decode(t, resp, &p)
	resp = e.do("POST", fmt.Sprintf("/api/v1/projects/%d/sections", p.ID), agent,
		SectionRequest{Code: "A010101", Name: "一标段", Kind: "engineering", BudgetFen: 1_200_000_00, Rulebook: "engineering"})
	wantStatus(t, resp, http.StatusCreated)
	decode(t, resp, &be.sec)
	secPath := fmt.Sprintf("/api/v1/sections/%d", be.sec.ID)
	wantStatus(t, e.do("PUT", secPath+"/announcement", agent, AnnouncementRequest{Title: "公告", Body: "详见招标文件",
		DocsFrom: e.clock.Now(), DocsUntil: shanghai("2026-11-30 17:00"), Deadline: be.deadline}), http.StatusOK)
	wantStatus(t, e.do("POST", secPath+"/announcement/approve", e.tendererAgent, nil), http.StatusOK)
	wantStatus(t, e.do("POST", secPath+"/announcement/publish", agent, nil), http.StatusOK)
	return be
}

func (e *bidsEnv) envelope(t *testing.T, section int64, body string) []byte {
	t.Helper()
	var out bytes.Buffer
	_, err := notary.Seal(context.Background(), &out, bytes.NewReader([]byte(body)), notary.SealOptions{Signer: e.key,
		Recipients: []*notary.PublicKey{e.key.Public()}, ChunkSize: notary.MinChunkSize,
		Meta: notary.Metadata{Project: strconv.FormatInt(e.sec.ProjectID, 10), Section: strconv.FormatInt(section, 10),
			Bidder: strconv.FormatInt(e.bidderOrgID, 10), SealedAt: e.clock.Now()}})
	if err != nil {
		t.Fatal(err)
	}
	return out.Bytes()
}

// put sends one raw chunk.
func (e *bidsEnv) put(token, id string, off int64, chunk []byte) *http.Response {
	e.t.Helper()
	req, _ := http.NewRequest("PUT", fmt.Sprintf("%s/api/v1/uploads/%s?offset=%d", e.http.URL, id, off), bytes.NewReader(chunk))
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", "application/octet-stream")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	e.t.Cleanup(func() { resp.Body.Close() })
	return resp
}

// upload opens an upload and sends env in chunks of n bytes.
func (e *bidsEnv) upload(t *testing.T, env []byte, n int) UploadView {
	t.Helper()
	var u UploadView
	resp := e.do("POST", fmt.Sprintf("/api/v1/sections/%d/uploads", e.sec.ID), e.tokens[accounts.RoleBidder], nil)
	wantStatus(t, resp, http.StatusCreated)
	decode(t, resp, &u)
	for off := 0; off < len(env); off += n {
		wantStatus(t, e.put(e.tokens[accounts.RoleBidder], u.UploadID, int64(off), env[off:min(off+n, len(env))]), http.StatusOK)
	}
	return u
}

func TestBidUploadOverHTTP(t *testing.T) {
	forEachBiddingBackend(t, func(t *testing.T, be *biddingEnv) {
		e := newBidsEnv(t, be)
		bidder := e.tokens[accounts.RoleBidder]
		agent := e.tokens[accounts.RoleAgent]
		env := e.envelope(t, e.sec.ID, strings.Repeat("投标报价：壹佰万元整。", 100))

		// A wrong offset and a duplicated chunk are 409 wrong_offset; GET tells where to resume.
		u := e.upload(t, env[:600], 300)
		e.wantError(e.put(bidder, u.UploadID, 0, env[:300]), http.StatusConflict, "wrong_offset")
		e.wantError(e.put(bidder, u.UploadID, 900, env[900:]), http.StatusConflict, "wrong_offset")
		e.wantError(e.do("POST", "/api/v1/uploads/"+u.UploadID+"/finalize?size="+strconv.Itoa(len(env)), bidder, nil), http.StatusConflict, "upload_incomplete")
		var got UploadView
		resp := e.do("GET", "/api/v1/uploads/"+u.UploadID, bidder, nil)
		wantStatus(t, resp, http.StatusOK)
		decode(t, resp, &got)
		if got.Offset != 600 || got.MaxChunkBytes != bidding.MaxChunkBytes {
			t.Fatalf("resume point %+v", got)
		}
		// Nobody else sees the upload.
		e.wantError(e.do("GET", "/api/v1/uploads/"+u.UploadID, e.otherBidder, nil), http.StatusNotFound, "upload_not_found")
		e.wantError(e.put(e.otherBidder, u.UploadID, 600, env[600:]), http.StatusNotFound, "upload_not_found")
		e.wantError(e.do("GET", "/api/v1/uploads/"+u.UploadID, agent, nil), http.StatusForbidden, "forbidden_role")

		wantStatus(t, e.put(bidder, u.UploadID, 600, env[600:]), http.StatusOK)
		resp = e.do("POST", "/api/v1/uploads/"+u.UploadID+"/finalize?size="+strconv.Itoa(len(env)), bidder, nil)
		wantStatus(t, resp, http.StatusCreated)
		raw, _ := io.ReadAll(resp.Body)
		r, err := notary.ParseReceipt(raw)
		if err != nil {
			t.Fatalf("receipt %s: %v", raw, err)
		}
		if err := r.Verify(e.platform.Public()); err != nil || r.Receipt.SectionID != strconv.FormatInt(e.sec.ID, 10) ||
			r.Receipt.CiphertextSize != int64(len(env)) || r.Receipt.BidderID != strconv.FormatInt(e.bidderOrgID, 10) {
			t.Fatalf("receipt %+v: %v", r.Receipt, err)
		}

		// An envelope for another section is refused with its precise
		// code at the first chunk: the header is checked as it arrives.
		wrong := e.upload(t, nil, 4096)
		e.wantError(e.put(bidder, wrong.UploadID, 0, e.envelope(t, e.sec.ID+1000, "x")), http.StatusBadRequest, "wrong_section")

		// Own bids only; the count is sealed until the deadline.
		var mine []bidding.Bid
		resp = e.do("GET", fmt.Sprintf("/api/v1/sections/%d/bids/mine", e.sec.ID), bidder, nil)
		wantStatus(t, resp, http.StatusOK)
		decode(t, resp, &mine)
		if len(mine) != 1 || mine[0].Status != bidding.BidCurrent {
			t.Fatalf("mine %+v", mine)
		}
		resp = e.do("GET", fmt.Sprintf("/api/v1/sections/%d/bids/mine", e.sec.ID), e.otherBidder, nil)
		wantStatus(t, resp, http.StatusOK)
		var none []bidding.Bid
		decode(t, resp, &none)
		if len(none) != 0 {
			t.Fatalf("another bidder sees %+v", none)
		}
		e.wantError(e.do("POST", fmt.Sprintf("/api/v1/bids/%d/withdraw", mine[0].ID), e.otherBidder, nil), http.StatusNotFound, "bid_not_found")
		e.wantError(e.do("GET", fmt.Sprintf("/api/v1/sections/%d/bids/count", e.sec.ID), agent, nil), http.StatusForbidden, "bids_sealed")

		// An upload left unfinished at the deadline; the close job runs; finalize 1 ms later is refused.
		late := e.upload(t, env, 4096)
		e.at(e.deadline.Add(time.Millisecond))
		bidder, agent = e.tokens[accounts.RoleBidder], e.tokens[accounts.RoleAgent]
		e.queue.runDue(t)
		e.wantError(e.do("POST", "/api/v1/uploads/"+late.UploadID+"/finalize", bidder, nil), http.StatusGone, "deadline_passed")
		e.wantError(e.do("POST", fmt.Sprintf("/api/v1/bids/%d/withdraw", mine[0].ID), bidder, nil), http.StatusGone, "deadline_passed")
		e.wantError(e.do("GET", fmt.Sprintf("/api/v1/sections/%d/bids/count", e.sec.ID), agent, nil), http.StatusForbidden, "bids_sealed")
		// The count is given once the close, ArrivalGrace after the deadline, fixed the bids.
		_, _, _ = e.at(e.deadline.Add(bidding.ArrivalGrace))
		bidder, agent = e.tokens[accounts.RoleBidder], e.tokens[accounts.RoleAgent]
		e.queue.runDue(t)
		var count BidCountView
		resp = e.do("GET", fmt.Sprintf("/api/v1/sections/%d/bids/count", e.sec.ID), agent, nil)
		wantStatus(t, resp, http.StatusOK)
		decode(t, resp, &count)
		if count.Count != 1 {
			t.Fatalf("count %+v", count)
		}
		objs, err := e.srv.deps.Blobs.List(context.Background(), "uploads/"+late.UploadID)
		if err != nil || len(objs) != 0 {
			t.Fatalf("parts left: %v %v", objs, err)
		}
	})
}

func forEachBiddingBackend(t *testing.T, fn func(t *testing.T, e *biddingEnv)) {
	for _, b := range dbtest.Backends() {
		t.Run(string(b), func(t *testing.T) { fn(t, newBiddingEnv(t, b)) })
	}
}
