// Package storage opens the platform's database (MySQL/MariaDB or embedded
// SQLite), applies its versioned migrations, runs transactions that travel in
// the context, translates driver errors into apperr kinds, and stores blobs
// (MinIO or the local filesystem).
package storage

import (
	"context"
	"database/sql"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/glebarez/sqlite"
	"gorm.io/driver/mysql"
	"gorm.io/gorm"
	"gorm.io/gorm/logger"

	"github.com/tenderhall/tenderhall/internal/apperr"
	"github.com/tenderhall/tenderhall/internal/config"
)

// Dialect names the SQL flavour of a database.
type Dialect string

// The supported dialects.
const (
	SQLite Dialect = "sqlite"
	MySQL  Dialect = "mysql"
)

// DB is the platform's database handle. Domain stores reach gorm through
// Conn, which joins the transaction carried by the context, if any.
type DB struct {
	gorm    *gorm.DB
	sql     *sql.DB
	dialect Dialect
	writers writeGate // SQLite: one write transaction at a time, queued in Go (see InTx)
}

// Open prepares the database named by dsn, which is "sqlite:PATH" or
// "mysql:USER:PASS@tcp(HOST:PORT)/DB[?params]". It does not connect: a
// server that is down at start makes Ping (and /readyz) fail until it is
// up, rather than failing Open. It returns apperr.Invalid for a malformed DSN.
func Open(_ context.Context, dsn string) (*DB, error) {
	kind, rest, ok := strings.Cut(dsn, ":")
	if !ok || rest == "" {
		return nil, apperr.Newf(apperr.Invalid, "数据库连接串无效：应为 sqlite:路径 或 mysql:DSN",
			"database DSN %q is invalid: want sqlite:PATH or mysql:DSN", config.MaskDSN(dsn))
	}
	var dial gorm.Dialector
	switch Dialect(kind) {
	case SQLite:
		if err := os.MkdirAll(filepath.Dir(rest), 0o700); err != nil {
			return nil, apperr.Wrap(err, apperr.Unavailable, "无法创建数据目录", "cannot create the data directory")
		}
		dial = sqlite.Open(sqliteDSN(rest))
	case MySQL:
		// Skip the version query so that Open does not need a live server.
		dial = mysql.New(mysql.Config{DSN: mysqlDSN(rest), SkipInitializeWithVersion: true})
	default:
		return nil, apperr.Newf(apperr.Invalid, "不支持的数据库类型 %q（支持 sqlite、mysql）",
			"unsupported database kind %q (want sqlite or mysql)", kind)
	}
	g, err := gorm.Open(dial, &gorm.Config{
		Logger:                 logger.Discard,
		SkipDefaultTransaction: true,
		NowFunc:                func() time.Time { return time.Now().UTC() },
		DisableAutomaticPing:   true,
	})
	if err != nil {
		return nil, apperr.Wrap(err, apperr.Unavailable, "无法连接数据库", "cannot open the database")
	}
	sqlDB, err := g.DB()
	if err != nil {
		return nil, apperr.Wrap(err, apperr.Internal, "数据库句柄错误", "database handle error")
	}
	db := &DB{gorm: g, sql: sqlDB, dialect: Dialect(kind)}
	db.tune()
	return db, nil
}

// sqliteDSN turns on WAL, a busy timeout and immediate transactions, so that
// concurrent requests queue for the write lock instead of failing with
// "database is locked".
func sqliteDSN(path string) string {
	return path + "?_pragma=journal_mode(WAL)&_pragma=busy_timeout(15000)" +
		"&_pragma=foreign_keys(1)&_pragma=synchronous(NORMAL)&_txlock=immediate"
}

// mysqlDSN adds the parameters the platform relies on: UTC times parsed into
// time.Time and utf8mb4 for Chinese text.
func mysqlDSN(dsn string) string {
	need := []string{"parseTime=true", "loc=UTC", "charset=utf8mb4", "multiStatements=false"}
	for _, p := range need {
		key := p[:strings.Index(p, "=")+1]
		if strings.Contains(dsn, key) {
			continue
		}
		if strings.Contains(dsn, "?") {
			dsn += "&" + p
		} else {
			dsn += "?" + p
		}
	}
	return dsn
}

func (db *DB) tune() {
	if db.dialect == SQLite {
		db.sql.SetMaxOpenConns(8)
		db.sql.SetMaxIdleConns(8)
		return
	}
	db.sql.SetMaxOpenConns(50)
	db.sql.SetMaxIdleConns(10)
	db.sql.SetConnMaxLifetime(30 * time.Minute)
}

// Ping checks that the database answers. It returns apperr.Unavailable if not.
func (db *DB) Ping(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	if err := db.sql.PingContext(ctx); err != nil {
		return apperr.Wrap(err, apperr.Unavailable, "数据库不可用", "database unavailable")
	}
	return nil
}

// Dialect returns the SQL flavour of the database.
func (db *DB) Dialect() Dialect { return db.dialect }

// SQL returns the underlying database/sql handle, for packages such as the
// embedded job queue that must not depend on gorm.
func (db *DB) SQL() *sql.DB { return db.sql }

// Close closes the database.
func (db *DB) Close() error { return db.sql.Close() }

// LogValue keeps the DSN out of logs.
func (db *DB) LogValue() slog.Value { return slog.StringValue(string(db.dialect)) }
