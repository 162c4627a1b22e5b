package storage

import (
	"context"
	"errors"
	"time"

	"gorm.io/gorm"

	"github.com/tenderhall/tenderhall/internal/apperr"
)

type txKey struct{}

// Conn returns the gorm handle for ctx: the transaction carried by ctx when
// InTx started one, or the database bound to ctx otherwise. Domain stores use
// it for every query so that a domain method's writes and its event-log entry
// commit together.
func (db *DB) Conn(ctx context.Context) *gorm.DB {
	if tx, ok := ctx.Value(txKey{}).(*gorm.DB); ok {
		return tx
	}
	return db.gorm.WithContext(ctx)
}

// InTx runs fn in a transaction carried by the context passed to it. Nested
// calls join the outer transaction. A deadlock or lock wait timeout at the
// top level is retried up to three times; fn must therefore be safe to run
// again (it only touches the database through ctx). Errors from fn are
// returned unchanged; driver errors are translated by Translate.
func (db *DB) InTx(ctx context.Context, fn func(ctx context.Context) error) error {
	if _, ok := ctx.Value(txKey{}).(*gorm.DB); ok {
		return fn(ctx)
	}
	if db.dialect == SQLite {
		// SQLite has one writer, and every transaction here is immediate:
		// queue them in Go, in order (see writeGate).
		db.writers.lock(urgent(ctx))
		defer db.writers.unlock()
	}
	var err error
	for attempt := 0; attempt < 4; attempt++ {
		err = db.gorm.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
			return fn(context.WithValue(ctx, txKey{}, tx))
		})
		if !isRetryable(err) {
			break
		}
		select {
		case <-ctx.Done():
			return apperr.Wrap(ctx.Err(), apperr.Unavailable, "请求已取消", "request cancelled")
		case <-time.After(time.Duration(10<<attempt) * time.Millisecond):
		}
	}
	if err == nil {
		return nil
	}
	if _, ok := apperr.As(err); ok {
		return err
	}
	return Translate(err)
}

// InTransaction reports whether ctx carries a transaction.
func InTransaction(ctx context.Context) bool {
	_, ok := ctx.Value(txKey{}).(*gorm.DB)
	return ok
}

func isRetryable(err error) bool {
	if err == nil {
		return false
	}
	var e *apperr.Error
	if errors.As(err, &e) && e.Wrapped == nil {
		return false
	}
	return classify(err) == classDeadlock
}
