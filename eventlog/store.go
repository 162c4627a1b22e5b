package eventlog

import (
	"context"
	"strconv"
	"strings"

	"github.com/tenderhall/tenderhall/internal/apperr"
	"github.com/tenderhall/tenderhall/notary"
	"github.com/tenderhall/tenderhall/storage"
)

// store holds every query of the event log and its Merkle tree (tables of
// migrations 0001 and 0003). Hashes are stored as 64 lowercase hex
// characters so that both dialects and a person with a SQL prompt read them
// alike.
type store struct{ db *storage.DB }

// advance takes the next sequence number and grows the tree size with it,
// returning both. The UPDATE locks the counter row until the transaction
// ends, which serialises appends (and tree writes) across replicas; a
// rolled-back transaction gives its number back, so seq has no gaps. The
// tree size lags seq only for events written before migration 0003.
func (st store) advance(ctx context.Context) (seq, tree int64, err error) {
	conn := st.db.Conn(ctx)
	if err := conn.Exec("UPDATE event_counter SET next_seq = next_seq + 1, tree_size = tree_size + 1 WHERE id = 1").Error; err != nil {
		return 0, 0, storage.Translate(err)
	}
	var row struct{ NextSeq, TreeSize int64 }
	if err := conn.Raw("SELECT next_seq, tree_size FROM event_counter WHERE id = 1").Scan(&row).Error; err != nil {
		return 0, 0, storage.Translate(err)
	}
	return row.NextSeq, row.TreeSize, nil
}

// lockCounter takes the counter row lock without advancing (for catch-up
// outside an append) and returns next_seq and tree_size. On MySQL the
// locking read also returns the latest committed row rather than the
// transaction's snapshot; on SQLite the transaction holds the write lock
// from BEGIN.
func (st store) lockCounter(ctx context.Context) (seq, tree int64, err error) {
	sql := "SELECT next_seq, tree_size FROM event_counter WHERE id = 1"
	if st.db.Dialect() == storage.MySQL {
		sql += " FOR UPDATE"
	}
	var row struct{ NextSeq, TreeSize int64 }
	err = st.db.Conn(ctx).Raw(sql).Scan(&row).Error
	return row.NextSeq, row.TreeSize, storage.Translate(err)
}

// setTreeSize records how many events the tree holds.
func (st store) setTreeSize(ctx context.Context, size int64) error {
	return storage.Translate(st.db.Conn(ctx).Exec("UPDATE event_counter SET tree_size = ? WHERE id = 1", size).Error)
}

// treeSize returns the committed tree size: every node of a tree of that
// size is committed with it, so readers need no lock.
func (st store) treeSize(ctx context.Context) (uint64, error) {
	var size int64
	err := st.db.Conn(ctx).Raw("SELECT tree_size FROM event_counter WHERE id = 1").Scan(&size).Error
	return uint64(size), storage.Translate(err)
}

func (st store) insertEvent(ctx context.Context, ev *Event) error {
	return storage.Translate(st.db.Conn(ctx).Create(ev).Error)
}

// insertNodes writes perfect subtrees in one statement per 300 nodes.
func (st store) insertNodes(ctx context.Context, nodes []notary.Node) error {
	for len(nodes) > 0 {
		n := min(len(nodes), 300)
		var sql strings.Builder
		sql.WriteString("INSERT INTO log_nodes (height, idx, node_hash) VALUES ")
		args := make([]any, 0, 3*n)
		for i, nd := range nodes[:n] {
			if i > 0 {
				sql.WriteString(",")
			}
			sql.WriteString("(?,?,?)")
			args = append(args, nd.Height, int64(nd.Index), nd.Hash.String())
		}
		if err := st.db.Conn(ctx).Exec(sql.String(), args...).Error; err != nil {
			return storage.Translate(err)
		}
		nodes = nodes[n:]
	}
	return nil
}

// nodes is a notary.NodeSource over log_nodes: one query for all the ids,
// a row-value IN list of integer literals (computed here, never user text)
// that both dialects answer with primary-key lookups. Inside an append
// (locking) it reads with FOR UPDATE on MySQL: a plain read there could
// come from a snapshot taken before another replica's append committed, and
// miss the nodes that append wrote. SQLite's write lock, taken at BEGIN,
// already excludes other writers.
func (st store) nodes(ctx context.Context, locking bool) notary.NodeSource {
	return func(ids []notary.NodeID) ([]notary.Hash, error) {
		type key struct {
			h uint8
			i int64
		}
		var sql strings.Builder
		sql.WriteString("SELECT height, idx, node_hash FROM log_nodes WHERE (height, idx) IN (")
		if st.db.Dialect() == storage.SQLite {
			sql.WriteString("VALUES ") // SQLite takes a row-value IN list only as a subquery
		}
		for i, id := range ids {
			if i > 0 {
				sql.WriteString(",")
			}
			sql.WriteString("(" + strconv.Itoa(int(id.Height)) + "," + strconv.FormatUint(id.Index, 10) + ")")
		}
		sql.WriteString(")")
		if locking && st.db.Dialect() == storage.MySQL {
			sql.WriteString(" FOR UPDATE")
		}
		var rows []struct {
			Height   uint8
			Idx      int64
			NodeHash string
		}
		if err := st.db.Conn(ctx).Raw(sql.String()).Scan(&rows).Error; err != nil {
			return nil, storage.Translate(err)
		}
		found := make(map[key]string, len(rows))
		for _, r := range rows {
			found[key{r.Height, r.Idx}] = r.NodeHash
		}
		out := make([]notary.Hash, len(ids))
		for i, id := range ids {
			hex, ok := found[key{id.Height, int64(id.Index)}]
			h, err := notary.ParseHash(hex)
			if !ok || err != nil {
				return nil, apperr.Newf(apperr.Internal, "日志树节点 (%d, %d) 缺失或损坏",
					"log tree node (%d, %d) is missing or damaged", id.Height, id.Index)
			}
			out[i] = h
		}
		return out, nil
	}
}

// events returns up to limit events with from <= seq <= to, in order.
func (st store) events(ctx context.Context, from, to int64, limit int) ([]Event, error) {
	var out []Event
	err := st.db.Conn(ctx).Where("seq >= ? AND seq <= ?", from, to).Order("seq").Limit(limit).Find(&out).Error
	return out, storage.Translate(err)
}

// eventsWhere returns up to limit events matching column = value, in order.
func (st store) eventsWhere(ctx context.Context, column, value string, limit int) ([]Event, error) {
	var out []Event
	err := st.db.Conn(ctx).Where(column+" = ?", value).Order("seq").Limit(limit).Find(&out).Error
	return out, storage.Translate(err)
}

func (st store) subjectAfter(ctx context.Context, subject string, after int64, limit int) ([]Event, error) {
	var out []Event
	err := st.db.Conn(ctx).Where("subject = ? AND seq > ?", subject, after).Order("seq").Limit(limit).Find(&out).Error
	return out, storage.Translate(err)
}

func (st store) setLeafHash(ctx context.Context, seq int64, leaf notary.Hash) error {
	return storage.Translate(st.db.Conn(ctx).Exec("UPDATE events SET leaf_hash = ? WHERE seq = ?", leaf.String(), seq).Error)
}

// headRow is a row of tree_heads.
type headRow struct {
	ID        int64  `gorm:"column:id;primaryKey;autoIncrement"`
	TreeSize  int64  `gorm:"column:tree_size"`
	RootHash  string `gorm:"column:root_hash"`
	SignedAt  int64  `gorm:"column:signed_at"`
	KeyID     string `gorm:"column:key_id"`
	Signature string `gorm:"column:signature"`
}

// TableName maps headRow to the tree_heads table.
func (headRow) TableName() string { return "tree_heads" }

func (st store) insertHead(ctx context.Context, r *headRow) error {
	return storage.Translate(st.db.Conn(ctx).Create(r).Error)
}

// heads returns up to limit heads with id >= from in signing order, or the
// latest one when latest is set.
func (st store) heads(ctx context.Context, from int64, limit int, latest bool) ([]headRow, error) {
	var out []headRow
	q := st.db.Conn(ctx).Where("id >= ?", from).Order("id").Limit(limit)
	if latest {
		q = st.db.Conn(ctx).Order("id DESC").Limit(1)
	}
	return out, storage.Translate(q.Find(&out).Error)
}
