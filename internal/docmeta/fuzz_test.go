package docmeta

import (
	"archive/zip"
	"bytes"
	"testing"
	"unicode/utf8"

	"github.com/tenderhall/tenderhall/internal/docmeta/docmetatest"
)

func zipOf(files map[string]string) []byte {
	var b bytes.Buffer
	zw := zip.NewWriter(&b)
	for name, content := range files {
		f, _ := zw.Create(name)
		f.Write([]byte(content))
	}
	zw.Close()
	return b.Bytes()
}

// FuzzRead: any bytes give metadata or an error, never a panic, and what
// comes back is bounded valid text. Run: go test ./internal/docmeta -fuzz FuzzRead
func FuzzRead(f *testing.F) {
	f.Add(docmetatest.PDF(who, "x"))
	f.Add(docmetatest.DOCX(who, "x"))
	f.Add(docmetatest.XLSX(who, "x"))
	f.Add(pdfWith(stream("/Type /ObjStm /Filter /FlateDecode", deflate("3 0 << /Author <FEFF5F20> >>"))))
	f.Add([]byte("%PDF-1.4\n1 0 obj << /Author (a\\(b) /Title <4142> >> stream\n<x:xmpmeta><dc:creator>x</dc:creator></x:xmpmeta>\nendstream"))
	f.Fuzz(func(t *testing.T, b []byte) {
		m, err := Read(b)
		if err != nil {
			if m != (Meta{}) {
				t.Fatalf("an error with metadata: %+v, %v", m, err)
			}
			return
		}
		for _, v := range []string{m.Title, m.Author, m.LastModifiedBy, m.Company, m.Creator, m.Producer} {
			if !utf8.ValidString(v) || utf8.RuneCountInString(v) > 200 {
				t.Fatalf("unbounded or invalid value %q", v)
			}
		}
	})
}
