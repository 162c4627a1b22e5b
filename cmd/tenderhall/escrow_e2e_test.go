package main

import (
	"strconv"
	"testing"

	"github.com/tenderhall/tenderhall/bidding"
)

// TestEscrowRemedyEndToEnd: a section with a 2-of-3 escrow key among its
// supervisors. Bidders seal to their key and the escrow key; one loses its
// key. No share is taken before the window closes; then the host asks for
// a remedy and two supervisors hand in their shares with `tenderhall
// escrow share`, which decrypts the bid; the signed record marks it.
func TestEscrowRemedyEndToEnd(t *testing.T) {
	t.Parallel() // see TestBidSubmitAgainstThePlatform
	e := newOpeningEnv(t, 4, openingOpts{escrowK: 2, escrowN: 3})
	b := e.bidders
	for _, x := range b {
		e.submit(t, x)
	}
	share := func(h *openingHolder, bid int64) (string, error) {
		out, errOut, err := e.runCLI(t, map[string]string{"TENDERHALL_TOKEN": h.token}, "escrow", "share", "--server", e.url,
			"--section", e.secID(), "--bid", strconv.FormatInt(bid, 10), "--key", h.keyFile)
		return out + errOut, err
	}
	e.passDeadline(t)
	for _, x := range b[:3] {
		e.signIn(t, x)
		e.decryptHTTP(t, x)
	}
	lost := e.bidID(t, b[3])
	out, err := share(e.holders[0], lost)
	wantCLIError(t, "a share during the window", out, err, "escrow_too_early")

	v := e.room(t)
	e.clk.Set(*v.WindowEndsAt)
	e.queue.runDue(t)
	remedy := "/api/v1/sections/" + e.secID() + "/bids/" + strconv.FormatInt(lost, 10) + "/remedy"
	e.call(t, "POST", remedy, b[3].token, map[string]string{"reason": "x"}, 403, nil)
	e.call(t, "POST", remedy, e.host, map[string]string{"reason": "投标人 CA 密钥遗失，申请托管补救"}, 201, nil)
	out, err = share(e.holders[0], lost)
	if err != nil {
		t.Fatalf("first share: %v\n%s", err, out)
	}
	out, err = share(e.holders[0], lost)
	wantCLIError(t, "the same share again", out, err, "already_submitted")
	out, err = share(e.holders[2], lost)
	if err != nil {
		t.Fatalf("second share: %v\n%s", err, out)
	}
	var rem bidding.Remedy
	e.call(t, "GET", remedy, e.host, nil, 200, &rem)
	if rem.Status != bidding.RemedyDone || rem.Shares != 2 || rem.Threshold != 2 {
		t.Fatalf("remedy %+v", rem)
	}

	e.call(t, "POST", "/api/v1/sections/"+e.secID()+"/room/objection-phase", e.host, nil, 200, nil)
	e.call(t, "POST", "/api/v1/sections/"+e.secID()+"/room/close", e.host, nil, 200, nil)
	rec := e.record(t)
	for _, r := range rec.Bids {
		i := e.bidderIndex(r.BidderOrgID)
		if r.Status != bidding.OpeningDecrypted || r.PriceFen == nil || *r.PriceFen != b[i].priceFen || r.Remedy != (i == 3) {
			t.Fatalf("record row of bidder %d: %+v", i, r)
		}
	}
}

// bidID is the id of bidder b's current bid, from its own list.
func (e *openingEnv) bidID(t *testing.T, b *openingBidder) int64 {
	t.Helper()
	var bids []bidding.Bid
	e.call(t, "GET", "/api/v1/sections/"+e.secID()+"/bids/mine", b.token, nil, 200, &bids)
	for _, x := range bids {
		if x.Status == bidding.BidCurrent {
			return x.ID
		}
	}
	t.Fatalf("bidder %d has no current bid", b.org)
	return 0
}
