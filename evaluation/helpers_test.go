package evaluation

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"strconv"
	"testing"
	"time"

	"github.com/tenderhall/tenderhall/accounts"
	"github.com/tenderhall/tenderhall/bidding"
	"github.com/tenderhall/tenderhall/eventlog"
	"github.com/tenderhall/tenderhall/experts"
	"github.com/tenderhall/tenderhall/internal/clock"
	"github.com/tenderhall/tenderhall/internal/dbtest"
	"github.com/tenderhall/tenderhall/notary"
	"github.com/tenderhall/tenderhall/storage"
	"github.com/tenderhall/tenderhall/storage/storagetest"
)

// roomIP is on the test room's network; outsideIP is not.
const (
	roomIP    = "10.20.30.41"
	outsideIP = "192.0.2.7"
)

// judge is a pool expert with a platform account and an SM2 key.
type judge struct {
	expertID int64
	who      accounts.Principal
	key      *notary.PrivateKey
}

// fixture is the evaluation service over a fresh database, with a section
// opened with five decrypted bids and a drawn committee of five members and
// two reserves who accepted their calls. The opening and the call campaign
// belong to other packages' tests; their outcome is written directly.
type fixture struct {
	svc        *Service
	db         *storage.DB
	clock      *clock.Fake
	events     *eventlog.Service
	key        *notary.PrivateKey
	exp        *experts.Service
	bid        *bidding.Service
	admin      accounts.Principal
	agent      accounts.Principal
	supervisor accounts.Principal
	bidders    []accounts.Principal
	bidIDs     []int64
	section    int64
	draw       int64
	room       Room
	judges     []judge // in draw order: five members, then two reserves
}

func forEachBackend(t *testing.T, fn func(t *testing.T, f *fixture)) {
	for _, b := range dbtest.Backends() {
		t.Run(string(b), func(t *testing.T) { fn(t, newFixture(t, b)) })
	}
}

func exec(t testing.TB, db *storage.DB, q string, args ...any) {
	t.Helper()
	if err := db.Conn(context.Background()).Exec(q, args...).Error; err != nil {
		t.Fatalf("%s: %v", q, err)
	}
}

// prices of the five bids, in yuan.
var prices = []int64{1000000, 980000, 1020000, 950000, 1200000}

func newFixture(t testing.TB, b dbtest.Backend) *fixture {
	t.Helper()
	ctx := context.Background()
	db := storagetest.Open(t, b)
	now := time.Date(2026, 12, 1, 1, 0, 0, 0, time.UTC)
	clk := clock.NewFake(now)
	events := eventlog.New(db, clk)
	key, _ := notary.GenerateKey()
	fields, _ := notary.NewFieldCipher(bytes.Repeat([]byte{7}, notary.FieldKeySize))
	bid := bidding.New(db, events, clk, nil, nil)
	bid.SetFieldCipher(fields)
	exp := experts.New(db, events, events.Tree(key), clk, fields, []byte("pepper"), bid)
	opts := accounts.DefaultOptions()
	opts.Argon2 = accounts.Argon2Params{Memory: 8 * 1024, Iterations: 1, Parallelism: 1}
	acc := accounts.New(db, events, clk, fields, opts)
	blobs, err := storage.NewFS(t.TempDir(), storage.PresignConfig{BaseURL: "http://x", Secret: bytes.Repeat([]byte("s"), 32)})
	if err != nil {
		t.Fatal(err)
	}
	f := &fixture{svc: New(db, events, clk, bid, exp, acc, nil), db: db, clock: clk, events: events, key: key, exp: exp, bid: bid}
	f.svc.SetBlobs(blobs)
	f.svc.SetPlatformKey(key)
	f.orgsAndUsers(t, now)
	p, err := bid.CreateProject(ctx, f.agent, bidding.NewProject{Name: "职业技术学院实训楼", TendererOrgID: 1})
	if err != nil {
		t.Fatal(err)
	}
	sec, err := bid.CreateSection(ctx, f.agent, p.ID, bidding.NewSection{Code: "A040303", Name: "施工", Kind: bidding.Engineering,
		BudgetFen: 50_000_000_00, Rulebook: bidding.RulebookEngineering})
	if err != nil {
		t.Fatal(err)
	}
	f.section = sec.ID
	f.opened(t, fields, now)
	f.committee(t, now)
	if f.room, err = f.svc.CreateRoom(ctx, f.admin, NewRoom{Name: "评标室 3", Location: "交易中心 5 楼", Networks: []string{"10.20.30.0/24"}}); err != nil {
		t.Fatal(err)
	}
	return f
}

// orgsAndUsers creates: 1 tenderer, 2 agency, 3 department, 4–8 bidders.
func (f *fixture) orgsAndUsers(t testing.TB, now time.Time) {
	kinds := []string{"tenderer", "agency", "department", "bidder", "bidder", "bidder", "bidder", "bidder"}
	for i, k := range kinds {
		exec(t, f.db, "INSERT INTO organizations (id, kind, name, uscc, region, created_at, updated_at) VALUES (?, ?, ?, ?, '350100', ?, ?)",
			i+1, k, fmt.Sprintf("%s单位%d", k, i+1), fmt.Sprintf("9135010000000%04dX", i+1), now, now)
	}
	f.admin = accounts.Principal{UserID: 1, Roles: []accounts.Role{accounts.RoleAdmin}}
	f.agent = accounts.Principal{UserID: 2, OrgID: 2, OrgKind: accounts.OrgAgency, Roles: []accounts.Role{accounts.RoleAgent}}
	f.supervisor = accounts.Principal{UserID: 3, OrgID: 3, Roles: []accounts.Role{accounts.RoleSupervisor}}
	for i := 0; i < 5; i++ {
		f.bidders = append(f.bidders, accounts.Principal{UserID: int64(10 + i), OrgID: int64(4 + i), OrgKind: accounts.OrgBidder, Roles: []accounts.Role{accounts.RoleBidder}})
	}
}

// opened writes the opening's outcome: five bids decrypted, results
// published, the room closed with its record, the section opened.
func (f *fixture) opened(t testing.TB, fields *notary.FieldCipher, now time.Time) {
	for i, b := range f.bidders {
		exec(t, f.db, "INSERT INTO bids (section_id, bidder_org_id, user_id, upload_id, blob_key, digest, size, status, received_at, log_index, receipt) VALUES (?, ?, ?, ?, 'k', ?, 1, 'current', ?, 1, '{}')",
			f.section, b.OrgID, b.UserID, "u"+strconv.Itoa(i), fmt.Sprintf("%064d", i), now)
		var id int64
		f.db.Conn(context.Background()).Raw("SELECT id FROM bids WHERE upload_id = ?", "u"+strconv.Itoa(i)).Scan(&id)
		f.bidIDs = append(f.bidIDs, id)
		form, _ := json.Marshal(bidding.BidForm{PriceFen: prices[i] * 100, DurationDays: 300 + i*10, Quality: "合格"})
		// The label is bidding's: "bidform:" and the bid ID.
		sealed := fields.Seal(form, "bidform:"+strconv.FormatInt(id, 10))
		exec(t, f.db, "INSERT INTO opening_bids (bid_id, section_id, bidder_org_id, status, digest, decrypted_at, plain_size, form, price_fen, duration_days) VALUES (?, ?, ?, 'decrypted', ?, ?, 1, ?, ?, ?)",
			id, f.section, b.OrgID, fmt.Sprintf("%064d", i), now, []byte(sealed), prices[i]*100, 300+i*10)
	}
	exec(t, f.db, "INSERT INTO opening_rooms (section_id, phase, bid_count, opened_at, window_ends_at, results_at, closed_at, record_key) VALUES (?, 'closed', 5, ?, ?, ?, ?, 'records/opening-record.json')",
		f.section, now, now, now, now)
	exec(t, f.db, "UPDATE bid_sections SET state = 'opened' WHERE id = ?", f.section)
}

// committee imports seven experts with accounts and keys, draws five
// members and two reserves, and records that all seven accepted.
func (f *fixture) committee(t testing.TB, now time.Time) {
	ctx := context.Background()
	pool := experts.DemoPool(7, 7)
	rows := make([]experts.ImportRow, len(pool))
	for i := range pool {
		pool[i].Specialties, pool[i].Category = []string{"A040303"}, experts.Technical
		_, pool[i].EmployerUSCC = experts.DemoEmployer(i)
		rows[i] = experts.ImportRow{Line: i + 2, Expert: pool[i]}
	}
	if rep, err := f.exp.Import(ctx, f.admin, rows); err != nil || rep.Created != 7 {
		t.Fatalf("import: %v %+v", err, rep)
	}
	d, err := f.exp.RequestDraw(ctx, f.agent, f.section, experts.Request{EvaluationAt: now.Add(30 * time.Minute), Place: "交易中心评标室 3",
		Groups: []experts.Group{{Specialty: "A04", Category: experts.Technical, Count: 5, Reserve: 2}}, SupervisingOrgIDs: []int64{3}})
	if err != nil {
		t.Fatal(err)
	}
	res, err := f.exp.EnterPublicValue(ctx, f.supervisor, d.ID, "20261201")
	if err != nil {
		t.Fatal(err)
	}
	f.draw = d.ID
	exec(t, f.db, "INSERT INTO expert_campaigns (draw_id, section_id, state, confirm_by, retries, retry_seconds, created_by, created_at) VALUES (?, ?, 'filled', ?, 2, 600, 2, ?)",
		d.ID, f.section, now.Add(20*time.Minute), now)
	drawn := append(append([]experts.Member(nil), res.Groups[0].Members...), res.Groups[0].Reserves...)
	for i, m := range drawn {
		k, _ := notary.GenerateKey()
		uid := int64(100 + i)
		exec(t, f.db, "INSERT INTO users (id, username, display_name, password_hash, sm2_public_key, created_at, updated_at) VALUES (?, ?, ?, 'x', ?, ?, ?)",
			uid, "expert"+strconv.Itoa(i), m.Name, k.Public().PEM, now, now)
		if _, err := f.exp.LinkAccount(ctx, f.admin, m.ExpertID, uid); err != nil {
			t.Fatal(err)
		}
		var uscc string
		f.db.Conn(ctx).Raw("SELECT employer_uscc FROM experts WHERE id = ?", m.ExpertID).Scan(&uscc)
		exec(t, f.db, "INSERT INTO expert_invitations (draw_id, group_idx, position, expert_id, employer_uscc, status, attempts, created_at, updated_at) VALUES (?, 0, ?, ?, ?, 'accepted', 1, ?, ?)",
			d.ID, i, m.ExpertID, uscc, now, now)
		f.judges = append(f.judges, judge{expertID: m.ExpertID, key: k,
			who: accounts.Principal{UserID: uid, Roles: []accounts.Role{accounts.RoleExpert}}})
	}
}

// start opens the session as the agent.
func (f *fixture) start(t testing.TB) SessionView {
	t.Helper()
	v, err := f.svc.Start(context.Background(), f.agent, f.section, StartRequest{DrawID: f.draw, RoomID: f.room.ID})
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func (f *fixture) code(j judge) string { return f.exp.RoomCode(f.draw, j.expertID) }

// declaration signs a statement for judge j in seat.
func declaration(t testing.TB, j judge, session int64, seat int, relationships ...string) (string, string) {
	if relationships == nil {
		relationships = []string{}
	}
	raw, _ := json.Marshal(Statement{SessionID: session, Seat: seat, Relationships: relationships})
	sig, err := j.key.Sign(append([]byte(DeclarationLabel), raw...))
	if err != nil {
		t.Fatal(err)
	}
	return string(raw), base64.StdEncoding.EncodeToString(sig)
}

// seatOfJudge returns judge j's seat in view v.
func (f *fixture) seatOfJudge(t testing.TB, j judge) (member, bool) {
	var ms []member
	f.db.Conn(context.Background()).Where("expert_id = ?", j.expertID).Find(&ms)
	if len(ms) == 0 {
		return member{}, false
	}
	return ms[0], true
}

// seated signs in and declares every member, and elects seat 1 chair.
func (f *fixture) seated(t testing.TB, sessionID int64) {
	t.Helper()
	ctx := context.Background()
	for _, j := range f.judges[:5] {
		if _, err := f.svc.SignIn(ctx, j.who, sessionID, f.code(j), roomIP); err != nil {
			t.Fatal(err)
		}
		m, _ := f.seatOfJudge(t, j)
		st, sig := declaration(t, j, sessionID, m.Seat)
		if _, err := f.svc.Declare(ctx, j.who, sessionID, st, sig, roomIP); err != nil {
			t.Fatal(err)
		}
	}
	for _, j := range f.judges[:5] {
		if _, err := f.svc.Vote(ctx, j.who, sessionID, 1, roomIP); err != nil {
			t.Fatal(err)
		}
	}
}

func code(err error) string {
	if e, ok := asAppErr(err); ok {
		return e.MachineCode()
	}
	return ""
}
