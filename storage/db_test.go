package storage_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"

	mysqldrv "github.com/go-sql-driver/mysql"
	"gorm.io/gorm"

	"github.com/tenderhall/tenderhall/internal/apperr"
	"github.com/tenderhall/tenderhall/internal/dbtest"
	"github.com/tenderhall/tenderhall/storage"
	"github.com/tenderhall/tenderhall/storage/storagetest"
)

func forEachBackend(t *testing.T, fn func(t *testing.T, db *storage.DB)) {
	for _, b := range dbtest.Backends() {
		t.Run(string(b), func(t *testing.T) { fn(t, storagetest.Open(t, b)) })
	}
}

func TestMigrateIsIdempotentAndRecorded(t *testing.T) {
	forEachBackend(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		again, err := db.Migrate(ctx)
		if err != nil || len(again) != 0 {
			t.Fatalf("second Migrate applied %v, err %v; want nothing", again, err)
		}
		all, _ := storage.Migrations()
		applied, err := db.AppliedMigrations(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if len(applied) != len(all) {
			t.Fatalf("applied %d migrations, want %d", len(applied), len(all))
		}
		for _, m := range all {
			if applied[m.Version].Checksum != m.Checksum {
				t.Errorf("migration %d checksum not recorded", m.Version)
			}
		}
	})
}

func TestMigrateRefusesEditedMigration(t *testing.T) {
	forEachBackend(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		if err := db.Conn(ctx).Exec("UPDATE schema_migrations SET checksum = 'x' WHERE version = 1").Error; err != nil {
			t.Fatal(err)
		}
		if _, err := db.Migrate(ctx); !apperr.Is(err, apperr.Conflict) {
			t.Fatalf("Migrate after an edit: err = %v, want Conflict", err)
		}
		db.Conn(ctx).Exec("INSERT INTO schema_migrations (version, name, checksum, applied_at) VALUES (9999, 'future', 'y', ?)", "2026-01-01 00:00:00")
	})
}

func TestMigrateRefusesNewerDatabase(t *testing.T) {
	forEachBackend(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		err := db.Conn(ctx).Exec("INSERT INTO schema_migrations (version, name, checksum, applied_at) VALUES (9999, 'future', 'y', '2026-01-01 00:00:00')").Error
		if err != nil {
			t.Fatal(err)
		}
		if _, err := db.Migrate(ctx); !apperr.Is(err, apperr.Conflict) {
			t.Fatalf("err = %v, want Conflict", err)
		}
	})
}

type widget struct {
	ID   int64  `gorm:"column:id;primaryKey"`
	Name string `gorm:"column:name"`
}

func (widget) TableName() string { return "widgets" }

func makeWidgets(t *testing.T, db *storage.DB) {
	t.Helper()
	err := db.Conn(context.Background()).Exec("CREATE TABLE widgets (id BIGINT NOT NULL PRIMARY KEY, name VARCHAR(50) NOT NULL UNIQUE)").Error
	if err != nil {
		t.Fatal(err)
	}
}

func count(t *testing.T, db *storage.DB) int64 {
	var n int64
	if err := db.Conn(context.Background()).Model(&widget{}).Count(&n).Error; err != nil {
		t.Fatal(err)
	}
	return n
}

func TestTransactionsTravelInContext(t *testing.T) {
	forEachBackend(t, func(t *testing.T, db *storage.DB) {
		makeWidgets(t, db)
		ctx := context.Background()
		boom := errors.New("boom")
		err := db.InTx(ctx, func(ctx context.Context) error {
			if !storage.InTransaction(ctx) {
				t.Error("ctx carries no transaction inside InTx")
			}
			if err := db.Conn(ctx).Create(&widget{ID: 1, Name: "a"}).Error; err != nil {
				return err
			}
			// A nested call joins the outer transaction, so its write rolls back too.
			return db.InTx(ctx, func(ctx context.Context) error {
				if err := db.Conn(ctx).Create(&widget{ID: 2, Name: "b"}).Error; err != nil {
					return err
				}
				return boom
			})
		})
		if !errors.Is(err, boom) {
			t.Fatalf("InTx err = %v, want boom", err)
		}
		if n := count(t, db); n != 0 {
			t.Fatalf("%d rows after rollback, want 0", n)
		}
		err = db.InTx(ctx, func(ctx context.Context) error {
			return db.Conn(ctx).Create(&widget{ID: 3, Name: "c"}).Error
		})
		if err != nil || count(t, db) != 1 {
			t.Fatalf("commit: err %v, rows %d", err, count(t, db))
		}
	})
}

func TestTranslateDriverErrors(t *testing.T) {
	forEachBackend(t, func(t *testing.T, db *storage.DB) {
		makeWidgets(t, db)
		ctx := context.Background()
		if err := db.Conn(ctx).Create(&widget{ID: 1, Name: "a"}).Error; err != nil {
			t.Fatal(err)
		}
		dup := storage.Translate(db.Conn(ctx).Create(&widget{ID: 2, Name: "a"}).Error)
		if !apperr.Is(dup, apperr.Conflict) || !storage.IsDuplicate(dup) {
			t.Errorf("duplicate: %v, want Conflict/duplicate", dup)
		}
		var w widget
		nf := storage.Translate(db.Conn(ctx).First(&w, 42).Error)
		if !apperr.Is(nf, apperr.NotFound) {
			t.Errorf("not found: %v, want NotFound", nf)
		}
	})
}

func TestTranslateClassifiesKnownErrors(t *testing.T) {
	cases := []struct {
		err  error
		want apperr.Kind
	}{
		{gorm.ErrRecordNotFound, apperr.NotFound},
		{&mysqldrv.MySQLError{Number: 1062}, apperr.Conflict},
		{&mysqldrv.MySQLError{Number: 1213}, apperr.Unavailable},
		{&mysqldrv.MySQLError{Number: 1205}, apperr.Unavailable},
		{&mysqldrv.MySQLError{Number: 1452}, apperr.Conflict},
		{errors.New("database is locked (5) (SQLITE_BUSY)"), apperr.Unavailable},
		{errors.New("UNIQUE constraint failed: users.username"), apperr.Conflict},
		{context.DeadlineExceeded, apperr.Unavailable},
		{errors.New("syntax error"), apperr.Internal},
	}
	for _, c := range cases {
		if got := apperr.KindOf(storage.Translate(c.err)); got != c.want {
			t.Errorf("Translate(%v) kind = %v, want %v", c.err, got, c.want)
		}
	}
	if storage.Translate(nil) != nil {
		t.Error("Translate(nil) != nil")
	}
}

// Concurrent writers must queue for the lock instead of failing with
// "database is locked" on SQLite (WAL + busy timeout + immediate transactions).
func TestConcurrentWritersDoNotFail(t *testing.T) {
	forEachBackend(t, func(t *testing.T, db *storage.DB) {
		makeWidgets(t, db)
		var wg sync.WaitGroup
		errs := make(chan error, 200)
		for g := 0; g < 20; g++ {
			wg.Add(1)
			go func(g int) {
				defer wg.Done()
				for i := 0; i < 10; i++ {
					id := int64(g*100 + i + 1)
					errs <- db.InTx(context.Background(), func(ctx context.Context) error {
						var n int64
						if err := db.Conn(ctx).Model(&widget{}).Count(&n).Error; err != nil {
							return err
						}
						return db.Conn(ctx).Create(&widget{ID: id, Name: fmt.Sprint(id)}).Error
					})
				}
			}(g)
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			if err != nil {
				t.Fatalf("concurrent write failed: %v", err)
			}
		}
		if n := count(t, db); n != 200 {
			t.Fatalf("rows = %d, want 200", n)
		}
	})
}

func TestOpenRejectsBadDSN(t *testing.T) {
	for _, dsn := range []string{"", "postgres:x", "sqlite:", "nocolon"} {
		if _, err := storage.Open(context.Background(), dsn); !apperr.Is(err, apperr.Invalid) {
			t.Errorf("Open(%q) err = %v, want Invalid", dsn, err)
		}
	}
}

func TestOpenUnreachableMySQLIsUnavailable(t *testing.T) {
	db, err := storage.Open(context.Background(), "mysql:u:secretpw@tcp(127.0.0.1:1)/x")
	if err != nil {
		t.Fatalf("Open must not connect: %v", err)
	}
	defer db.Close()
	err = db.Ping(context.Background())
	if !apperr.Is(err, apperr.Unavailable) {
		t.Fatalf("err = %v, want Unavailable", err)
	}
	if strings.Contains(err.Error(), "secretpw") {
		t.Fatal("password leaked into the error message")
	}
}
