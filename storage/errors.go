package storage

import (
	"context"
	"errors"
	"strings"

	mysqldrv "github.com/go-sql-driver/mysql"
	"gorm.io/gorm"

	"github.com/tenderhall/tenderhall/internal/apperr"
)

type errClass int

const (
	classOther errClass = iota
	classNotFound
	classDuplicate
	classDeadlock
	classForeignKey
	classUnavailable
)

// MySQL server error numbers we translate.
const (
	mysqlDupEntry       = 1062
	mysqlLockWait       = 1205
	mysqlDeadlock       = 1213
	mysqlFKChildMissing = 1452
	mysqlFKParentInUse  = 1451
)

func classify(err error) errClass {
	if err == nil {
		return classOther
	}
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return classNotFound
	}
	var me *mysqldrv.MySQLError
	if errors.As(err, &me) {
		switch me.Number {
		case mysqlDupEntry:
			return classDuplicate
		case mysqlLockWait, mysqlDeadlock:
			return classDeadlock
		case mysqlFKChildMissing, mysqlFKParentInUse:
			return classForeignKey
		}
		return classOther
	}
	if errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled) {
		return classUnavailable
	}
	msg := err.Error()
	switch {
	case strings.Contains(msg, "UNIQUE constraint failed"), strings.Contains(msg, "PRIMARY KEY constraint failed"):
		return classDuplicate
	case strings.Contains(msg, "FOREIGN KEY constraint failed"):
		return classForeignKey
	case strings.Contains(msg, "database is locked"), strings.Contains(msg, "SQLITE_BUSY"):
		return classDeadlock
	case strings.Contains(msg, "connection refused"), strings.Contains(msg, "bad connection"),
		strings.Contains(msg, "invalid connection"):
		return classUnavailable
	}
	return classOther
}

// Translate turns a driver or gorm error into an apperr kind: not found →
// NotFound, duplicate key → Conflict, deadlock or lock timeout →
// Unavailable (safe to retry), foreign key violation → Conflict, lost
// connection → Unavailable; anything else → Internal. Domain stores call it
// and may replace the message with one naming their own object. A nil error
// stays nil.
func Translate(err error) error {
	if err == nil {
		return nil
	}
	if _, ok := apperr.As(err); ok {
		return err
	}
	switch classify(err) {
	case classNotFound:
		return apperr.Wrap(err, apperr.NotFound, "记录不存在", "record not found")
	case classDuplicate:
		return apperr.Wrap(err, apperr.Conflict, "记录已存在", "record already exists").WithCode("duplicate")
	case classDeadlock:
		return apperr.Wrap(err, apperr.Unavailable, "数据库繁忙，请重试", "database busy, please retry").WithCode("deadlock")
	case classForeignKey:
		return apperr.Wrap(err, apperr.Conflict, "关联记录不存在或仍被引用", "related record missing or still referenced")
	case classUnavailable:
		return apperr.Wrap(err, apperr.Unavailable, "数据库不可用", "database unavailable")
	}
	return apperr.Wrap(err, apperr.Internal, "数据库错误", "database error")
}

// IsDuplicate reports whether err is a duplicate-key violation.
func IsDuplicate(err error) bool {
	if e, ok := apperr.As(err); ok && e.Wrapped != nil {
		return classify(e.Wrapped) == classDuplicate
	}
	return classify(err) == classDuplicate
}
