package eventlog

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/tenderhall/tenderhall/internal/clock"
	"github.com/tenderhall/tenderhall/internal/dbtest"
	"github.com/tenderhall/tenderhall/notary"
	"github.com/tenderhall/tenderhall/storage"
)

var start = time.Date(2026, 11, 22, 8, 0, 0, 123456789, time.UTC)

// testKey is one platform key for the package's tests: SM2 key generation
// is cheap, but one key makes failures easier to read.
var testKey = func() *notary.PrivateKey {
	k, err := notary.GenerateKey()
	if err != nil {
		panic(err)
	}
	return k
}()

type env struct {
	ctx  context.Context
	dsn  string
	db   *storage.DB
	clk  *clock.Fake
	log  *Service
	tree *Tree
}

// onBackends runs fn on a fresh, migrated database on every backend.
func onBackends(t *testing.T, fn func(t *testing.T, e *env)) {
	for _, b := range dbtest.Backends() {
		t.Run(string(b), func(t *testing.T) { fn(t, newEnv(t, dbtest.NewDSN(t, b))) })
	}
}

func newEnv(t testing.TB, dsn string) *env {
	ctx := context.Background()
	db := openDB(t, dsn)
	if _, err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	clk := clock.NewFake(start)
	return &env{ctx: ctx, dsn: dsn, db: db, clk: clk, log: New(db, clk), tree: NewTree(db, clk, testKey)}
}

func openDB(t testing.TB, dsn string) *storage.DB {
	db, err := storage.Open(context.Background(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// appendN appends n events with distinct, realistic content.
func (e *env) appendN(t testing.TB, n int) {
	t.Helper()
	for i := 0; i < n; i++ {
		e.clk.Advance(1500 * time.Microsecond)
		ctx := WithRequest(e.ctx, Request{ID: fmt.Sprintf("req-%d", i), IP: "203.0.113.9"})
		_, err := e.log.Append(ctx, Entry{Type: "bid.received", Subject: fmt.Sprintf("section:S-%d", i%3),
			Actor: fmt.Sprintf("user:%d", i%5), Payload: map[string]any{"bid": fmt.Sprintf("B-%d", i), "amount": 1000 + i, "备注": "投标"}})
		if err != nil {
			t.Fatal(err)
		}
	}
}

// all returns every event in the database, in order.
func (e *env) all(t testing.TB) []Event {
	t.Helper()
	var out []Event
	for from := int64(1); ; {
		page, err := e.log.Range(e.ctx, from, MaxPage)
		if err != nil {
			t.Fatal(err)
		}
		if len(page) == 0 {
			return out
		}
		out = append(out, page...)
		from = page[len(page)-1].Seq + 1
	}
}

// exec runs raw SQL against the database, as an attacker with database
// access would.
func (e *env) exec(t testing.TB, sql string, args ...any) {
	t.Helper()
	if _, err := e.db.SQL().ExecContext(e.ctx, sql, args...); err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
}

// memTreeOf recomputes the tree from events, independently of the store.
func memTreeOf(evs []Event) *notary.MemTree {
	t := &notary.MemTree{}
	for _, ev := range evs {
		t.Append(LeafHash(ev))
	}
	return t
}
