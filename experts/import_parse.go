package experts

import (
	"bytes"
	"encoding/csv"
	"errors"
	"io"
	"strings"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/tenderhall/tenderhall/internal/apperr"
)

// MaxImportRows is the most data rows one import file may hold.
const MaxImportRows = 50000

// ImportRow is one data row of an import file: Line is its 1-based line
// (row) number in the file, Expert what it says, Fields its problems.
type ImportRow struct {
	Line   int               `json:"line"`
	Expert NewExpert         `json:"-"`
	Fields map[string]string `json:"fields,omitempty"`
}

// columns maps each header the importer accepts, English or Chinese, to a
// field; required marks the columns a file must have.
var columns = map[string]string{
	"name": "name", "姓名": "name", "id_number": "idNumber", "身份证号": "idNumber",
	"phones": "phones", "电话": "phones", "employer_uscc": "employerUscc", "单位信用代码": "employerUscc",
	"employer_name": "employerName", "工作单位": "employerName", "employed_since": "employedSince", "入职日期": "employedSince",
	"region": "region", "地区": "region", "title": "title", "职称": "title", "level": "level", "级别": "level",
	"category": "category", "类别": "category", "specialties": "specialties", "专业": "specialties",
	"past_employers": "pastEmployers", "曾任职单位": "pastEmployers",
}

var required = []string{"name", "idNumber", "phones", "employerUscc", "employerName", "region", "category", "specialties"}

// ParseCSV reads a UTF-8 CSV (a BOM is skipped) with a header row and
// returns one ImportRow per data row. Errors: apperr.Invalid when the file
// is not CSV, lacks a required column or has more than MaxImportRows rows.
func ParseCSV(r io.Reader) ([]ImportRow, error) {
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = -1
	cr.ReuseRecord = false
	var records [][]string
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, apperr.Wrap(err, apperr.Invalid, "CSV 文件格式错误："+err.Error(), "the CSV file is malformed: "+err.Error()).WithCode("bad_import_file")
		}
		records = append(records, rec)
		if len(records) > MaxImportRows+1 {
			return nil, tooMany()
		}
	}
	return parseRecords(records)
}

// ParseXLSX reads the first sheet of an XLSX workbook like ParseCSV.
// Errors: apperr.Invalid when it is not a workbook or as ParseCSV.
func ParseXLSX(data []byte) ([]ImportRow, error) {
	f, err := excelize.OpenReader(bytes.NewReader(data))
	if err != nil {
		return nil, apperr.Wrap(err, apperr.Invalid, "不是有效的 XLSX 文件", "not a valid XLSX workbook").WithCode("bad_import_file")
	}
	defer f.Close()
	sheets := f.GetSheetList()
	if len(sheets) == 0 {
		return nil, apperr.New(apperr.Invalid, "工作簿中没有工作表", "the workbook has no sheet").WithCode("bad_import_file")
	}
	records, err := f.GetRows(sheets[0])
	if err != nil {
		return nil, apperr.Wrap(err, apperr.Invalid, "无法读取工作表", "cannot read the sheet").WithCode("bad_import_file")
	}
	if len(records) > MaxImportRows+1 {
		return nil, tooMany()
	}
	return parseRecords(records)
}

func tooMany() error {
	return apperr.Newf(apperr.Invalid, "导入文件最多 %d 行", "an import file holds at most %d rows", MaxImportRows).WithCode("import_too_large")
}

func parseRecords(records [][]string) ([]ImportRow, error) {
	if len(records) == 0 {
		return nil, apperr.New(apperr.Invalid, "导入文件为空，缺少表头", "the import file is empty: no header row").WithCode("bad_import_file")
	}
	index := map[string]int{}
	for i, h := range records[0] {
		h = strings.ToLower(strings.TrimSpace(strings.TrimPrefix(h, "\ufeff")))
		if f, ok := columns[h]; ok {
			index[f] = i
		}
	}
	missing := apperr.New(apperr.Invalid, "导入文件缺少必需的列", "the import file lacks required columns").WithCode("missing_columns")
	for _, f := range required {
		if _, ok := index[f]; !ok {
			missing.WithField(f, "column missing")
		}
	}
	if len(missing.Fields) > 0 {
		return nil, missing
	}
	var out []ImportRow
	for i, rec := range records[1:] {
		if blank(rec) {
			continue
		}
		out = append(out, parseRow(i+2, rec, index))
	}
	return out, nil
}

func blank(rec []string) bool {
	for _, v := range rec {
		if strings.TrimSpace(v) != "" {
			return false
		}
	}
	return true
}

func parseRow(line int, rec []string, index map[string]int) ImportRow {
	row := ImportRow{Line: line}
	get := func(f string) string {
		if i, ok := index[f]; ok && i < len(rec) {
			return strings.TrimSpace(rec[i])
		}
		return ""
	}
	problem := func(f, p string) {
		if row.Fields == nil {
			row.Fields = map[string]string{}
		}
		row.Fields[f] = p
	}
	n := NewExpert{Name: get("name"), IDNumber: get("idNumber"), Phones: splitList(get("phones")), EmployerUSCC: get("employerUscc"),
		EmployerName: get("employerName"), Region: get("region"), Title: get("title"), Level: get("level"),
		Category: parseCategory(get("category")), Specialties: splitList(get("specialties"))}
	if s := get("employedSince"); s != "" {
		if t, err := time.Parse(time.DateOnly, s); err == nil {
			n.EmployedSince = &t
		} else {
			problem("employedSince", "a date YYYY-MM-DD")
		}
	}
	for _, item := range splitList(get("pastEmployers")) {
		parts := strings.Split(item, "|")
		if len(parts) != 4 {
			problem("pastEmployers", "items USCC|name|YYYY-MM-DD|YYYY-MM-DD separated by ;")
			continue
		}
		from, err1 := time.Parse(time.DateOnly, strings.TrimSpace(parts[2]))
		until, err2 := time.Parse(time.DateOnly, strings.TrimSpace(parts[3]))
		if err1 != nil || err2 != nil {
			problem("pastEmployers", "dates YYYY-MM-DD")
			continue
		}
		n.PastEmployers = append(n.PastEmployers, PastJob{EmployerUSCC: strings.TrimSpace(parts[0]), EmployerName: strings.TrimSpace(parts[1]), From: from, Until: until})
	}
	if err := n.validate(); err != nil {
		if ae, ok := apperr.As(err); ok {
			for f, p := range ae.Fields {
				problem(f, p)
			}
		}
	}
	row.Expert = n
	return row
}

func parseCategory(s string) Category {
	switch strings.TrimSpace(s) {
	case "技术", "技术类":
		return Technical
	case "经济", "经济类":
		return Economic
	}
	return Category(strings.ToLower(s))
}

// splitList splits a cell on ; ； or 、 and drops empty items.
func splitList(s string) []string {
	var out []string
	for _, p := range strings.FieldsFunc(s, func(r rune) bool { return r == ';' || r == '；' || r == '、' }) {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}
