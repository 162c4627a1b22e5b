package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"net/http"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tenderhall/tenderhall/accounts"
	"github.com/tenderhall/tenderhall/api"
	"github.com/tenderhall/tenderhall/internal/config"
	"github.com/tenderhall/tenderhall/notary"
)

// crashBidder is one of the bidders of the crash test and its envelope.
type crashBidder struct {
	orgID     int64
	token     string
	key       *notary.PrivateKey
	envelope  []byte
	digest    string // computed locally with notary.VerifyEnvelope
	in        string // the envelope file
	state     string // --state of bid submit
	receipt   string // --receipt of bid submit
	threshold int64  // the chunk at or beyond this offset is cut by the kill
	before    int64  // the server's offset just before the kill
	after     int64  // the server's offset after the restart
}

// TestCrashKillDuringTwentyUploads proves the acceptance criterion of
// resumable uploads: killing the server (SIGKILL) in the middle of 20
// uploads and restarting it, every upload resumes and completes with the
// same digest, and no blob is orphaned. Black box: the server is a separate
// process on the embedded default; the test uses only the HTTP API, the
// `bid submit` command and the data directory.
func TestCrashKillDuringTwentyUploads(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("starts and kills a server process; not in -short")
	}
	const (
		bidders = 20
		chunk   = 1 << 20   // --chunk-size: many requests per upload
		stall   = 256 << 10 // bytes of the cut chunk that reach the server before the kill
		pw      = "Crash-test-pass-2026"
	)
	started := time.Now()
	ctx := context.Background()
	dataDir, work := t.TempDir(), t.TempDir()
	addr := freeLoopbackAddr(t)
	logs := filepath.Join(work, "server.log")
	base := "http://" + addr

	// 1. The accounts are made in-process before the server first starts,
	// on its data directory and with its own wiring, but with cheap
	// password hashes: forty Argon2id hashes of 64 MiB in the
	// race-instrumented server would take most of this test's time. The
	// rest goes through the HTTP API.
	bs := make([]*crashBidder, bidders)
	for i := range bs {
		b := &crashBidder{in: filepath.Join(work, fmt.Sprintf("bid%02d.the", i))}
		b.state, b.receipt = b.in+".upload", b.in+".receipt.json"
		bs[i] = b
	}
	seedCrashAccounts(t, dataDir, "crash-admin", pw, bs)
	child := startCrashChild(t, dataDir, addr, logs)
	var login api.LoginResponse
	apiCall(t, base, "POST", "/api/v1/auth/login", "", api.LoginRequest{Username: "crash-admin", Password: pw, Kind: "bearer"}, 200, &login)
	admin := login.Token
	org := func(kind, uscc string) int64 {
		var o api.OrgView
		apiCall(t, base, "POST", "/api/v1/organizations", admin, api.OrgRequest{Kind: kind, Name: "单位 " + uscc, USCC: uscc, Region: "350100"}, 201, &o)
		return o.ID
	}
	agency := org("agency", validUSCC(t, "91350100000000A00"))
	tenderer := org("tenderer", validUSCC(t, "91350100000000T00"))
	var project, section struct {
		ID int64 `json:"id"`
	}
	apiCall(t, base, "POST", "/api/v1/projects", admin, api.ProjectRequest{Name: "断电续传项目", TendererOrgID: tenderer, AgencyOrgID: agency}, 201, &project)
	apiCall(t, base, "POST", fmt.Sprintf("/api/v1/projects/%d/sections", project.ID), admin,
		api.SectionRequest{Code: "B010101", Name: "货物", Kind: "goods", BudgetFen: 100_000_00, Rulebook: "procurement"}, 201, &section)
	var now api.TimeResponse
	apiCall(t, base, "GET", "/api/v1/time", "", nil, 200, &now)
	t0 := time.UnixMilli(now.UnixMillis).UTC()
	sec := fmt.Sprintf("/api/v1/sections/%d", section.ID)
	apiCall(t, base, "PUT", sec+"/announcement", admin, api.AnnouncementRequest{Title: "采购公告", Body: "正文",
		DocsFrom: t0, DocsUntil: t0.AddDate(0, 0, 15), Deadline: t0.AddDate(0, 0, 60)}, 200, nil)
	apiCall(t, base, "POST", sec+"/announcement/approve", admin, nil, 200, nil)
	apiCall(t, base, "POST", sec+"/announcement/publish", admin, nil, 200, nil)
	var platformKey api.LogKey
	apiCall(t, base, "GET", "/api/v1/log/key", "", nil, 200, &platformKey)
	pub := filepath.Join(work, "platform.pub")
	if err := os.WriteFile(pub, []byte(platformKey.PublicKey), 0o600); err != nil {
		t.Fatal(err)
	}

	// 2. Each bidder organisation registers its SM2 key; twenty distinct
	// envelopes of 6–8 MiB are sealed, two at a time.
	for _, b := range bs {
		apiCall(t, base, "PUT", fmt.Sprintf("/api/v1/organizations/%d/public-key", b.orgID), admin, api.PublicKeyRequest{PEM: b.key.Public().PEM}, 200, nil)
	}
	var wg sync.WaitGroup
	errs := make(chan error, bidders)
	sem := make(chan struct{}, 2)
	for i, b := range bs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			sem <- struct{}{}
			defer func() { <-sem }()
			errs <- b.seal(ctx, i, project.ID, section.ID, t0)
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	digests := map[string]bool{}
	for _, b := range bs {
		digests[b.digest] = true
	}
	if len(digests) != bidders {
		t.Fatalf("the %d envelopes have only %d distinct digests", bidders, len(digests))
	}
	t.Logf("set-up done in %v", time.Since(started).Round(time.Millisecond))

	// 3. The uploads, through a proxy that lets each one reach a different
	// point (1 to n-2 of its n chunks) and then hands the server only part of the
	// next chunk.
	proxy, proxyURL := newCrashProxy(t, base, stall)
	thresholds := map[string]int64{}
	for i, b := range bs {
		chunks := (int64(len(b.envelope)) + chunk - 1) / chunk
		b.threshold = chunk * (1 + int64(i)%(chunks-2)) // a full chunk is cut, never the short last one
		thresholds[b.token] = b.threshold
	}
	proxy.hold(thresholds)
	submit := func(b *crashBidder) (string, string, error) {
		return execute(t, map[string]string{"TENDERHALL_TOKEN": b.token}, "bid", "submit", "--server", proxyURL,
			"--section", strconv.FormatInt(section.ID, 10), "--in", b.in, "--state", b.state, "--receipt", b.receipt,
			"--chunk-size", strconv.Itoa(chunk), "--platform-pub", pub)
	}
	type result struct {
		i            int
		out, errText string
		err          error
	}
	first := make(chan result, bidders)
	for i, b := range bs {
		go func() {
			out, errText, err := submit(b)
			first <- result{i, out, errText, err}
		}()
	}
	waitStalled := time.After(120 * time.Second)
	var beforeCut map[string]int64
	for n := 0; n < bidders; n++ {
		select {
		case <-proxy.stalledCh:
			if n == 0 {
				beforeCut = dataFiles(t, dataDir)
			}
		case r := <-first:
			t.Fatalf("upload %d ended before the kill: err %v\n%s\n%s", r.i, r.err, r.out, r.errText)
		case <-waitStalled:
			t.Fatalf("only %d of %d uploads reached their cut chunk in 120 s\nserver log:\n%s", n, bidders, child.tail())
		}
	}

	// 4. Every upload has made progress and none has finished.
	var committed int64
	for i, b := range bs {
		id := uploadIDOf(t, b)
		var u api.UploadView
		apiCall(t, base, "GET", "/api/v1/uploads/"+id, b.token, nil, 200, &u)
		if u.Status != "open" || u.Offset <= 0 || u.Offset >= int64(len(b.envelope)) {
			t.Fatalf("upload %d before the kill: status %s, offset %d of %d", i, u.Status, u.Offset, len(b.envelope))
		}
		if u.Offset != b.threshold {
			t.Errorf("upload %d: server offset %d before the kill, but the client was cut at %d", i, u.Offset, b.threshold)
		}
		if _, err := os.Stat(b.receipt); err == nil {
			t.Fatalf("upload %d has a receipt before the kill", i)
		}
		b.before = u.Offset
		committed += u.Offset
	}
	// Best effort, not an assertion: let the server take in what it was
	// sent of the cut chunks (the data directory stops changing), so that
	// the kill interrupts writes in progress rather than an idle server.
	quiet, changed := waitQuiet(t, dataDir, beforeCut, 5*time.Second)
	t.Logf("killing the server after %v: %d bytes committed, %d data files new or grown since the first cut (quiet: %v)",
		time.Since(started).Round(time.Millisecond), committed, changed, quiet)

	// 5. SIGKILL. Each client fails; its state file remains.
	child.kill(t)
	proxy.cut()
	proxy.transport.CloseIdleConnections()
	crashHTTP.Transport.(*http.Transport).CloseIdleConnections()
	waitFailed := time.After(60 * time.Second)
	for n := 0; n < bidders; n++ {
		select {
		case r := <-first:
			if r.err == nil {
				t.Errorf("upload %d succeeded although the server was killed:\n%s", r.i, r.out)
			}
		case <-waitFailed:
			t.Fatalf("only %d of %d clients returned within 60 s of the kill", n, bidders)
		}
	}
	if t.Failed() {
		t.FailNow()
	}
	afterKill := dataFiles(t, dataDir)

	// 6. Restart on the same data directory and port: every upload is
	// still open, with no committed byte lost and none invented.
	child = startCrashChild(t, dataDir, addr, logs)
	t.Logf("restarted after %v", time.Since(started).Round(time.Millisecond))
	for i, b := range bs {
		var u api.UploadView
		apiCall(t, base, "GET", "/api/v1/uploads/"+uploadIDOf(t, b), b.token, nil, 200, &u)
		if u.Status != "open" || u.Offset < b.before || u.Offset > b.before+chunk || u.Offset <= 0 {
			t.Errorf("upload %d after the restart: status %s, offset %d (before the kill %d)", i, u.Status, u.Offset, b.before)
		}
		b.after = u.Offset
	}
	if t.Failed() {
		t.FailNow()
	}

	// 7. The same commands again: each resumes where the server stopped and
	// gets a receipt for exactly its envelope.
	proxy.record()
	second := make(chan result, bidders)
	for i, b := range bs {
		go func() {
			out, errText, err := submit(b)
			second <- result{i, out, errText, err}
		}()
	}
	waitDone := time.After(5 * time.Minute)
	for n := 0; n < bidders; n++ {
		var r result
		select {
		case r = <-second:
		case <-waitDone:
			t.Fatalf("only %d of %d resumed uploads returned within 5 minutes\nserver log:\n%s", n, bidders, child.tail())
		}
		b := bs[r.i]
		if r.err != nil {
			t.Errorf("upload %d did not complete after the restart: %v\n%s", r.i, r.err, r.errText)
			continue
		}
		raw, err := os.ReadFile(b.receipt)
		if err != nil {
			t.Errorf("upload %d: no saved receipt: %v", r.i, err)
			continue
		}
		rc, err := notary.ParseReceipt(bytes.TrimSpace(raw))
		if err != nil {
			t.Errorf("upload %d: receipt %s: %v", r.i, raw, err)
			continue
		}
		if rc.Receipt.CiphertextDigest != b.digest || rc.Receipt.CiphertextSize != int64(len(b.envelope)) {
			t.Errorf("upload %d: receipt for %s (%d bytes), the envelope is %s (%d bytes)", r.i,
				rc.Receipt.CiphertextDigest, rc.Receipt.CiphertextSize, b.digest, len(b.envelope))
		}
		if _, err := os.Stat(b.state); err == nil {
			t.Errorf("upload %d: the state file remains after the receipt", r.i)
		}
	}
	proxy.mu.Lock()
	for i, b := range bs {
		if proxy.creates[b.token] != 0 {
			t.Errorf("upload %d started over (%d new uploads) instead of resuming", i, proxy.creates[b.token])
		}
		if off, ok := proxy.firstPut[b.token]; !ok || off != b.after {
			t.Errorf("upload %d resumed at offset %d (sent: %v), the server had %d", i, off, ok, b.after)
		}
		if proxy.finalizes[b.token] != 1 {
			t.Errorf("upload %d: %d finalize requests, want 1", i, proxy.finalizes[b.token])
		}
	}
	proxy.mu.Unlock()
	if t.Failed() {
		t.FailNow()
	}

	t.Logf("all uploads completed after %v", time.Since(started).Round(time.Millisecond))

	// 8. Each bidder has exactly one current bid, the one of the receipt.
	for i, b := range bs {
		var mine []struct {
			ID     int64  `json:"id"`
			Digest string `json:"digest"`
			Size   int64  `json:"size"`
			Status string `json:"status"`
		}
		apiCall(t, base, "GET", sec+"/bids/mine", b.token, nil, 200, &mine)
		if len(mine) != 1 || mine[0].Status != "current" || mine[0].Digest != b.digest || mine[0].Size != int64(len(b.envelope)) {
			t.Errorf("bidder %d's bids on the section: %+v, want one current bid %s", i, mine, b.digest)
		}
	}

	// 9. No orphan: with the server stopped, the files of the data
	// directory (beside the database and the keys) are exactly the blobs
	// the database references, and each bid's blob is its envelope.
	child.stop(t)
	t.Logf("server stopped after %v", time.Since(started).Round(time.Millisecond))
	db := openReadOnlyDB(t, filepath.Join(dataDir, "tenderhall.db"))
	type ref struct {
		what     string
		envelope []byte
	}
	refs := map[string]ref{}
	byOrg := map[int64]*crashBidder{}
	for _, b := range bs {
		byOrg[b.orgID] = b
	}
	rows, err := db.Query(`SELECT blob_key, bidder_org_id, status, digest FROM bids WHERE section_id = ?`, section.ID)
	if err != nil {
		t.Fatal(err)
	}
	nbids := 0
	for rows.Next() {
		var key, status, digest string
		var orgID int64
		if err := rows.Scan(&key, &orgID, &status, &digest); err != nil {
			t.Fatal(err)
		}
		nbids++
		b := byOrg[orgID]
		if b == nil || status != "current" || digest != b.digest {
			t.Errorf("bid row %s of org %d: status %s, digest %s", key, orgID, status, digest)
			continue
		}
		refs[key] = ref{what: fmt.Sprintf("bid of bidder org %d", orgID), envelope: b.envelope}
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	rows.Close()
	if nbids != bidders {
		t.Errorf("%d bid rows, want %d", nbids, bidders)
	}
	if tableExists(t, db, "bid_documents") {
		rows, err := db.Query(`SELECT blob_key FROM bid_documents`)
		if err != nil {
			t.Fatal(err)
		}
		for rows.Next() {
			var key string
			if err := rows.Scan(&key); err != nil {
				t.Fatal(err)
			}
			refs[key] = ref{what: "tender document"}
		}
		rows.Close()
	}
	files := dataFiles(t, dataDir)
	matched := map[string]string{} // file → key
	for key, r := range refs {
		var hits []string
		for f := range files {
			if f == key || strings.HasSuffix(f, "/"+key) {
				hits = append(hits, f)
			}
		}
		if len(hits) != 1 {
			t.Errorf("%s %q is stored in %d files %v, want 1", r.what, key, len(hits), hits)
			continue
		}
		matched[hits[0]] = key
		if r.envelope != nil {
			got, err := os.ReadFile(filepath.Join(dataDir, filepath.FromSlash(hits[0])))
			if err != nil || !bytes.Equal(got, r.envelope) {
				t.Errorf("%s: %s holds %d bytes that are not the envelope (%d bytes): %v", r.what, hits[0], len(got), len(r.envelope), err)
			}
		}
	}
	var orphans []string
	var orphanBytes int64
	for f, n := range files {
		if _, ok := matched[f]; !ok {
			_, seenAtKill := afterKill[f]
			orphans = append(orphans, fmt.Sprintf("%s (%d bytes, present right after the kill: %v)", f, n, seenAtKill))
			orphanBytes += n
		}
	}
	sort.Strings(orphans)
	cleaned := 0
	for f := range afterKill {
		if _, still := files[f]; !still {
			cleaned++
		}
	}
	t.Logf("data files: %d right after the kill, %d at the end (%d referenced); %d of those after the kill are gone",
		len(afterKill), len(files), len(matched), cleaned)
	if len(orphans) > 0 {
		t.Errorf("%d files (%d bytes) in the data directory are referenced by no bid or document:\n  %s",
			len(orphans), orphanBytes, strings.Join(orphans, "\n  "))
	}
	t.Logf("crash test done in %v", time.Since(started).Round(time.Millisecond))
}

// seal seals the bidder's envelope (plaintext 6 MiB + i × 100 KiB of
// random bytes), computes its digest and writes it to b.in.
func (b *crashBidder) seal(ctx context.Context, i int, projectID, sectionID int64, sealedAt time.Time) error {
	plain := make([]byte, 6<<20+i*100<<10)
	if _, err := rand.Read(plain); err != nil {
		return err
	}
	var env bytes.Buffer
	env.Grow(len(plain) + 1<<20)
	if _, err := notary.Seal(ctx, &env, bytes.NewReader(plain), notary.SealOptions{Signer: b.key, Recipients: []*notary.PublicKey{b.key.Public()},
		Meta: notary.Metadata{Project: strconv.FormatInt(projectID, 10), Section: strconv.FormatInt(sectionID, 10),
			Bidder: strconv.FormatInt(b.orgID, 10), SealedAt: sealedAt}}); err != nil {
		return fmt.Errorf("seal %d: %w", i, err)
	}
	b.envelope = env.Bytes()
	_, d, err := notary.VerifyEnvelope(ctx, bytes.NewReader(b.envelope), notary.Expect{Section: strconv.FormatInt(sectionID, 10)})
	if err != nil {
		return fmt.Errorf("verify envelope %d: %w", i, err)
	}
	b.digest = d.String()
	return os.WriteFile(b.in, b.envelope, 0o600)
}

// uploadIDOf reads the upload id that bid submit keeps in its state file.
func uploadIDOf(t *testing.T, b *crashBidder) string {
	t.Helper()
	raw, err := os.ReadFile(b.state)
	if err != nil {
		t.Fatalf("no upload state: %v", err)
	}
	var st uploadState
	if err := json.Unmarshal(raw, &st); err != nil || st.UploadID == "" {
		t.Fatalf("upload state %s: %v", raw, err)
	}
	return st.UploadID
}

// crashUSCC returns a valid USCC distinct for each i.
func crashUSCC(t *testing.T, i int) string {
	t.Helper()
	for _, c := range "0123456789ABCDEFGHJKLMNPQRTUWXY" {
		body := fmt.Sprintf("91350100000001%02d%c", i, c)
		for _, check := range "0123456789ABCDEFGHJKLNPQRTUWXY" {
			if accounts.ValidUSCC(body+string(check)) == nil {
				return body + string(check)
			}
		}
	}
	t.Fatalf("no valid USCC for bidder %d", i)
	return ""
}

// waitQuiet polls the data files until they have not changed for 300 ms,
// at most max; it reports whether they did and how many files are new or
// of another size than in since.
func waitQuiet(t *testing.T, dir string, since map[string]int64, max time.Duration) (bool, int) {
	t.Helper()
	changed := func(now map[string]int64) int {
		n := 0
		for f, size := range now {
			if old, ok := since[f]; !ok || old != size {
				n++
			}
		}
		return n
	}
	last, stable := dataFiles(t, dir), time.Now()
	for deadline := time.Now().Add(max); time.Now().Before(deadline); {
		time.Sleep(50 * time.Millisecond) // polling another process's files
		now := dataFiles(t, dir)
		if !maps.Equal(now, last) {
			last, stable = now, time.Now()
			continue
		}
		if time.Since(stable) >= 300*time.Millisecond {
			return true, changed(now)
		}
	}
	return false, changed(last)
}

// seedCrashAccounts creates, on the server's data directory while no server
// runs, the first administrator and for each bidder an organisation, an
// SM2 key (registered later through the API), a user and a bearer token.
func seedCrashAccounts(t *testing.T, dataDir, adminName, pw string, bs []*crashBidder) {
	t.Helper()
	ctx := context.Background()
	e := &env{getenv: func(string) string { return "" }, out: io.Discard, errOut: io.Discard}
	cfg, _, err := config.Load(e.getenv, map[string]string{"data": dataDir})
	if err != nil {
		t.Fatal(err)
	}
	a, err := e.openApp(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer a.close()
	if _, err := a.db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	fields, err := notary.NewFieldCipher(a.fieldKey)
	if err != nil {
		t.Fatal(err)
	}
	opts := accounts.DefaultOptions()
	opts.Argon2 = accounts.Argon2Params{Memory: 8 * 1024, Iterations: 1, Parallelism: 1}
	acc := accounts.New(a.db, a.events, a.clock, fields, opts)
	setup, err := acc.CreateSetupToken(ctx, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := acc.CompleteSetup(ctx, setup, adminName, "管理员", pw); err != nil {
		t.Fatal(err)
	}
	admin, err := acc.Login(ctx, accounts.LoginRequest{Username: adminName, Password: pw, Kind: accounts.KindBearer})
	if err != nil {
		t.Fatal(err)
	}
	for i, b := range bs {
		if b.key, err = notary.GenerateKey(); err != nil {
			t.Fatal(err)
		}
		uscc := crashUSCC(t, i)
		o, err := acc.CreateOrg(ctx, admin.Principal, accounts.NewOrg{Kind: accounts.OrgBidder, Name: "投标单位 " + uscc, USCC: uscc, Region: "350100"})
		if err != nil {
			t.Fatal(err)
		}
		b.orgID = o.ID
		user := fmt.Sprintf("crash-bidder-%02d", i)
		if _, err := acc.CreateUser(ctx, admin.Principal, accounts.NewUser{Username: user, DisplayName: "投标人" + strconv.Itoa(i),
			Password: pw, OrgID: o.ID, Roles: []accounts.Role{accounts.RoleBidder}}); err != nil {
			t.Fatal(err)
		}
		login, err := acc.Login(ctx, accounts.LoginRequest{Username: user, Password: pw, Kind: accounts.KindBearer})
		if err != nil {
			t.Fatal(err)
		}
		b.token = login.Token
	}
	if err := acc.Logout(ctx, admin.Token); err != nil {
		t.Fatal(err)
	}
}
