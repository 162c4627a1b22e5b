package docmeta

import (
	"bytes"
	"compress/zlib"
	"errors"
	"fmt"
	"testing"

	"github.com/tenderhall/tenderhall/internal/docmeta/docmetatest"
)

var who = docmetatest.Who{Title: "投标文件", Author: "张三", LastModifiedBy: "李四", Company: "某某建设有限公司", Creator: "WPS Office", Producer: "fpdf"}

// Documents written by other programs give back what they were given.
func TestReadWrittenDocuments(t *testing.T) {
	cases := []struct {
		name string
		doc  []byte
		want Meta
	}{
		{"pdf by fpdf", docmetatest.PDF(who, "body"),
			Meta{Format: "pdf", Title: "投标文件", Author: "张三", Creator: "WPS Office", Producer: "fpdf"}},
		{"xlsx by excelize", docmetatest.XLSX(who, "body"),
			Meta{Format: "xlsx", Title: "投标文件", Author: "张三", LastModifiedBy: "李四", Company: "某某建设有限公司", Creator: "WPS Office"}},
		{"docx", docmetatest.DOCX(who, "body"),
			Meta{Format: "docx", Title: "投标文件", Author: "张三", LastModifiedBy: "李四", Company: "某某建设有限公司", Creator: "WPS Office"}},
	}
	for _, c := range cases {
		got, err := Read(c.doc)
		if err != nil || got != c.want {
			t.Errorf("%s: %+v, %v; want %+v", c.name, got, err, c.want)
		}
	}
}

func deflate(s string) []byte {
	var b bytes.Buffer
	zw := zlib.NewWriter(&b)
	zw.Write([]byte(s))
	zw.Close()
	return b.Bytes()
}

// pdfWith builds a PDF from its objects' bodies, numbering them from 1.
func pdfWith(objs ...[]byte) []byte {
	var b bytes.Buffer
	b.WriteString("%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
	for i, o := range objs {
		fmt.Fprintf(&b, "%d 0 obj\n", i+1)
		b.Write(o)
		b.WriteString("\nendobj\n")
	}
	b.WriteString("trailer\n<< /Root 1 0 R /Info 3 0 R >>\n%%EOF\n")
	return b.Bytes()
}

func stream(dict string, data []byte) []byte {
	return append([]byte(fmt.Sprintf("<< %s /Length %d >>\nstream\n", dict, len(data))), append(data, []byte("\nendstream")...)...)
}

func TestReadPDFForms(t *testing.T) {
	utf16Hex := "<FEFF5F204E09>" // 张三 in UTF-16BE with its mark
	objStm := deflate("3 0 << /Author " + utf16Hex + " /Producer (Microsoft\\256 Word) >>")
	xmp := `<?xpacket begin="" id="W5M0MpCehiHzreSzNTczkc9d"?><x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">` +
		`<rdf:Description xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:xmp="http://ns.adobe.com/xap/1.0/" xmp:CreatorTool="Writer">` +
		`<dc:creator><rdf:Seq><rdf:li>王五 &amp; Co</rdf:li></rdf:Seq></dc:creator></rdf:Description></rdf:RDF></x:xmpmeta><?xpacket end="w"?>`
	cases := []struct {
		name string
		doc  []byte
		want Meta
	}{
		{"info in a compressed object stream", pdfWith([]byte("<< /Type /Catalog >>"),
			stream("/Type /ObjStm /N 1 /First 4 /Filter /FlateDecode", objStm)),
			Meta{Format: "pdf", Author: "张三", Producer: "Microsoft® Word"}},
		{"XMP only, uncompressed", pdfWith([]byte("<< /Type /Catalog >>"), stream("/Type /Metadata /Subtype /XML", []byte(xmp))),
			Meta{Format: "pdf", Author: "王五 & Co", Creator: "Writer"}},
		{"escapes, nested parentheses, incremental update wins", pdfWith([]byte("<< /Type /Catalog >>"),
			[]byte("<< /Author (old) >>"), []byte("<< /Author (a\\(b\\) (c) \\101\\n) /Authors (not this) >>")),
			Meta{Format: "pdf", Author: "a(b) (c) A"}},
		{"info and XMP: the dictionary wins", pdfWith([]byte("<< /Author (Info) >>"), stream("/Type /Metadata", []byte(xmp))),
			Meta{Format: "pdf", Author: "Info", Creator: "Writer"}},
		{"length by reference", pdfWith([]byte("<< /Type /ObjStm /Length 9 0 R /Filter /FlateDecode >>\nstream\n" + string(objStm) + "\nendstream")),
			Meta{Format: "pdf", Author: "张三", Producer: "Microsoft® Word"}},
		{"nothing recorded", pdfWith([]byte("<< /Type /Catalog >>")), Meta{Format: "pdf"}},
	}
	for _, c := range cases {
		got, err := Read(c.doc)
		if err != nil || got != c.want {
			t.Errorf("%s: %+v, %v; want %+v", c.name, got, err, c.want)
		}
	}
}

// Bad input is an error that says what, never a panic, and never a value
// made up.
func TestReadBadInput(t *testing.T) {
	docx := docmetatest.DOCX(who, "body")
	bomb := deflate(string(bytes.Repeat([]byte("A"), maxInflate+10)))
	cases := []struct {
		name string
		doc  []byte
		want error
		meta Meta
	}{
		{"plain text", []byte("投标文件正文"), ErrUnsupported, Meta{}},
		{"a zip that is no office document", zipOf(map[string]string{"a.txt": "x"}), ErrUnsupported, Meta{}},
		{"truncated docx", docx[:len(docx)/2], &Error{}, Meta{}},
		{"docx with broken core.xml", zipOf(map[string]string{"word/document.xml": "<w/>", "docProps/core.xml": "<cp:coreProperties><dc:creator>x"}), &Error{}, Meta{}},
		{"docx with a huge core.xml", zipOf(map[string]string{"word/document.xml": "<w/>", "docProps/core.xml": string(bytes.Repeat([]byte(" "), maxPart+1))}), &Error{}, Meta{}},
		{"too large", append([]byte("%PDF-"), make([]byte, MaxSize)...), ErrTooLarge, Meta{}},
		{"a stream that inflates beyond the limit hides only itself",
			pdfWith([]byte("<< /Author (kept) >>"), stream("/Type /ObjStm /Filter /FlateDecode", bomb)), nil, Meta{Format: "pdf", Author: "kept"}},
		{"unterminated string", []byte("%PDF-1.4\n1 0 obj << /Author (never closed"), nil, Meta{Format: "pdf"}},
		{"no endstream", []byte("%PDF-1.4\n1 0 obj << /Type /Metadata >> stream\n<x:xmpmeta"), nil, Meta{Format: "pdf"}},
	}
	for _, c := range cases {
		got, err := Read(c.doc)
		var me *Error
		switch {
		case c.want == nil && err != nil, c.want != nil && err == nil:
			t.Errorf("%s: error %v, want %v", c.name, err, c.want)
		case c.want != nil && errors.As(c.want, &me) && !errors.As(err, &me):
			t.Errorf("%s: error %v, want a malformed-document error", c.name, err)
		case c.want != nil && !errors.As(c.want, &me) && !errors.Is(err, c.want):
			t.Errorf("%s: error %v, want %v", c.name, err, c.want)
		case got != c.meta:
			t.Errorf("%s: %+v, want %+v", c.name, got, c.meta)
		}
	}
}
