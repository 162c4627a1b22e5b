// Package docmetatest writes documents that carry given metadata, for the
// tests of the readers and of the collusion signals: PDFs by go-pdf/fpdf
// and XLSX by excelize (writers no one here wrote), DOCX by hand after
// ECMA-376's examples. Test code only.
package docmetatest

import (
	"archive/zip"
	"bytes"
	"fmt"

	"github.com/go-pdf/fpdf"
	"github.com/xuri/excelize/v2"
)

// Who is the metadata a document is written with.
type Who struct {
	Title, Author, LastModifiedBy, Company, Creator, Producer string
}

// PDF returns a one-page PDF whose information dictionary holds w.
func PDF(w Who, body string) []byte {
	p := fpdf.New("P", "mm", "A4", "")
	p.SetTitle(w.Title, true)
	p.SetAuthor(w.Author, true)
	p.SetCreator(w.Creator, true)
	if w.Producer != "" {
		p.SetProducer(w.Producer, true)
	}
	p.AddPage()
	p.SetFont("Helvetica", "", 12)
	p.Cell(40, 10, body)
	var buf bytes.Buffer
	if err := p.Output(&buf); err != nil {
		panic(err)
	}
	return buf.Bytes()
}

// XLSX returns a workbook whose core and application properties hold w.
func XLSX(w Who, body string) []byte {
	f := excelize.NewFile()
	defer f.Close()
	must(f.SetCellValue("Sheet1", "A1", body))
	must(f.SetDocProps(&excelize.DocProperties{Title: w.Title, Creator: w.Author, LastModifiedBy: w.LastModifiedBy}))
	must(f.SetAppProps(&excelize.AppProperties{Application: w.Creator, Company: w.Company}))
	buf, err := f.WriteToBuffer()
	must(err)
	return buf.Bytes()
}

// DOCX returns a minimal word-processing document with w in docProps.
func DOCX(w Who, body string) []byte {
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	put := func(name, content string) {
		f, err := zw.Create(name)
		must(err)
		_, err = f.Write([]byte(content))
		must(err)
	}
	put("[Content_Types].xml", `<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="xml" ContentType="application/xml"/></Types>`)
	put("word/document.xml", fmt.Sprintf(`<?xml version="1.0" encoding="UTF-8"?><w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body><w:p><w:r><w:t>%s</w:t></w:r></w:p></w:body></w:document>`, esc(body)))
	put("docProps/core.xml", fmt.Sprintf(`<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><dc:title>%s</dc:title><dc:creator>%s</dc:creator><cp:lastModifiedBy>%s</cp:lastModifiedBy><dcterms:created xsi:type="dcterms:W3CDTF">2026-11-01T08:00:00Z</dcterms:created></cp:coreProperties>`,
		esc(w.Title), esc(w.Author), esc(w.LastModifiedBy)))
	put("docProps/app.xml", fmt.Sprintf(`<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties"><Application>%s</Application><Company>%s</Company></Properties>`,
		esc(w.Creator), esc(w.Company)))
	must(zw.Close())
	return buf.Bytes()
}

func esc(s string) string {
	var b bytes.Buffer
	for _, r := range s {
		switch r {
		case '<':
			b.WriteString("&lt;")
		case '>':
			b.WriteString("&gt;")
		case '&':
			b.WriteString("&amp;")
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

func must(err error) {
	if err != nil {
		panic(err)
	}
}
