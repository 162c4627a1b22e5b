// Package dbtest gives each test a fresh, empty database: an SQLite file in
// a temporary directory, or a new schema on the MySQL/MariaDB server named by
// TENDERHALL_TEST_MYSQL_DSN. DSNs use the platform's form: "sqlite:PATH" or
// "mysql:GO-SQL-DRIVER-DSN".
package dbtest

import (
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"path/filepath"
	"strings"
	"testing"

	_ "github.com/glebarez/go-sqlite" // registers the "sqlite" driver for tests
	_ "github.com/go-sql-driver/mysql"

	"github.com/tenderhall/tenderhall/internal/testenv"
)

// Backend names a database kind for table-driven tests.
type Backend string

// The two database backends.
const (
	SQLite Backend = "sqlite"
	MySQL  Backend = "mysql"
)

// Backends returns the backends every database suite must run on.
func Backends() []Backend { return []Backend{SQLite, MySQL} }

// NewDSN creates an empty database on backend b for the duration of t and
// returns its platform DSN. The MySQL backend skips (or fails under CI=true)
// when no server is configured.
func NewDSN(t testing.TB, b Backend) string {
	t.Helper()
	switch b {
	case SQLite:
		return "sqlite:" + filepath.Join(t.TempDir(), "test.db")
	case MySQL:
		return "mysql:" + newMySQLSchema(t)
	}
	t.Fatalf("dbtest: unknown backend %q", b)
	return ""
}

func newMySQLSchema(t testing.TB) string {
	server := testenv.Require(t, testenv.MySQLVar)
	root, err := sql.Open("mysql", server)
	if err != nil {
		t.Fatalf("dbtest: open %s: %v", testenv.MySQLVar, err)
	}
	name := "th_test_" + randomHex(6)
	if _, err := root.Exec("CREATE DATABASE " + name + " CHARACTER SET utf8mb4 COLLATE utf8mb4_bin"); err != nil {
		root.Close()
		t.Fatalf("dbtest: create database: %v", err)
	}
	t.Cleanup(func() {
		root.Exec("DROP DATABASE IF EXISTS " + name)
		root.Close()
	})
	return withDatabase(server, name)
}

// withDatabase puts dbname into a go-sql-driver DSN "user:pw@tcp(h:p)/[db][?params]"
// and adds the parameters the platform needs.
func withDatabase(server, dbname string) string {
	base, params, _ := strings.Cut(server, "?")
	slash := strings.LastIndex(base, "/")
	if slash < 0 {
		base += "/"
		slash = len(base) - 1
	}
	dsn := base[:slash+1] + dbname
	if params != "" {
		return dsn + "?" + params
	}
	return dsn
}

// OpenSQL opens a fresh database on backend b with database/sql and returns
// it with its dialect name ("sqlite" or "mysql"). For packages that take a
// *sql.DB rather than the storage layer.
func OpenSQL(t testing.TB, b Backend) (*sql.DB, string) {
	t.Helper()
	dsn := NewDSN(t, b)
	kind, rest, _ := strings.Cut(dsn, ":")
	driverDSN := rest
	if kind == "sqlite" {
		driverDSN = rest + "?_pragma=journal_mode(WAL)&_pragma=busy_timeout(10000)&_txlock=immediate"
	} else {
		driverDSN = addParams(rest, "parseTime=true&loc=UTC&charset=utf8mb4")
	}
	db, err := sql.Open(kind, driverDSN)
	if err != nil {
		t.Fatalf("dbtest: open: %v", err)
	}
	t.Cleanup(func() { db.Close() })
	return db, kind
}

func addParams(dsn, params string) string {
	if strings.Contains(dsn, "?") {
		return dsn + "&" + params
	}
	return dsn + "?" + params
}

func randomHex(n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic(err)
	}
	return hex.EncodeToString(b)
}
