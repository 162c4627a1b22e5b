package storage

import (
	"context"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"fmt"
	"io/fs"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/tenderhall/tenderhall/internal/apperr"
)

//go:embed migrations/*.sql
var migrationFiles embed.FS

// Migration is one versioned schema change, read from migrations/NNNN_name.sql.
type Migration struct {
	Version  int
	Name     string
	SQL      string // the file as written, before dialect substitution
	Checksum string // SHA-256 of SQL, to detect edits after it was applied
}

// Migrations returns the embedded migrations in version order.
func Migrations() ([]Migration, error) {
	entries, err := fs.ReadDir(migrationFiles, "migrations")
	if err != nil {
		return nil, err
	}
	var out []Migration
	for _, e := range entries {
		m, err := parseMigration(e.Name())
		if err != nil {
			return nil, err
		}
		sum := sha256.Sum256([]byte(m.SQL))
		m.Checksum = hex.EncodeToString(sum[:])
		out = append(out, m)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Version < out[j].Version })
	for i := 1; i < len(out); i++ {
		if out[i].Version == out[i-1].Version {
			return nil, fmt.Errorf("storage: two migrations with version %d", out[i].Version)
		}
	}
	return out, nil
}

func parseMigration(file string) (Migration, error) {
	num, rest, ok := strings.Cut(strings.TrimSuffix(file, ".sql"), "_")
	v, err := strconv.Atoi(num)
	if !ok || err != nil {
		return Migration{}, fmt.Errorf("storage: migration file %q is not NNNN_name.sql", file)
	}
	body, err := migrationFiles.ReadFile("migrations/" + file)
	if err != nil {
		return Migration{}, err
	}
	return Migration{Version: v, Name: rest, SQL: string(body)}, nil
}

// Applied is a row of the schema_migrations table.
type Applied struct {
	Version   int
	Name      string
	Checksum  string
	AppliedAt time.Time
}

// Migrate applies every migration not yet applied, in order, and returns the
// versions it applied. It refuses (apperr.Conflict) when an applied migration's
// file has changed since, or when the database holds a version newer than
// this binary knows. On MySQL it holds a named lock so that replicas starting
// together apply each migration once.
func (db *DB) Migrate(ctx context.Context) ([]int, error) {
	unlock, err := db.migrationLock(ctx)
	if err != nil {
		return nil, err
	}
	defer unlock()
	if err := db.exec(ctx, db.expand(schemaMigrationsDDL)); err != nil {
		return nil, err
	}
	all, err := Migrations()
	if err != nil {
		return nil, apperr.Wrap(err, apperr.Internal, "迁移文件错误", "bad migration files")
	}
	done, err := db.AppliedMigrations(ctx)
	if err != nil {
		return nil, err
	}
	if err := checkApplied(all, done); err != nil {
		return nil, err
	}
	var applied []int
	for _, m := range all {
		if _, ok := done[m.Version]; ok {
			continue
		}
		if err := db.apply(ctx, m); err != nil {
			return applied, err
		}
		applied = append(applied, m.Version)
	}
	return applied, nil
}

func checkApplied(all []Migration, done map[int]Applied) error {
	known := map[int]Migration{}
	for _, m := range all {
		known[m.Version] = m
	}
	for v, a := range done {
		m, ok := known[v]
		if !ok {
			return apperr.Newf(apperr.Conflict, "数据库版本 %d 比本程序新，请升级程序",
				"the database has migration %d, newer than this binary; upgrade it", v)
		}
		if m.Checksum != a.Checksum {
			return apperr.Newf(apperr.Conflict, "已应用的迁移 %04d_%s 被修改过；请新增迁移而不是修改旧的",
				"applied migration %04d_%s was edited; add a new migration instead", v, m.Name)
		}
	}
	return nil
}

const schemaMigrationsDDL = `CREATE TABLE IF NOT EXISTS schema_migrations (
  version INTEGER NOT NULL PRIMARY KEY,
  name VARCHAR(200) NOT NULL,
  checksum CHAR(64) NOT NULL,
  applied_at DATETIME(3) NOT NULL
) {{table}}`

// Pending returns the migrations this binary has that the database has not
// applied, in order; an empty database has them all pending.
func (db *DB) Pending(ctx context.Context) ([]Migration, error) {
	all, err := Migrations()
	if err != nil {
		return nil, apperr.Wrap(err, apperr.Internal, "迁移文件错误", "bad migration files")
	}
	if err := db.Ping(ctx); err != nil {
		return nil, err
	}
	if !db.gorm.WithContext(ctx).Migrator().HasTable("schema_migrations") {
		return all, nil
	}
	done, err := db.AppliedMigrations(ctx)
	if err != nil {
		return nil, err
	}
	var out []Migration
	for _, m := range all {
		if _, ok := done[m.Version]; !ok {
			out = append(out, m)
		}
	}
	return out, nil
}

// AppliedMigrations returns the applied migrations keyed by version.
func (db *DB) AppliedMigrations(ctx context.Context) (map[int]Applied, error) {
	var rows []Applied
	err := db.Conn(ctx).Raw("SELECT version, name, checksum, applied_at FROM schema_migrations").Scan(&rows).Error
	if err != nil {
		return nil, Translate(err)
	}
	out := make(map[int]Applied, len(rows))
	for _, r := range rows {
		out[r.Version] = r
	}
	return out, nil
}

// apply runs one migration's statements and records it. MySQL commits DDL
// implicitly, so a failure part-way is reported with the statement number for
// the operator to repair; SQLite runs the whole file in one transaction.
func (db *DB) apply(ctx context.Context, m Migration) error {
	stmts := splitStatements(db.expand(m.SQL))
	return db.InTx(ctx, func(ctx context.Context) error {
		for i, s := range stmts {
			if err := db.Conn(ctx).Exec(s).Error; err != nil {
				return apperr.Wrap(err, apperr.Internal,
					fmt.Sprintf("迁移 %04d_%s 第 %d 条语句失败", m.Version, m.Name, i+1),
					fmt.Sprintf("migration %04d_%s statement %d failed", m.Version, m.Name, i+1))
			}
		}
		return db.Conn(ctx).Exec("INSERT INTO schema_migrations (version, name, checksum, applied_at) VALUES (?, ?, ?, ?)",
			m.Version, m.Name, m.Checksum, time.Now().UTC()).Error
	})
}

func (db *DB) exec(ctx context.Context, stmt string) error {
	return Translate(db.Conn(ctx).Exec(stmt).Error)
}

// expand replaces the few dialect placeholders a migration may use:
// {{id}} an auto-increment 64-bit primary key, {{blob}} a large binary column,
// {{table}} the table options (utf8mb4, InnoDB on MySQL). On SQLite
// DATETIME(3) becomes DATETIME, the declared type its driver parses as time.
func (db *DB) expand(sql string) string {
	r := map[Dialect]*strings.Replacer{
		SQLite: strings.NewReplacer("{{id}}", "INTEGER PRIMARY KEY AUTOINCREMENT", "{{blob}}", "BLOB", "{{table}}", "",
			"DATETIME(3)", "DATETIME"),
		MySQL: strings.NewReplacer("{{id}}", "BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY", "{{blob}}", "LONGBLOB",
			"{{table}}", "ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin"),
	}[db.dialect]
	return r.Replace(sql)
}

// splitStatements splits a migration on semicolons that end a line, dropping
// comment-only lines. Migrations keep one statement per such terminator.
func splitStatements(sql string) []string {
	var out []string
	var cur strings.Builder
	for _, line := range strings.Split(sql, "\n") {
		t := strings.TrimSpace(line)
		if t == "" || strings.HasPrefix(t, "--") {
			continue
		}
		cur.WriteString(line)
		cur.WriteString("\n")
		if strings.HasSuffix(t, ";") {
			out = append(out, strings.TrimSuffix(strings.TrimSpace(cur.String()), ";"))
			cur.Reset()
		}
	}
	if s := strings.TrimSpace(cur.String()); s != "" {
		out = append(out, s)
	}
	return out
}

// migrationLock serialises migrations across replicas on MySQL.
func (db *DB) migrationLock(ctx context.Context) (func(), error) {
	if db.dialect != MySQL {
		return func() {}, nil
	}
	conn, err := db.sql.Conn(ctx)
	if err != nil {
		return nil, apperr.Wrap(err, apperr.Unavailable, "数据库不可用", "database unavailable")
	}
	var got int
	if err := conn.QueryRowContext(ctx, "SELECT GET_LOCK('tenderhall_migrate', 120)").Scan(&got); err != nil || got != 1 {
		conn.Close()
		return nil, apperr.Wrap(err, apperr.Unavailable, "无法获得迁移锁", "could not take the migration lock")
	}
	return func() {
		conn.ExecContext(context.Background(), "SELECT RELEASE_LOCK('tenderhall_migrate')")
		conn.Close()
	}, nil
}
