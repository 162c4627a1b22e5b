package approval

import (
	"bytes"
	"context"
	"fmt"
	"strconv"
	"strings"

	"github.com/xuri/excelize/v2"

	"github.com/tenderhall/tenderhall/accounts"
	"github.com/tenderhall/tenderhall/internal/apperr"
)

// MaxImportItems is the most data rows one catalogue workbook may hold.
const MaxImportItems = 2000

// ImportReport is what an import did: the items saved (each as its next
// version), or nothing and the problems of every bad row.
type ImportReport struct {
	Saved []ImportedItem `json:"saved"`
}

// ImportedItem is one saved row: its line in the sheet, the code and the
// version it got.
type ImportedItem struct {
	Line    int    `json:"line"`
	Code    string `json:"code"`
	Version int    `json:"version"`
}

// importColumns maps the headers the importer accepts, Chinese or English,
// to item fields.
var importColumns = map[string]string{
	"事项编码": "code", "code": "code", "事项名称": "name", "name": "name",
	"审批部门ID": "departmentOrgId", "departmentOrgId": "departmentOrgId", "设定依据": "legalBasis", "legalBasis": "legalBasis",
	"受理条件": "conditions", "conditions": "conditions", "法定时限": "legalDays", "legalDays": "legalDays",
	"承诺时限": "promisedDays", "promisedDays": "promisedDays", "收费（元）": "feeYuan", "收费(元)": "feeYuan", "feeYuan": "feeYuan",
	"跑动次数": "visits", "visits": "visits", "网上可办": "online", "online": "online", "直通车": "fastLane", "fastLane": "fastLane",
	"办理环节": "steps", "steps": "steps", "申请材料": "materials", "materials": "materials",
	"窗口名称": "windowName", "windowName": "windowName", "窗口地址": "windowLocation", "windowLocation": "windowLocation",
	"投诉电话": "complaintPhone", "complaintPhone": "complaintPhone",
}

var importRequired = []string{"code", "name", "departmentOrgId", "legalDays", "promisedDays", "steps"}

// ImportItems saves every row of the workbook's first sheet as an item, in
// one transaction: all rows are saved or none. Steps are written
// "受理:1；审查:6"; materials "key|名称|标记；…" where the marks are any of
// 纸质 (paper), 原件 (original), 可选 (optional), 证照库 (the library may
// satisfy it). Errors: Forbidden unless actor is an administrator; Invalid
// bad_import_file for what is not such a workbook; Invalid import_rejected
// with a field per bad cell ("row 3.promisedDays") when any row is bad,
// nothing saved; NotFound when a row names an unknown department.
func (s *Service) ImportItems(ctx context.Context, actor accounts.Principal, data []byte) (ImportReport, error) {
	if err := requireAdmin(actor); err != nil {
		return ImportReport{}, err
	}
	rows, err := ParseItemsXLSX(data)
	if err != nil {
		return ImportReport{}, err
	}
	bad := apperr.New(apperr.Invalid, "导入文件中有错误的行，未导入任何事项", "some rows of the file are invalid; no item was imported").WithCode("import_rejected")
	n := 0
	for _, r := range rows {
		for f, msg := range r.Fields {
			bad.WithField(fmt.Sprintf("row %d.%s", r.Line, f), msg)
			n++
		}
		if len(r.Fields) > 0 {
			continue
		}
		if ae, ok := apperr.As(validateItem(r.Item)); ok {
			for f, msg := range ae.Fields {
				bad.WithField(fmt.Sprintf("row %d.%s", r.Line, f), msg)
				n++
			}
		}
	}
	if n > 0 {
		return ImportReport{}, bad
	}
	var rep ImportReport
	err = s.db.InTx(ctx, func(ctx context.Context) error {
		rep.Saved = rep.Saved[:0]
		for _, r := range rows {
			it, err := s.SaveItem(ctx, actor, r.Item)
			if err != nil {
				return fmt.Errorf("row %d: %w", r.Line, err)
			}
			rep.Saved = append(rep.Saved, ImportedItem{Line: r.Line, Code: it.Code, Version: it.Version})
		}
		return nil
	})
	return rep, err
}

// ItemRow is one parsed data row: its line in the sheet, the item it
// describes and the problems of its cells.
type ItemRow struct {
	Line   int
	Item   Item
	Fields map[string]string
}

// ParseItemsXLSX reads the first sheet of a workbook with a header row.
// Errors: Invalid bad_import_file when it is not a workbook, has no sheet,
// lacks a required column, has no data row or more than MaxImportItems.
func ParseItemsXLSX(data []byte) ([]ItemRow, error) {
	f, err := excelize.OpenReader(bytes.NewReader(data))
	if err != nil {
		return nil, badFile("不是有效的 XLSX 文件", "not a valid XLSX workbook")
	}
	defer f.Close()
	sheets := f.GetSheetList()
	if len(sheets) == 0 {
		return nil, badFile("工作簿中没有工作表", "the workbook has no sheet")
	}
	records, err := f.GetRows(sheets[0])
	if err != nil {
		return nil, badFile("无法读取工作表", "cannot read the sheet")
	}
	if len(records) < 2 {
		return nil, badFile("工作表没有数据行", "the sheet has no data row")
	}
	if len(records) > MaxImportItems+1 {
		return nil, badFile(fmt.Sprintf("一次最多导入 %d 个事项", MaxImportItems), fmt.Sprintf("at most %d items per file", MaxImportItems))
	}
	cols := map[string]int{}
	for i, h := range records[0] {
		if f, ok := importColumns[strings.TrimSpace(strings.TrimPrefix(h, "\ufeff"))]; ok {
			cols[f] = i
		}
	}
	for _, f := range importRequired {
		if _, ok := cols[f]; !ok {
			return nil, badFile("缺少必需的列："+f, "a required column is missing: "+f)
		}
	}
	var rows []ItemRow
	for i, rec := range records[1:] {
		if blank(rec) {
			continue
		}
		rows = append(rows, parseItemRow(i+2, rec, cols))
	}
	return rows, nil
}

func badFile(zh, en string) error {
	return apperr.New(apperr.Invalid, zh, en).WithCode("bad_import_file")
}

func blank(rec []string) bool {
	for _, c := range rec {
		if strings.TrimSpace(c) != "" {
			return false
		}
	}
	return true
}

func parseItemRow(line int, rec []string, cols map[string]int) ItemRow {
	r := ItemRow{Line: line, Fields: map[string]string{}}
	cell := func(f string) string {
		if i, ok := cols[f]; ok && i < len(rec) {
			return strings.TrimSpace(rec[i])
		}
		return ""
	}
	num := func(f string) int64 {
		v := cell(f)
		if v == "" {
			return 0
		}
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			r.Fields[f] = "not a whole number: " + v
		}
		return n
	}
	yes := func(f string) bool { v := cell(f); return v == "是" || strings.EqualFold(v, "yes") || v == "1" }
	it := &r.Item
	it.Code, it.Name, it.LegalBasis, it.Conditions = cell("code"), cell("name"), cell("legalBasis"), cell("conditions")
	it.DepartmentOrgID = num("departmentOrgId")
	it.LegalDays, it.PromisedDays, it.Visits = int(num("legalDays")), int(num("promisedDays")), int(num("visits"))
	it.FeeFen = num("feeYuan") * 100
	it.Online, it.FastLane = yes("online"), yes("fastLane")
	it.WindowName, it.WindowLocation, it.ComplaintPhone = cell("windowName"), cell("windowLocation"), cell("complaintPhone")
	var err error
	if it.Steps, err = parseSteps(cell("steps")); err != nil {
		r.Fields["steps"] = err.Error()
	}
	if it.Materials, err = parseMaterials(cell("materials")); err != nil {
		r.Fields["materials"] = err.Error()
	}
	return r
}

// splitList splits a cell at ';', '；' or new lines, dropping empty parts.
func splitList(s string) []string {
	return strings.FieldsFunc(s, func(r rune) bool { return r == ';' || r == '；' || r == '\n' })
}

func parseSteps(s string) ([]Step, error) {
	var out []Step
	for _, part := range splitList(s) {
		name, days, ok := strings.Cut(strings.ReplaceAll(part, "：", ":"), ":")
		n, err := strconv.Atoi(strings.TrimSpace(days))
		if !ok || err != nil {
			return nil, fmt.Errorf("step %q: want 名称:工作日, e.g. 受理:1", part)
		}
		out = append(out, Step{Name: strings.TrimSpace(name), Days: n})
	}
	return out, nil
}

func parseMaterials(s string) ([]Material, error) {
	var out []Material
	for _, part := range splitList(s) {
		f := strings.Split(part, "|")
		if len(f) < 2 || len(f) > 3 {
			return nil, fmt.Errorf("material %q: want key|名称|标记", part)
		}
		m := Material{Key: strings.TrimSpace(f[0]), Name: strings.TrimSpace(f[1]), Form: "electronic", Required: true}
		if len(f) == 3 {
			marks := f[2]
			m.Original = strings.Contains(marks, "原件")
			m.Required = !strings.Contains(marks, "可选")
			m.FromLibrary = strings.Contains(marks, "证照库")
			if strings.Contains(marks, "纸质") {
				m.Form = "paper"
			}
		}
		out = append(out, m)
	}
	return out, nil
}
