package eventlog

import (
	"context"
	"encoding/hex"
	"time"

	"github.com/tenderhall/tenderhall/internal/apperr"
	"github.com/tenderhall/tenderhall/internal/jobs"
	"github.com/tenderhall/tenderhall/notary"
)

// Head is a signed tree head as the log keeps it: ID is its position in
// signing order (1, 2, …), the key of GET /api/v1/log/heads?from=.
type Head struct {
	ID int64 `json:"id"`
	notary.SignedTreeHead
}

// HeadTask is the job type of the periodic tree-head signing; register
// HeadHandler for it and schedule it with jobs.Queue.Every.
const HeadTask = "eventlog:sign-head"

// SignHead signs the current tree (its size, root and the current time in
// milliseconds) with the platform key, stores the head and returns it.
// Without a key it returns apperr.Unavailable (code "no_signing_key");
// otherwise errors are those of storage.
func (t *Tree) SignHead(ctx context.Context) (Head, error) {
	if t.key == nil {
		return Head{}, apperr.New(apperr.Unavailable, "未配置平台签名密钥，无法签署树头",
			"no platform signing key is configured; tree heads cannot be signed").WithCode("no_signing_key")
	}
	size, err := t.st.treeSize(ctx)
	if err != nil {
		return Head{}, err
	}
	root, err := notary.TreeRoot(size, t.st.nodes(ctx, false))
	if err != nil {
		return Head{}, err
	}
	sth, err := notary.SignTreeHead(t.key, notary.TreeHead{TreeSize: size, RootHash: root, Timestamp: t.clock.Now().UnixMilli()})
	if err != nil {
		return Head{}, err
	}
	row := headRow{TreeSize: int64(size), RootHash: root.String(), SignedAt: sth.Timestamp,
		KeyID: sth.KeyID, Signature: hex.EncodeToString(sth.Signature)}
	if err := t.st.insertHead(ctx, &row); err != nil {
		return Head{}, err
	}
	return Head{ID: row.ID, SignedTreeHead: sth}, nil
}

// HeadHandler returns the job handler for HeadTask: it signs a head when
// the tree has grown since the latest head, or when that head is older than
// maxAge (so that verifiers always find a recent one), and does nothing
// otherwise, keeping the head list short on a quiet platform. cmd registers
// it with Queue.Handle(HeadTask, …) and schedules it with Queue.Every.
func (t *Tree) HeadHandler(maxAge time.Duration) jobs.Handler {
	return func(ctx context.Context, _ jobs.Task) error {
		latest, err := t.LatestHead(ctx)
		if err != nil && !apperr.Is(err, apperr.NotFound) {
			return err
		}
		if err == nil {
			size, err := t.st.treeSize(ctx)
			if err != nil {
				return err
			}
			age := t.clock.Now().Sub(time.UnixMilli(latest.Timestamp))
			if size == latest.TreeSize && age < maxAge {
				return nil
			}
		}
		_, err = t.SignHead(ctx)
		return err
	}
}

// SignHeadIfBehind returns the latest signed head when it covers the whole
// log, and signs one of the current log otherwise (or when none was ever
// signed); signed reports which. Errors are those of SignHead.
func (t *Tree) SignHeadIfBehind(ctx context.Context) (h Head, signed bool, err error) {
	latest, err := t.LatestHead(ctx)
	if err != nil && !apperr.Is(err, apperr.NotFound) {
		return Head{}, false, err
	}
	if err == nil {
		size, err := t.st.treeSize(ctx)
		if err != nil {
			return Head{}, false, err
		}
		if latest.TreeSize == size {
			return latest, false, nil
		}
	}
	h, err = t.SignHead(ctx)
	return h, err == nil, err
}

// LatestHead returns the most recently signed head, or apperr.NotFound when
// none has been signed yet.
func (t *Tree) LatestHead(ctx context.Context) (Head, error) {
	rows, err := t.st.heads(ctx, 0, 1, true)
	if err != nil {
		return Head{}, err
	}
	if len(rows) == 0 {
		return Head{}, apperr.New(apperr.NotFound, "尚未签署任何树头", "no tree head has been signed yet").WithCode("no_tree_head")
	}
	return headOf(rows[0])
}

// Heads returns up to limit (at most MaxPage) heads with ID >= from, in
// signing order.
func (t *Tree) Heads(ctx context.Context, from int64, limit int) ([]Head, error) {
	rows, err := t.st.heads(ctx, from, clampLimit(limit), false)
	if err != nil {
		return nil, err
	}
	out := make([]Head, 0, len(rows))
	for _, r := range rows {
		h, err := headOf(r)
		if err != nil {
			return nil, err
		}
		out = append(out, h)
	}
	return out, nil
}

// headOf decodes a stored head. A row that does not decode is reported as
// apperr.Internal: it was damaged in the database.
func headOf(r headRow) (Head, error) {
	root, err := notary.ParseHash(r.RootHash)
	sig, serr := hex.DecodeString(r.Signature)
	if err != nil || serr != nil {
		return Head{}, apperr.Newf(apperr.Internal, "树头 %d 已损坏", "tree head %d is damaged", r.ID)
	}
	return Head{ID: r.ID, SignedTreeHead: notary.SignedTreeHead{
		TreeHead: notary.TreeHead{TreeSize: uint64(r.TreeSize), RootHash: root, Timestamp: r.SignedAt},
		KeyID:    r.KeyID, Signature: sig,
	}}, nil
}
