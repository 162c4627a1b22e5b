package main

import (
	"context"
	"crypto/rand"
	"fmt"
	"io"
	"net/http"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/tenderhall/tenderhall/accounts"
	"github.com/tenderhall/tenderhall/api"
	"github.com/tenderhall/tenderhall/approval"
	"github.com/tenderhall/tenderhall/notary"
)

// approvalCrash is what the approval crash test seeds in-process before
// the server first starts: a department with its officer, an applicant,
// submitted cases and one draft case for the cut upload.
type approvalCrash struct {
	admin, officer, applicant string // bearer tokens
	submitted                 []int64
	draft                     int64
}

// TestCrashKillDuringApprovalSteps: SIGKILL while the officer accepts 30
// cases four at a time and a material upload is half-way in. After the
// restart every acceptance answered 200 is there, each accepted case has
// exactly one acceptance event and every other case none, the half upload
// left no material, and redoing the steps completes them without doubling.
func TestCrashKillDuringApprovalSteps(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("starts and kills a server process; not in -short")
	}
	crashApprovalSteps(t, nil)
}

// TestCrashKillDuringApprovalStepsOnRealServers is the same on MariaDB and
// MinIO: a fresh database and a fresh bucket.
func TestCrashKillDuringApprovalStepsOnRealServers(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("starts and kills a server process; not in -short")
	}
	crashApprovalSteps(t, realServerConf(t, "th-crash-"))
}

func crashApprovalSteps(t *testing.T, conf map[string]string) {
	const cases, killAfter = 30, 10
	dataDir, work := t.TempDir(), t.TempDir()
	addr, logs := freeLoopbackAddr(t), filepath.Join(work, "server.log")
	base := "http://" + addr
	s := seedApprovalCrash(t, dataDir, cases, conf)
	child := startCrashChildWith(t, dataDir, addr, logs, conf)

	// The upload: a chunked body of which 256 KiB is sent, the rest never.
	pr, pw := io.Pipe()
	uploadDone := make(chan error, 1)
	go func() {
		req, _ := http.NewRequest("PUT", fmt.Sprintf("%s/api/v1/approval/cases/%d/materials/application?name=big.pdf", base, s.draft), pr)
		req.Header.Set("Authorization", "Bearer "+s.applicant)
		resp, err := crashHTTP.Do(req)
		if err == nil {
			resp.Body.Close()
			err = fmt.Errorf("the half upload was answered %d", resp.StatusCode)
		}
		uploadDone <- err
	}()
	chunk := make([]byte, 256<<10)
	rand.Read(chunk)
	if _, err := pw.Write(chunk); err != nil { // returns once the client has taken it
		t.Fatal(err)
	}

	var answered sync.Map // case id → status
	var oks atomic.Int32
	killNow := make(chan struct{})
	var once sync.Once
	var wg sync.WaitGroup
	sem := make(chan struct{}, 4)
	for _, id := range s.submitted {
		wg.Add(1)
		go func() {
			defer wg.Done()
			sem <- struct{}{}
			defer func() { <-sem }()
			status, err := approvalPost(base, fmt.Sprintf("/api/v1/approval/cases/%d/accept", id), s.officer)
			if err != nil {
				return // cut by the kill, or refused after it
			}
			answered.Store(id, status)
			if status == http.StatusOK && oks.Add(1) == killAfter {
				once.Do(func() { close(killNow) })
			}
		}()
	}
	<-killNow
	child.kill(t)
	wg.Wait()
	pw.CloseWithError(io.ErrUnexpectedEOF)
	if err := <-uploadDone; err == nil || strings.Contains(err.Error(), "answered") {
		t.Fatalf("the half upload: %v", err)
	}
	crashHTTP.CloseIdleConnections()

	startCrashChildWith(t, dataDir, addr, logs, conf)
	accepted := approvalAcceptEvents(t, base, s.admin)
	unanswered := 0
	for _, id := range s.submitted {
		var c approval.Case
		apiCall(t, base, "GET", fmt.Sprintf("/api/v1/approval/cases/%d", id), s.officer, nil, 200, &c)
		st, ok := answered.Load(id)
		switch {
		case ok && st != http.StatusOK:
			t.Errorf("case %d: accept answered %d before the kill", id, st)
		case ok && c.State != approval.CaseAccepted:
			t.Errorf("case %d: accepted (200) before the kill but %s after the restart", id, c.State)
		case !ok:
			unanswered++
		}
		want := map[approval.CaseState]int{approval.CaseAccepted: 1, approval.CaseSubmitted: 0}
		if n, known := want[c.State]; !known || accepted[id] != n {
			t.Errorf("case %d: state %s with %d acceptance events", id, c.State, accepted[id])
		}
		// Redo: a lost acceptance completes; a kept one is refused, not doubled.
		status := map[approval.CaseState]int{approval.CaseAccepted: 409, approval.CaseSubmitted: 200}[c.State]
		apiCall(t, base, "POST", fmt.Sprintf("/api/v1/approval/cases/%d/accept", id), s.officer, nil, status, nil)
	}
	t.Logf("%d acceptances answered before the kill, %d not", cases-unanswered, unanswered)
	for id, n := range approvalAcceptEvents(t, base, s.admin) {
		if n != 1 {
			t.Errorf("case %d: %d acceptance events after the redo", id, n)
		}
	}

	var ms []approval.CaseMaterial
	apiCall(t, base, "GET", fmt.Sprintf("/api/v1/approval/cases/%d/materials", s.draft), s.applicant, nil, 200, &ms)
	if len(ms) != 0 {
		t.Fatalf("the cut upload left materials: %+v", ms)
	}
	var m approval.CaseMaterial
	body := strings.Repeat("申请书", 1000)
	apiCall(t, base, "PUT", fmt.Sprintf("/api/v1/approval/cases/%d/materials/application?name=a.pdf", s.draft), s.applicant, body, 201, &m)
	if m.SM3 != notary.SM3Hex([]byte(`"`+body+`"`)) {
		t.Fatalf("re-upload digest %s", m.SM3)
	}
}

func approvalPost(base, path, token string) (int, error) {
	req, _ := http.NewRequest("POST", base+path, nil)
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := crashHTTP.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	_, err = io.Copy(io.Discard, resp.Body)
	return resp.StatusCode, err
}

// approvalAcceptEvents counts the logged acceptance events per case, and
// checks the log has no gap.
func approvalAcceptEvents(t *testing.T, base, admin string) map[int64]int {
	t.Helper()
	out := map[int64]int{}
	var seq int64
	for from := uint64(1); ; {
		var page api.LogEventPage
		apiCall(t, base, "GET", fmt.Sprintf("/api/v1/log/events?from=%d&limit=1000", from), admin, nil, 200, &page)
		for _, ev := range page.Events {
			if seq++; ev.Seq != seq {
				t.Fatalf("the log jumps from %d to %d", seq-1, ev.Seq)
			}
			var id int64
			if ev.Type == approval.EventCaseAccepted {
				fmt.Sscanf(ev.Subject, "case:%d", &id)
				out[id]++
			}
		}
		if len(page.Events) == 0 {
			return out
		}
		from = page.Next
	}
}

// seedApprovalCrash makes, on dataDir with the server's own wiring, the
// accounts (cheap password hashes), an item, submitted cases and a draft.
func seedApprovalCrash(t *testing.T, dataDir string, n int, conf map[string]string) approvalCrash {
	t.Helper()
	ctx := context.Background()
	seed := openCrashSeed(t, dataDir, conf)
	a, acc, admin := seed.app, seed.acc, seed.admin
	defer a.close()
	login := func(user string) accounts.LoginResult {
		s, err := acc.Login(ctx, accounts.LoginRequest{Username: user, Password: crashSeedPassword, Kind: accounts.KindBearer})
		must(t, err)
		return s
	}
	dept, err := acc.CreateOrg(ctx, admin.Principal, accounts.NewOrg{Kind: accounts.OrgDepartment, Name: "福州市卫生健康委员会", Region: "350100"})
	must(t, err)
	for _, u := range []accounts.NewUser{
		{Username: "crash-officer", DisplayName: "窗口", Password: crashSeedPassword, OrgID: dept.ID, Roles: []accounts.Role{accounts.RoleOfficer}},
		{Username: "crash-applicant", DisplayName: "申请人", Password: crashSeedPassword, Roles: []accounts.Role{accounts.RoleApplicant}},
	} {
		_, err := acc.CreateUser(ctx, admin.Principal, u)
		must(t, err)
	}
	officer, applicant := login("crash-officer"), login("crash-applicant")
	_, err = a.approval.SaveItem(ctx, admin.Principal, approval.Item{Code: "350100-WS-001", Name: "公共场所卫生许可", DepartmentOrgID: dept.ID,
		LegalBasis: "《公共场所卫生管理条例》第八条", Conditions: "符合卫生标准", LegalDays: 20, PromisedDays: 5, Online: true,
		Steps:      []approval.Step{{Name: "受理", Days: 1}, {Name: "决定", Days: 4}},
		Materials:  []approval.Material{{Key: "application", Name: "申请书", Form: "electronic", Required: true}},
		WindowName: "卫健窗口", WindowLocation: "二楼 C03", ComplaintPhone: "12345"})
	must(t, err)
	out := approvalCrash{admin: admin.Token, officer: officer.Token, applicant: applicant.Token}
	for i := 0; i <= n; i++ {
		c, err := a.approval.Apply(ctx, applicant.Principal, approval.Application{ItemCode: "350100-WS-001",
			ApplicantKind: approval.ApplicantPerson, ApplicantName: fmt.Sprintf("申请人%02d", i), ApplicantID: "11010519491231002X"})
		must(t, err)
		if i == n {
			out.draft = c.ID
			break
		}
		_, err = a.approval.PutMaterial(ctx, applicant.Principal, c.ID, approval.MaterialUpload{Material: "application",
			FileName: "a.pdf", Size: 6, Body: strings.NewReader("申请")})
		must(t, err)
		_, err = a.approval.Submit(ctx, applicant.Principal, c.ID)
		must(t, err)
		out.submitted = append(out.submitted, c.ID)
	}
	return out
}
