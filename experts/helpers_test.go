package experts

import (
	"bytes"
	"context"
	"testing"
	"time"

	"github.com/tenderhall/tenderhall/accounts"
	"github.com/tenderhall/tenderhall/bidding"
	"github.com/tenderhall/tenderhall/eventlog"
	"github.com/tenderhall/tenderhall/internal/clock"
	"github.com/tenderhall/tenderhall/internal/dbtest"
	"github.com/tenderhall/tenderhall/notary"
	"github.com/tenderhall/tenderhall/storage"
	"github.com/tenderhall/tenderhall/storage/storagetest"
)

// fixture is an expert service over a fresh database with a project whose
// section has been opened with bids from two bidder organisations.
type fixture struct {
	svc                     *Service
	db                      *storage.DB
	clock                   *clock.Fake
	key                     *notary.PrivateKey
	admin, agent, other     accounts.Principal
	supervisor, supervisor2 accounts.Principal
	bidder                  accounts.Principal
	section, project        int64
	tenderer, agency, dept  int64
	bidderOrgs              [2]int64
	bidderUSCC              [2]string
	tendererUSCC, deptUSCC  string
}

func forEachBackend(t *testing.T, fn func(t *testing.T, f *fixture)) {
	for _, b := range dbtest.Backends() {
		t.Run(string(b), func(t *testing.T) { fn(t, newFixture(t, b)) })
	}
}

func newFixture(t testing.TB, b dbtest.Backend) *fixture {
	t.Helper()
	ctx := context.Background()
	db := storagetest.Open(t, b)
	now := time.Date(2026, 11, 23, 1, 0, 0, 0, time.UTC)
	clk := clock.NewFake(now)
	events := eventlog.New(db, clk)
	key, err := notary.GenerateKey()
	if err != nil {
		t.Fatal(err)
	}
	fields, _ := notary.NewFieldCipher(bytes.Repeat([]byte{3}, notary.FieldKeySize))
	bid := bidding.New(db, events, clk, nil, nil)
	f := &fixture{svc: New(db, events, events.Tree(key), clk, fields, []byte("pepper"), bid), db: db, clock: clk, key: key}
	orgs := []struct {
		id         *int64
		kind, uscc string
	}{
		{&f.tenderer, "tenderer", completeUSCC("91350100T00000001")},
		{&f.agency, "agency", completeUSCC("91350100A00000001")},
		{&f.bidderOrgs[0], "bidder", completeUSCC("91350100B00000001")},
		{&f.bidderOrgs[1], "bidder", completeUSCC("91350100B00000002")},
		{&f.dept, "department", completeUSCC("11350100D00000001")},
		{new(int64), "agency", completeUSCC("91350100A00000002")},
	}
	for i, o := range orgs {
		*o.id = int64(i + 1)
		exec(t, db, "INSERT INTO organizations (id, kind, name, uscc, region, created_at, updated_at) VALUES (?, ?, ?, ?, '350100', ?, ?)",
			i+1, o.kind, "单位"+o.kind, o.uscc, now, now)
	}
	f.tendererUSCC, f.bidderUSCC, f.deptUSCC = orgs[0].uscc, [2]string{orgs[2].uscc, orgs[3].uscc}, orgs[4].uscc
	f.admin = accounts.Principal{UserID: 1, Roles: []accounts.Role{accounts.RoleAdmin}}
	f.agent = accounts.Principal{UserID: 10, OrgID: f.agency, OrgKind: accounts.OrgAgency, Roles: []accounts.Role{accounts.RoleAgent}}
	f.other = accounts.Principal{UserID: 11, OrgID: 6, OrgKind: accounts.OrgAgency, Roles: []accounts.Role{accounts.RoleAgent}}
	f.supervisor = accounts.Principal{UserID: 20, OrgID: f.dept, Roles: []accounts.Role{accounts.RoleSupervisor}}
	f.supervisor2 = accounts.Principal{UserID: 21, OrgID: f.dept, Roles: []accounts.Role{accounts.RoleSupervisor}}
	f.bidder = accounts.Principal{UserID: 30, OrgID: f.bidderOrgs[0], OrgKind: accounts.OrgBidder, Roles: []accounts.Role{accounts.RoleBidder}}
	p, err := bid.CreateProject(ctx, f.agent, bidding.NewProject{Name: "职业技术学院实训楼", TendererOrgID: f.tenderer})
	if err != nil {
		t.Fatal(err)
	}
	sec, err := bid.CreateSection(ctx, f.agent, p.ID, bidding.NewSection{Code: "A040303", Name: "施工", Kind: bidding.Engineering,
		BudgetFen: 5_000_000_00, Rulebook: bidding.RulebookEngineering})
	if err != nil {
		t.Fatal(err)
	}
	f.project, f.section = p.ID, sec.ID
	for i, org := range f.bidderOrgs {
		exec(t, db, "INSERT INTO bids (section_id, bidder_org_id, user_id, upload_id, blob_key, digest, size, status, received_at, log_index, receipt) VALUES (?, ?, 30, ?, 'k', ?, 1, 'current', ?, 1, '{}')",
			sec.ID, org, "u"+string(rune('a'+i)), "00", now)
	}
	return f
}

func exec(t testing.TB, db *storage.DB, q string, args ...any) {
	t.Helper()
	if err := db.Conn(context.Background()).Exec(q, args...).Error; err != nil {
		t.Fatalf("%s: %v", q, err)
	}
}

// setState moves the section straight to state through the database: the
// opening and award flows that lead there belong to bidding's own tests
// (and the award to a later issue).
func (f *fixture) setState(t testing.TB, state bidding.State) {
	exec(t, f.db, "UPDATE bid_sections SET state = ? WHERE id = ?", state, f.section)
}

// pool imports n demo experts of the given specialty (all technical, one
// per employer) plus the extra ones, and returns the imported experts' IDs
// by ID number.
func (f *fixture) pool(t testing.TB, n int, specialty string, extra ...NewExpert) map[string]int64 {
	t.Helper()
	ctx := context.Background()
	experts := DemoPool(n, n)
	for i := range experts {
		experts[i].Specialties, experts[i].Category = []string{specialty}, Technical
		_, experts[i].EmployerUSCC = DemoEmployer(i)
	}
	experts = append(experts, extra...)
	rows := make([]ImportRow, len(experts))
	for i, e := range experts {
		rows[i] = ImportRow{Line: i + 2, Expert: e}
	}
	rep, err := f.svc.Import(ctx, f.admin, rows)
	if err != nil || rep.Invalid+rep.Duplicates != 0 {
		t.Fatalf("import: %v %+v", err, rep.Rows)
	}
	ids := map[string]int64{}
	page, err := f.svc.st.experts(ctx, 0, 1<<20, "")
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range page {
		for _, x := range experts {
			if f.svc.keyed("id", x.IDNumber) == e.IDHash {
				ids[x.IDNumber] = e.ID
			}
		}
	}
	return ids
}

// request is a valid request for one group of five technical experts.
func (f *fixture) request(specialty string, count, reserve int) Request {
	return Request{EvaluationAt: f.clock.Now().Add(48 * time.Hour), Place: "福州市公共资源交易中心评标室 3",
		Groups: []Group{{Specialty: specialty, Category: Technical, Count: count, Reserve: reserve}}, SupervisingOrgIDs: []int64{f.dept}}
}

// employee returns a valid expert employed by uscc (now, or until `until`).
func employee(i int, uscc string, until *time.Time, specialty string) NewExpert {
	e := DemoPool(1, 1)[0]
	e.IDNumber = completeID("3501021980010" + string(rune('1'+i%9)) + "99" + string(rune('0'+i%10)))
	e.Name = "回避专家" + string(rune('甲'+i))
	e.Specialties, e.Category = []string{specialty}, Technical
	if until == nil {
		e.EmployerUSCC, e.EmployerName = uscc, "投标单位"
		return e
	}
	_, e.EmployerUSCC = DemoEmployer(900 + i)
	e.PastEmployers = []PastJob{{EmployerUSCC: uscc, EmployerName: "原单位", From: until.AddDate(-5, 0, 0), Until: *until}}
	return e
}

// principalOf turns a fixture principal (or nil: the public) into a value.
func principalOf(v any) accounts.Principal {
	if p, ok := v.(accounts.Principal); ok {
		return p
	}
	return accounts.Principal{}
}
