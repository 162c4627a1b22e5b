package experts

import (
	"context"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/tenderhall/tenderhall/internal/apperr"
)

func csvOf(experts []NewExpert, extra ...string) string {
	var b strings.Builder
	b.WriteString("\ufeff姓名,身份证号,电话,单位信用代码,工作单位,地区,职称,级别,类别,专业,past_employers\n")
	for _, e := range experts {
		b.WriteString(strings.Join([]string{e.Name, e.IDNumber, strings.Join(e.Phones, ";"), e.EmployerUSCC, e.EmployerName,
			e.Region, e.Title, e.Level, map[Category]string{Technical: "技术", Economic: "经济"}[e.Category],
			strings.Join(e.Specialties, "；"), ""}, ","))
		b.WriteString("\n")
	}
	for _, l := range extra {
		b.WriteString(l + "\n")
	}
	return b.String()
}

// TestImportReportsRowsAndNeverDoubleCounts imports a CSV with good rows,
// malformed rows and a repeated ID number, then the same file again, then
// as XLSX: the pool holds each expert once and every bad row is reported
// with its line and field.
func TestImportReportsRowsAndNeverDoubleCounts(t *testing.T) {
	forEachBackend(t, func(t *testing.T, f *fixture) {
		ctx := context.Background()
		good := DemoPool(5, 5)
		bad := []string{
			"王五,350102198001011234,13800138000," + good[0].EmployerUSCC + ",某单位,350102,高工,省级,技术,A040303,", // bad ID check character
			"赵六," + completeID("35010219800101567") + ",12345," + good[0].EmployerUSCC + ",某单位,350102,高工,省级,技术,A040303,",
			"孙七," + completeID("35010219800101568") + ",13800138000,NOTACODE,某单位,35,高工,省级,管理,X1,",
			good[1].Name + "," + good[1].IDNumber + ",13900000000," + good[1].EmployerUSCC + ",重复,350102,高工,省级,技术,A040303,",
		}
		doc := csvOf(good, bad...)
		rep, err := f.svc.ImportFile(ctx, f.admin, "csv", []byte(doc))
		if err != nil {
			t.Fatal(err)
		}
		if rep.Created != 5 || rep.Invalid != 3 || rep.Duplicates != 1 || rep.Updated != 0 {
			t.Fatalf("first import %+v", rep)
		}
		wantFields := map[int][]string{7: {"idNumber"}, 8: {"phones"}, 9: {"employerUscc", "region", "category", "specialties"}}
		for _, r := range rep.Rows {
			for _, fld := range wantFields[r.Line] {
				if r.Status != RowInvalid || r.Fields[fld] == "" {
					t.Errorf("line %d: %+v lacks a %s problem", r.Line, r, fld)
				}
			}
			if r.Line == 10 && r.Status != RowDuplicate {
				t.Errorf("line 10: %+v, want duplicate_in_file", r)
			}
		}
		again, err := f.svc.ImportFile(ctx, f.admin, "", []byte(doc))
		if err != nil || again.Created != 0 || again.Updated != 5 {
			t.Fatalf("re-import %+v %v: nothing may be added", again, err)
		}
		x := excelize.NewFile()
		rows := strings.Split(strings.TrimSpace(csvOf(good)), "\n")
		for i, line := range rows {
			cells := strings.Split(line, ",")
			for j, c := range cells {
				name, _ := excelize.CoordinatesToCellName(j+1, i+1)
				x.SetCellValue("Sheet1", name, c)
			}
		}
		buf, err := x.WriteToBuffer()
		if err != nil {
			t.Fatal(err)
		}
		viaXLSX, err := f.svc.ImportFile(ctx, f.admin, "", buf.Bytes())
		if err != nil || viaXLSX.Created != 0 || viaXLSX.Updated != 5 {
			t.Fatalf("XLSX re-import %+v %v", viaXLSX, err)
		}
		page, err := f.svc.List(ctx, f.admin, 0, 100, "")
		if err != nil || page.Total != 5 {
			t.Fatalf("pool holds %d experts (%v), want 5", page.Total, err)
		}
		for _, e := range page.Experts {
			if strings.Contains(e.IDMask, e.IDNumber) || !strings.Contains(e.IDMask, "*") || !strings.Contains(e.PhoneMask, "****") {
				t.Errorf("expert %d not masked: %q %q", e.ID, e.IDMask, e.PhoneMask)
			}
		}
		var stored []string
		if err := f.db.Conn(ctx).Raw("SELECT id_number FROM experts UNION ALL SELECT phones FROM experts").Scan(&stored).Error; err != nil {
			t.Fatal(err)
		}
		for _, s := range stored {
			for _, e := range good {
				if strings.Contains(s, e.IDNumber) || strings.Contains(s, e.Phones[0]) {
					t.Fatalf("personal data stored in the clear: %q", s)
				}
			}
		}
		if _, err := f.svc.ImportFile(ctx, f.agent, "csv", []byte(doc)); !apperr.Is(err, apperr.Forbidden) {
			t.Errorf("agent import: %v", err)
		}
	})
}

func TestParseRefusesBrokenFiles(t *testing.T) {
	for name, doc := range map[string]string{
		"empty":           "",
		"missing columns": "name,phones\n张三,13800138000\n",
		"bad quoting":     "name,id_number,phones,employer_uscc,employer_name,region,category,specialties\n\"张三,1\n",
	} {
		_, err := ParseCSV(strings.NewReader(doc))
		if ae, ok := apperr.As(err); !ok || ae.Kind != apperr.Invalid || ae.Zh == "" || ae.En == "" {
			t.Errorf("%s: %v, want a bilingual Invalid", name, err)
		}
	}
	if _, err := ParseXLSX([]byte("PK\x03\x04 not a zip")); !apperr.Is(err, apperr.Invalid) {
		t.Errorf("broken xlsx: %v", err)
	}
}

// FuzzParseCSV: any input either fails with apperr.Invalid or yields rows
// with increasing line numbers, each valid or carrying field problems.
func FuzzParseCSV(f *testing.F) {
	f.Add(csvOf(DemoPool(2, 2)))
	f.Add("name,id_number,phones,employer_uscc,employer_name,region,category,specialties\n,,,,,,,\n")
	f.Add("姓名,身份证号,电话,单位信用代码,工作单位,地区,类别,专业,入职日期,曾任职单位\na,b,c,d,e,f,g,h,2020-13-01,x|y|z\n")
	f.Fuzz(func(t *testing.T, doc string) {
		rows, err := ParseCSV(strings.NewReader(doc))
		if err != nil {
			if !apperr.Is(err, apperr.Invalid) {
				t.Fatalf("error of kind %v: %v", apperr.KindOf(err), err)
			}
			return
		}
		last := 0
		for _, r := range rows {
			if r.Line <= last {
				t.Fatalf("line %d after %d", r.Line, last)
			}
			last = r.Line
			if len(r.Fields) == 0 {
				if err := r.Expert.validate(); err != nil {
					t.Fatalf("row %d has no problems but does not validate: %v", r.Line, err)
				}
			}
		}
	})
}
