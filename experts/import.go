package experts

import (
	"context"
	"sort"
	"strconv"
	"strings"

	"github.com/tenderhall/tenderhall/accounts"
	"github.com/tenderhall/tenderhall/eventlog"
	"github.com/tenderhall/tenderhall/internal/apperr"
)

// The outcome of one import row.
const (
	RowCreated   = "created"           // a new expert
	RowUpdated   = "updated"           // the ID number was in the pool: its details were replaced, nothing added
	RowDuplicate = "duplicate_in_file" // the ID number appeared on an earlier line of the same file
	RowInvalid   = "invalid"           // see Fields
)

// RowReport is the outcome of one data row.
type RowReport struct {
	Line     int               `json:"line"`
	Status   string            `json:"status"`
	ExpertID int64             `json:"expertId,omitempty"`
	Fields   map[string]string `json:"fields,omitempty"`
	Message  string            `json:"message,omitempty"`
}

// ImportReport counts an import's outcomes and reports every row that was
// not simply created.
type ImportReport struct {
	Created    int         `json:"created"`
	Updated    int         `json:"updated"`
	Duplicates int         `json:"duplicates"`
	Invalid    int         `json:"invalid"`
	Rows       []RowReport `json:"rows"`
}

// ImportFile parses data as CSV or XLSX (by format "csv" or "xlsx", or by
// the XLSX zip signature when format is empty) and imports it.
// Errors: those of ParseCSV/ParseXLSX and Import.
func (s *Service) ImportFile(ctx context.Context, actor accounts.Principal, format string, data []byte) (ImportReport, error) {
	if err := requireAdmin(actor); err != nil {
		return ImportReport{}, err
	}
	var rows []ImportRow
	var err error
	switch strings.ToLower(format) {
	case "xlsx":
		rows, err = ParseXLSX(data)
	case "csv":
		rows, err = ParseCSV(strings.NewReader(string(data)))
	case "":
		if len(data) >= 4 && string(data[:4]) == "PK\x03\x04" {
			rows, err = ParseXLSX(data)
		} else {
			rows, err = ParseCSV(strings.NewReader(string(data)))
		}
	default:
		err = apperr.New(apperr.Invalid, "导入格式应为 csv 或 xlsx", "the import format must be csv or xlsx").WithField("format", "csv or xlsx")
	}
	if err != nil {
		return ImportReport{}, err
	}
	return s.Import(ctx, actor, rows)
}

// Import adds the valid rows to the pool in one transaction (event
// "experts.imported" with the counts), and reports each row. A row whose ID
// number is already in the pool updates that expert instead of adding one;
// a repeated ID number within the rows is reported, not imported, so an
// import run twice adds nobody the second time. Errors: apperr.Forbidden
// unless the actor is an administrator; otherwise those of storage (then
// nothing is imported).
func (s *Service) Import(ctx context.Context, actor accounts.Principal, rows []ImportRow) (ImportReport, error) {
	if err := requireAdmin(actor); err != nil {
		return ImportReport{}, err
	}
	rep := ImportReport{Rows: []RowReport{}}
	err := s.db.InTx(ctx, func(ctx context.Context) error {
		rep = ImportReport{Rows: []RowReport{}}
		seen := map[string]int{}
		for _, r := range rows {
			if len(r.Fields) > 0 {
				rep.Invalid++
				rep.Rows = append(rep.Rows, RowReport{Line: r.Line, Status: RowInvalid, Fields: r.Fields, Message: fieldsMessage(r.Fields)})
				continue
			}
			if first, ok := seen[r.Expert.IDNumber]; ok {
				rep.Duplicates++
				rep.Rows = append(rep.Rows, RowReport{Line: r.Line, Status: RowDuplicate,
					Message: "身份证号与第 " + strconv.Itoa(first) + " 行重复 / same ID number as line " + strconv.Itoa(first)})
				continue
			}
			seen[r.Expert.IDNumber] = r.Line
			e, created, err := s.upsert(ctx, actor, r.Expert, true)
			if err != nil {
				return err
			}
			if created {
				rep.Created++
			} else {
				rep.Updated++
				rep.Rows = append(rep.Rows, RowReport{Line: r.Line, Status: RowUpdated, ExpertID: e.ID})
			}
		}
		_, err := s.events.Append(ctx, eventlog.Entry{Type: "experts.imported", Subject: "experts", Actor: actor.Actor(),
			Payload: map[string]int{"created": rep.Created, "updated": rep.Updated, "duplicates": rep.Duplicates, "invalid": rep.Invalid}})
		return err
	})
	sort.SliceStable(rep.Rows, func(i, j int) bool { return rep.Rows[i].Line < rep.Rows[j].Line })
	return rep, err
}

func fieldsMessage(f map[string]string) string {
	keys := make([]string, 0, len(f))
	for k := range f {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = k + ": " + f[k]
	}
	return "本行有误 / row rejected: " + strings.Join(parts, "; ")
}
