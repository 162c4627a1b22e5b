package api

import (
	"bytes"
	"net/http"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/tenderhall/tenderhall/accounts"
	"github.com/tenderhall/tenderhall/approval"
)

// TestItemImportOverHTTP: an administrator's workbook becomes guides; a bad
// row is named by row and column and nothing is saved; an officer may not
// import.
func TestItemImportOverHTTP(t *testing.T) {
	forEachBackend(t, func(t *testing.T, e *testEnv) {
		dept := e.principal(accounts.RoleOfficer).OrgID
		book := func(promised int) string {
			f := excelize.NewFile()
			defer f.Close()
			_ = f.SetSheetRow("Sheet1", "A1", &[]any{"事项编码", "事项名称", "审批部门ID", "法定时限", "承诺时限", "办理环节", "申请材料", "网上可办"})
			_ = f.SetSheetRow("Sheet1", "A2", &[]any{"IMP-HTTP-1", "导入的事项", dept, 10, promised, "受理:1", "application|申请表|原件", "是"})
			var buf bytes.Buffer
			_ = f.Write(&buf)
			return buf.String()
		}
		admin, officer := e.tokens[accounts.RoleAdmin], e.tokens[accounts.RoleOfficer]
		wantStatus(t, e.do("POST", "/api/v1/approval/item-imports", officer, book(5)), http.StatusForbidden)

		resp := e.do("POST", "/api/v1/approval/item-imports", admin, book(20))
		wantStatus(t, resp, http.StatusBadRequest)
		var bad struct {
			Error struct {
				Code   string            `json:"code"`
				Fields map[string]string `json:"fields"`
			} `json:"error"`
		}
		decode(t, resp, &bad)
		if bad.Error.Code != "import_rejected" || bad.Error.Fields["row 2.promisedDays"] == "" {
			t.Fatalf("rejection: %+v", bad)
		}
		wantStatus(t, e.do("GET", "/api/v1/public/approval/items/IMP-HTTP-1", "", nil), http.StatusNotFound)

		resp = e.do("POST", "/api/v1/approval/item-imports", admin, book(5))
		wantStatus(t, resp, http.StatusCreated)
		var rep approval.ImportReport
		decode(t, resp, &rep)
		if len(rep.Saved) != 1 || rep.Saved[0].Code != "IMP-HTTP-1" || rep.Saved[0].Version != 1 {
			t.Fatalf("report: %+v", rep)
		}
		resp = e.do("GET", "/api/v1/public/approval/items/IMP-HTTP-1", "", nil)
		wantStatus(t, resp, http.StatusOK)
		var g ItemGuide
		decode(t, resp, &g)
		if g.Name != "导入的事项" || len(g.Materials) != 1 || !g.Materials[0].Original || g.Stars != 5 {
			t.Fatalf("guide: %+v", g)
		}
	})
}
