package approval

import (
	"bytes"
	"context"
	"fmt"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/tenderhall/tenderhall/internal/apperr"
)

var importHeader = []string{"事项编码", "事项名称", "审批部门ID", "设定依据", "受理条件", "法定时限", "承诺时限", "收费（元）",
	"跑动次数", "网上可办", "直通车", "办理环节", "申请材料", "窗口名称", "窗口地址", "投诉电话"}

// workbook writes rows under the Chinese header as an XLSX file.
func workbook(t testing.TB, rows ...[]any) []byte {
	t.Helper()
	f := excelize.NewFile()
	defer f.Close()
	all := append([][]any{{}}, rows...)
	for _, h := range importHeader {
		all[0] = append(all[0], h)
	}
	for i, r := range all {
		cell, _ := excelize.CoordinatesToCellName(1, i+1)
		if err := f.SetSheetRow("Sheet1", cell, &r); err != nil {
			t.Fatal(err)
		}
	}
	var buf bytes.Buffer
	if err := f.Write(&buf); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func importRow(code string, dept int64, legal, promised int, steps string) []any {
	return []any{code, "事项 " + code, dept, "《行政许可法》", "—", legal, promised, 0, 0, "是", "否", steps,
		"application|申请表|原件；licence|营业执照|证照库；plan|方案|纸质 可选", "综合窗口", "一楼", "12345"}
}

// TestImportItemsAllOrNothing: a workbook with bad rows saves nothing and
// names every bad cell by row; the corrected workbook saves every row, as
// version 1, then as version 2 when imported again; materials' marks are
// read.
func TestImportItemsAllOrNothing(t *testing.T) {
	forEachBackend(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		bad := workbook(t,
			importRow("IMP-001", e.dept, 10, 5, "受理:1；审查:3"),
			importRow("IMP-002", e.dept, 5, 8, "受理:1"),                           // promised over legal
			importRow("IMP-003", e.dept, 10, 5, "受理:一天"),                         // bad step
			[]any{"IMP-004", "事项", "abc", "", "", 10, 5, 0, 0, "是", "否", "受理:1"}, // bad department id
		)
		_, err := e.svc.ImportItems(ctx, admin, bad)
		wantErr(t, err, apperr.Invalid, "import_rejected")
		ae, _ := apperr.As(err)
		for _, f := range []string{"row 3.promisedDays", "row 4.steps", "row 5.departmentOrgId"} {
			if ae.Fields[f] == "" {
				t.Errorf("no problem reported for %s: %v", f, ae.Fields)
			}
		}
		if _, ok := ae.Fields["row 2.code"]; ok {
			t.Errorf("the good row is reported: %v", ae.Fields)
		}
		if items, _ := e.svc.Items(ctx, "", true); len(items) != 0 {
			t.Fatalf("a rejected import saved %d items", len(items))
		}

		good := workbook(t, importRow("IMP-001", e.dept, 10, 5, "受理:1；审查:3"), importRow("IMP-002", e.other, 8, 4, "受理：1;决定:2"))
		for version := 1; version <= 2; version++ {
			rep, err := e.svc.ImportItems(ctx, admin, good)
			if err != nil || len(rep.Saved) != 2 || rep.Saved[1].Line != 3 || rep.Saved[0].Version != version {
				t.Fatalf("import %d: %v %+v", version, err, rep)
			}
		}
		it, err := e.svc.Item(ctx, "IMP-002")
		if err != nil || it.DepartmentOrgID != e.other || len(it.Steps) != 2 || it.Steps[0].Name != "受理" || !it.Online {
			t.Fatalf("IMP-002: %v %+v", err, it)
		}
		m := it.Materials
		if len(m) != 3 || !m[0].Original || !m[1].FromLibrary || m[2].Form != "paper" || m[2].Required || !m[0].Required {
			t.Fatalf("materials: %+v", m)
		}
	})
}

func TestImportItemsRejectsBadFilesAndRoles(t *testing.T) {
	e := newEnv(t, "sqlite")
	ctx := context.Background()
	_, err := e.svc.ImportItems(ctx, e.officer(), workbook(t, importRow("IMP-001", e.dept, 10, 5, "受理:1")))
	wantErr(t, err, apperr.Forbidden, "")
	for name, data := range map[string][]byte{
		"not a workbook": []byte("事项编码,事项名称\n"),
		"empty":          nil,
		"header only":    workbook(t),
		"truncated":      workbook(t, importRow("IMP-001", e.dept, 10, 5, "受理:1"))[:200],
	} {
		if _, err := e.svc.ImportItems(ctx, admin, data); !apperr.Is(err, apperr.Invalid) {
			t.Errorf("%s: %v", name, err)
		}
	}
	f := excelize.NewFile()
	_ = f.SetSheetRow("Sheet1", "A1", &[]any{"事项编码", "事项名称"})
	_ = f.SetSheetRow("Sheet1", "A2", &[]any{"X", "Y"})
	var buf bytes.Buffer
	_ = f.Write(&buf)
	_, err = e.svc.ImportItems(ctx, admin, buf.Bytes())
	wantErr(t, err, apperr.Invalid, "bad_import_file")
	if ae, _ := apperr.As(err); ae == nil || !bytes.Contains([]byte(ae.Error()), []byte("departmentOrgId")) {
		t.Fatalf("missing column not named: %v", err)
	}
}

// FuzzParseItemsXLSX: any bytes give rows or an Invalid error, never a panic.
func FuzzParseItemsXLSX(f *testing.F) {
	f.Add(workbook(f, importRow("IMP-001", 1, 10, 5, "受理:1；审查:3")))
	f.Add([]byte("PK\x03\x04"))
	f.Fuzz(func(t *testing.T, data []byte) {
		rows, err := ParseItemsXLSX(data)
		if err != nil {
			if !apperr.Is(err, apperr.Invalid) {
				t.Fatalf("error of kind other than Invalid: %v", err)
			}
			return
		}
		for _, r := range rows {
			if r.Line < 2 {
				t.Fatalf("row line %d", r.Line)
			}
		}
		_ = fmt.Sprint(rows)
	})
}
