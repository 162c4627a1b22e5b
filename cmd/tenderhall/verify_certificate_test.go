package main

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/tenderhall/tenderhall/accounts"
	"github.com/tenderhall/tenderhall/api"
	"github.com/tenderhall/tenderhall/approval"
	"github.com/tenderhall/tenderhall/eventlog"
	"github.com/tenderhall/tenderhall/internal/clock"
	"github.com/tenderhall/tenderhall/internal/dbtest"
	"github.com/tenderhall/tenderhall/notary"
	"github.com/tenderhall/tenderhall/storage"
	"github.com/tenderhall/tenderhall/storage/storagetest"
)

// certFixture is a platform over HTTP that has issued one certificate,
// with the PDF and the department's public key on disk.
type certFixture struct {
	svc            *approval.Service
	officer        accounts.Principal
	url, pdf, pub  string
	no, dir, other string
}

func newCertFixture(t *testing.T) certFixture {
	t.Helper()
	ctx := context.Background()
	db := storagetest.Open(t, dbtest.SQLite)
	clk := clock.NewFake(time.Date(2026, 9, 22, 1, 0, 0, 0, time.UTC))
	events := eventlog.New(db, clk)
	fields, _ := notary.NewFieldCipher(make([]byte, notary.FieldKeySize))
	blobs, err := storage.NewFS(t.TempDir(), storage.PresignConfig{})
	must(t, err)
	svc := approval.New(db, events, clk, nil, fields, blobs)
	now := time.Now().UTC()
	must(t, db.Conn(ctx).Exec("INSERT INTO organizations (kind, name, region, created_at, updated_at) VALUES ('department', '福州市卫生健康委员会', '', ?, ?)", now, now).Error)
	var dept int64
	must(t, db.Conn(ctx).Raw("SELECT MAX(id) FROM organizations").Scan(&dept).Error)
	admin := accounts.Principal{UserID: 1, Roles: []accounts.Role{accounts.RoleAdmin}}
	who := accounts.Principal{UserID: 2, Roles: []accounts.Role{accounts.RoleApplicant}}
	officer := accounts.Principal{UserID: 3, OrgID: dept, Roles: []accounts.Role{accounts.RoleOfficer}}
	_, err = svc.SaveItem(ctx, admin, approval.Item{Code: "350100-WS-001", Name: "公共场所卫生许可", DepartmentOrgID: dept,
		LegalBasis: "《公共场所卫生管理条例》第八条", Conditions: "符合卫生标准", LegalDays: 20, PromisedDays: 5, Online: true,
		Steps:      []approval.Step{{Name: "受理", Days: 1}, {Name: "决定", Days: 4}},
		Materials:  []approval.Material{{Key: "application", Name: "申请书", Form: "electronic", Required: true}},
		WindowName: "卫健窗口", WindowLocation: "二楼 C03", ComplaintPhone: "12345"})
	must(t, err)
	c, err := svc.Apply(ctx, who, approval.Application{ItemCode: "350100-WS-001", ApplicantKind: approval.ApplicantPerson,
		ApplicantName: "张三", ApplicantID: "11010519491231002X"})
	must(t, err)
	_, err = svc.PutMaterial(ctx, who, c.ID, approval.MaterialUpload{Material: "application", FileName: "a.pdf", Size: 3, Body: strings.NewReader("申")})
	must(t, err)
	for _, step := range []func() (approval.Case, error){
		func() (approval.Case, error) { return svc.Submit(ctx, who, c.ID) },
		func() (approval.Case, error) { return svc.Accept(ctx, officer, c.ID) },
		func() (approval.Case, error) { return svc.Decide(ctx, officer, c.ID, approval.DecisionApprove, "") },
	} {
		_, err := step()
		must(t, err)
	}
	cert, err := svc.IssueCertificate(ctx, officer, c.ID, approval.IssueInput{Scope: "游泳场所", ValidMonths: 24})
	must(t, err)
	file, err := svc.CertificatePDF(ctx, who, c.ID)
	must(t, err)
	pem, err := svc.DepartmentPublicKey(ctx, dept)
	must(t, err)
	other, err := notary.GenerateKey()
	must(t, err)
	srv := httptest.NewServer(api.New(api.Deps{Clock: clk, Events: events, Blobs: blobs, Approval: svc, Version: "test",
		Log: slog.New(slog.NewTextHandler(io.Discard, nil))}).Handler())
	t.Cleanup(srv.Close)
	f := certFixture{svc: svc, officer: officer, url: srv.URL, no: cert.No, dir: t.TempDir()}
	f.pdf, f.pub, f.other = f.write(t, "cert.pdf", file), f.write(t, "dept.pub", []byte(pem)), f.write(t, "other.pub", []byte(other.Public().PEM))
	return f
}

func (f certFixture) write(t *testing.T, name string, data []byte) string {
	t.Helper()
	p := filepath.Join(f.dir, name)
	must(t, os.WriteFile(p, data, 0o644))
	return p
}

// TestVerifyCertificate: a genuine certificate verifies offline and, with
// --server, reads valid; once revoked it exits 1 naming the reason; a
// changed file, another key and usage mistakes each fail with one line.
func TestVerifyCertificate(t *testing.T) {
	f := newCertFixture(t)
	out, _, err := execute(t, nil, "verify", "certificate", f.pdf, "--department-pub", f.pub, "--server", f.url)
	if err != nil {
		t.Fatalf("genuine certificate refused: %v\n%s", err, out)
	}
	for _, want := range []string{"电子证照有效", "编号 / number: " + f.no, "持证主体 / holder: 张三", "许可范围 / scope: 游泳场所",
		"发证机关 / issued by: 福州市卫生健康委员会", "platform status: valid"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "11010519491231002X") {
		t.Errorf("the full ID number is printed:\n%s", out)
	}

	file, _ := os.ReadFile(f.pdf)
	changed := bytes.Replace(file, []byte("/Producer"), []byte("/Producex"), 1)
	tampered := f.write(t, "tampered.pdf", changed)
	cases := []struct {
		name string
		args []string
		exit int
		says string
	}{
		{"tampered", []string{tampered, "--department-pub", f.pub}, 1, "changed after it was signed"},
		{"other key", []string{f.pdf, "--department-pub", f.other}, 1, "not signed by this department's key"},
		{"not a certificate", []string{f.pub, "--department-pub", f.pub}, 1, "not a platform certificate"},
		{"no key", []string{f.pdf}, 2, "--department-pub is required"},
		{"no file", []string{"--department-pub", f.pub}, 2, "expected one certificate FILE"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			out, _, err := execute(t, nil, append([]string{"verify", "certificate"}, c.args...)...)
			if err == nil || strings.Contains(out, "电子证照有效") {
				t.Fatalf("accepted: %v\n%s", err, out)
			}
			if got := exitCode(err); got != c.exit || strings.Contains(err.Error(), "\n") || !strings.Contains(err.Error(), c.says) {
				t.Errorf("exit %d, error %q; want %d and one line with %q", got, err, c.exit, c.says)
			}
		})
	}

	if _, err := f.svc.RevokeCertificate(context.Background(), f.officer, f.no, "以欺骗手段取得许可"); err != nil {
		t.Fatal(err)
	}
	out, _, err = execute(t, nil, "verify", "certificate", f.pdf, "--department-pub", f.pub, "--server", f.url)
	if err == nil || exitCode(err) != 1 || !strings.Contains(err.Error(), "以欺骗手段取得许可") || !strings.Contains(out, "platform status: revoked") {
		t.Fatalf("revoked certificate: %v\n%s", err, out)
	}
}
