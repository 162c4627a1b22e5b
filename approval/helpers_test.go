package approval

import (
	"bytes"
	"context"
	"testing"
	"time"

	"github.com/tenderhall/tenderhall/accounts"
	"github.com/tenderhall/tenderhall/calendar"
	"github.com/tenderhall/tenderhall/eventlog"
	"github.com/tenderhall/tenderhall/internal/apperr"
	"github.com/tenderhall/tenderhall/internal/clock"
	"github.com/tenderhall/tenderhall/internal/dbtest"
	"github.com/tenderhall/tenderhall/notary"
	"github.com/tenderhall/tenderhall/storage"
	"github.com/tenderhall/tenderhall/storage/storagetest"
)

type env struct {
	db     *storage.DB
	events *eventlog.Service
	clock  *clock.Fake
	svc    *Service
	blobs  storage.Blobs
	dept   int64 // 福州市住房和城乡建设局
	other  int64 // another department
}

func newEnv(t testing.TB, b dbtest.Backend) *env {
	t.Helper()
	db := storagetest.Open(t, b)
	clk := clock.NewFake(beijing("2026-09-22 09:00"))
	events := eventlog.New(db, clk)
	fields, err := notary.NewFieldCipher(bytes.Repeat([]byte{9}, notary.FieldKeySize))
	if err != nil {
		t.Fatal(err)
	}
	blobs := storagetest.Blobs(t, b) // the filesystem beside SQLite, MinIO beside MySQL
	cal, err := clock.NewCalendar(calendar.Builtin2026())
	if err != nil {
		t.Fatal(err)
	}
	e := &env{db: db, events: events, clock: clk, blobs: blobs,
		svc: New(db, events, clk, func(context.Context) (*clock.Calendar, error) { return cal, nil }, fields, blobs)}
	e.dept = e.org(t, "department", "福州市住房和城乡建设局")
	e.other = e.org(t, "department", "福州市市场监督管理局")
	return e
}

func (e *env) org(t testing.TB, kind, name string) int64 {
	t.Helper()
	now := time.Now().UTC()
	if err := e.db.Conn(context.Background()).Exec(
		"INSERT INTO organizations (kind, name, region, created_at, updated_at) VALUES (?, ?, '', ?, ?)", kind, name, now, now).Error; err != nil {
		t.Fatal(err)
	}
	var id int64
	if err := e.db.Conn(context.Background()).Raw("SELECT MAX(id) FROM organizations").Scan(&id).Error; err != nil {
		t.Fatal(err)
	}
	return id
}

func forEachBackend(t *testing.T, fn func(t *testing.T, e *env)) {
	for _, b := range dbtest.Backends() {
		t.Run(string(b), func(t *testing.T) { fn(t, newEnv(t, b)) })
	}
}

var (
	admin      = accounts.Principal{UserID: 1, Roles: []accounts.Role{accounts.RoleAdmin}}
	applicant  = accounts.Principal{UserID: 20, Roles: []accounts.Role{accounts.RoleApplicant}}
	applicant2 = accounts.Principal{UserID: 21, Roles: []accounts.Role{accounts.RoleApplicant}}
	supervisor = accounts.Principal{UserID: 30, Roles: []accounts.Role{accounts.RoleSupervisor}}
)

func (e *env) officer() accounts.Principal {
	return accounts.Principal{UserID: 10, OrgID: e.dept, Roles: []accounts.Role{accounts.RoleOfficer}}
}

func (e *env) otherOfficer() accounts.Principal {
	return accounts.Principal{UserID: 11, OrgID: e.other, Roles: []accounts.Role{accounts.RoleOfficer}}
}

// permitItem is 建设工程施工许可证核发 as the halls publish it.
func (e *env) permitItem() Item {
	return Item{Code: "350100-JS-001", Name: "建设工程施工许可证核发", DepartmentOrgID: e.dept,
		LegalBasis: "《中华人民共和国建筑法》第七条", Conditions: "已办理用地批准手续；已取得建设工程规划许可证",
		LegalDays: 15, PromisedDays: 10, Visits: 0, Online: true, FastLane: true,
		Steps: []Step{{"受理", 1}, {"审查", 6}, {"决定", 2}, {"办结", 1}},
		Materials: []Material{
			{Key: "application", Name: "建筑工程施工许可证申请表", Form: "electronic", Original: true, Required: true},
			{Key: "planning", Name: "建设工程规划许可证", Form: "electronic", Required: true, FromLibrary: true},
			{Key: "funds", Name: "建设资金落实证明", Form: "electronic", Required: false},
		},
		FAQs:       []FAQ{{"施工许可多久能办好？", "承诺10个工作日内办结。"}},
		WindowName: "住建局综合窗口", WindowLocation: "市行政服务中心二楼 B12", ComplaintPhone: "0591-12345"}
}

func (e *env) saveItem(t testing.TB, it Item) Item {
	t.Helper()
	out, err := e.svc.SaveItem(context.Background(), admin, it)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// A valid USCC (its check character computed) and the standard's sample ID number.
var (
	orgUSCC  = accounts.CompleteUSCC("91350100MA2XN0EE2")
	personID = "11010519491231002X"
)

func (e *env) apply(t testing.TB, who accounts.Principal, code string) Case {
	t.Helper()
	c, err := e.svc.Apply(context.Background(), who, Application{ItemCode: code, ApplicantKind: ApplicantOrg,
		ApplicantName: "福建榕城建设工程有限公司", ApplicantID: orgUSCC, InvestmentFen: 12_000_000 * 100})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func (e *env) put(t *testing.T, who accounts.Principal, caseID int64, material string, body []byte) CaseMaterial {
	t.Helper()
	m, err := e.svc.PutMaterial(context.Background(), who, caseID, MaterialUpload{Material: material,
		FileName: material + ".pdf", Size: int64(len(body)), Body: bytes.NewReader(body)})
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// wantErr fails unless err has kind and, when code is set, that code.
func wantErr(t *testing.T, err error, kind apperr.Kind, code string) {
	t.Helper()
	ae, ok := apperr.As(err)
	if !ok || ae.Kind != kind || (code != "" && ae.MachineCode() != code) {
		t.Fatalf("got %v, want %s %s", err, kind, code)
	}
	if ae.Zh == "" || ae.Error() == "" {
		t.Fatalf("error without a Chinese and an English message: %#v", ae)
	}
}

func (e *env) eventTypes(t *testing.T, subject string) []string {
	t.Helper()
	evs, err := e.events.BySubject(context.Background(), subject, 1000)
	if err != nil {
		t.Fatal(err)
	}
	out := make([]string, len(evs))
	for i, ev := range evs {
		out[i] = ev.Type
	}
	return out
}
