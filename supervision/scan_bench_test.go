package supervision

import (
	"archive/tar"
	"bytes"
	"io"
	"testing"

	"github.com/tenderhall/tenderhall/internal/docmeta/docmetatest"
	"github.com/tenderhall/tenderhall/notary"
)

// scanDoc is an 8 MiB PDF as a scanner writes one: the metadata in the
// information dictionary and one large image stream.
func scanDoc() []byte {
	small := docmetatest.PDF(docmetatest.Who{Author: "张三", Company: "甲公司"}, "扫描件")
	img := bytes.Repeat([]byte{0x5a, 0xa5, 0x3c, 0xc3}, 2<<20)
	var b bytes.Buffer
	b.Write(small[:bytes.LastIndex(small, []byte("xref"))])
	b.WriteString("99 0 obj\n<< /Type /XObject /Subtype /Image /Filter /DCTDecode /Length 8388608 >>\nstream\n")
	b.Write(img)
	b.WriteString("\nendstream\nendobj\n")
	b.Write(small[bytes.LastIndex(small, []byte("xref")):])
	return b.Bytes()
}

func tarOf(b *testing.B, name string, body []byte) []byte {
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	if err := tw.WriteHeader(&tar.Header{Name: name, Mode: 0o644, Size: int64(len(body))}); err != nil {
		b.Fatal(err)
	}
	tw.Write(body)
	tw.Close()
	return buf.Bytes()
}

// BenchmarkScanDocument: what the scan does per document of a decrypted
// bid — SM3 over its bytes, kept in memory, then its metadata read —
// against the baseline of SM3 alone over the same tar entry (the hash the
// identical-file signal needs anyway).
func BenchmarkScanDocument(b *testing.B) {
	doc := scanDoc()
	pkg := tarOf(b, "商务标.pdf", doc)
	b.Run("sm3-only", func(b *testing.B) {
		b.SetBytes(int64(len(doc)))
		for i := 0; i < b.N; i++ {
			tr := tar.NewReader(bytes.NewReader(pkg))
			if _, err := tr.Next(); err != nil {
				b.Fatal(err)
			}
			h := notary.NewSM3()
			if _, err := io.Copy(h, tr); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("scan", func(b *testing.B) {
		b.SetBytes(int64(len(doc)))
		for i := 0; i < b.N; i++ {
			tr := tar.NewReader(bytes.NewReader(pkg))
			h, err := tr.Next()
			if err != nil {
				b.Fatal(err)
			}
			d, m, err := readDocument(tr, h)
			if err != nil || m == nil || m.Author != "张三" || d.SM3 == "" {
				b.Fatalf("%+v %+v %v", d, m, err)
			}
		}
	})
}
