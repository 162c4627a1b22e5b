package spool

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"time"
)

// JournalName is the file in the spool directory where the uploader keeps
// what it has seen, uploaded and had logged, so that a restarted uploader
// neither loses an entry nor sends one twice.
const JournalName = ".tenderhall-spool.jsonl"

// entry is one segment the encoder finished, as the uploader first saw it.
type entry struct {
	Seq      int64     `json:"seq"`
	File     string    `json:"file"`
	Duration int64     `json:"durationMs"`
	Start    time.Time `json:"start"` // program date time, already on the platform's clock
	state    int
	why      string
}

const (
	seen     = iota
	uploaded // the platform holds the bytes
	logged   // the platform logged it under a signed head
	refused  // the platform will never take it: why says so
)

// record is one line of the journal: an entry seen, or a later state of
// the entry with sequence number Seq.
type record struct {
	Seen  *entry `json:"seen,omitempty"`
	Seq   int64  `json:"seq"`
	State int    `json:"state,omitempty"`
	Why   string `json:"why,omitempty"`
}

// journal is the append-only state file; every write is synced before the
// uploader acts on it.
type journal struct {
	f       *os.File
	entries []*entry // in sequence order
	bySeq   map[int64]*entry
}

// openJournal replays dir's journal (a torn last line, from a crash in the
// middle of a write, is dropped) and opens it for appending.
func openJournal(dir string) (*journal, error) {
	path := filepath.Join(dir, JournalName)
	j := &journal{bySeq: map[int64]*entry{}}
	if err := j.replay(path); err != nil {
		return nil, err
	}
	f, err := os.OpenFile(path, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		return nil, err
	}
	j.f = f
	return j, nil
}

func (j *journal) replay(path string) error {
	raw, err := os.Open(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	defer raw.Close()
	sc := bufio.NewScanner(raw)
	for sc.Scan() {
		var r record
		if json.Unmarshal(sc.Bytes(), &r) != nil {
			continue // a torn write; the step it recorded is redone
		}
		j.apply(r)
	}
	return sc.Err()
}

func (j *journal) apply(r record) {
	if r.Seen != nil {
		if _, dup := j.bySeq[r.Seen.Seq]; !dup {
			e := *r.Seen
			j.entries = append(j.entries, &e)
			j.bySeq[e.Seq] = &e
		}
		return
	}
	if e := j.bySeq[r.Seq]; e != nil && e.state < r.State {
		e.state, e.why = r.State, r.Why
	}
}

// write appends records and syncs them.
func (j *journal) write(rs ...record) error {
	w := bufio.NewWriter(j.f)
	for _, r := range rs {
		b, err := json.Marshal(r)
		if err != nil {
			return err
		}
		w.Write(append(b, '\n'))
	}
	if err := w.Flush(); err != nil {
		return fmt.Errorf("write the spool journal: %w", err)
	}
	if err := j.f.Sync(); err != nil {
		return fmt.Errorf("sync the spool journal: %w", err)
	}
	for _, r := range rs {
		j.apply(r)
	}
	return nil
}

// last is the highest sequence number seen, or -1.
func (j *journal) last() int64 {
	if len(j.entries) == 0 {
		return -1
	}
	return j.entries[len(j.entries)-1].Seq
}

func (j *journal) close() error { return j.f.Close() }
