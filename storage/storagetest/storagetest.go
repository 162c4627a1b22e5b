// Package storagetest opens a fresh, migrated platform database for a test,
// on any backend of dbtest.
package storagetest

import (
	"context"
	"testing"

	"github.com/tenderhall/tenderhall/internal/dbtest"
	"github.com/tenderhall/tenderhall/storage"
)

// Open returns a new database on backend b with every migration applied,
// closed when t ends. The MySQL backend skips, or fails under CI=true, when
// no server is configured (see dbtest).
func Open(t testing.TB, b dbtest.Backend) *storage.DB {
	t.Helper()
	ctx := context.Background()
	db, err := storage.Open(ctx, dbtest.NewDSN(t, b))
	if err != nil {
		t.Fatalf("open %s: %v", b, err)
	}
	t.Cleanup(func() { db.Close() })
	if _, err := db.Migrate(ctx); err != nil {
		t.Fatalf("migrate %s: %v", b, err)
	}
	return db
}
