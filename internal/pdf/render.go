package pdf

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"

	"github.com/go-pdf/fpdf"

	"github.com/tenderhall/tenderhall/internal/apperr"
)

// Render writes d to w as an A4 PDF with the Chinese font embedded (subset
// to the characters used), a footer "第 i 页 / 共 N 页" on every page, and no
// time or random value of its own: the same d always gives the same bytes.
// Characters the font lacks print as □ (see Unsupported).
//
// It returns apperr.Invalid for a document without title, body or creation
// time, or with a malformed table (a row whose cell count differs from the
// header's, bad widths), and apperr.Internal when the PDF cannot be built or
// written to w.
func Render(w io.Writer, d Document) error {
	if err := d.validate(); err != nil {
		return err
	}
	d = cleaned(d)
	// The library writes the date without a zone offset, which readers take as UTC.
	created := d.Created.UTC()

	f := fpdf.New("P", "mm", "A4", "")
	f.SetCompression(true)
	f.SetCatalogSort(true)
	f.SetProducer("TenderHall", false)
	f.SetCreationDate(created)
	f.SetModificationDate(created)
	f.SetTitle(d.Title, true)
	if d.Author != "" {
		f.SetAuthor(d.Author, true)
	}
	f.SetLang("zh-CN")
	f.SetMargins(0, 0, 0)
	f.SetAutoPageBreak(false, 0)
	f.SetCellMargin(0)
	f.AddUTF8FontFromBytes(fontFamily, "", fontTTF)
	f.SetFont(fontFamily, "", paraSize)
	if err := f.Error(); err != nil {
		return apperr.Wrap(err, apperr.Internal, "加载 PDF 字体失败", "loading the PDF font failed")
	}
	width := func(s string, size float64) float64 {
		return float64(f.GetStringSymbolWidth(s)) * size / 1000 * pt
	}

	pages := layout(d, width)
	for i, ops := range pages {
		f.AddPage()
		for _, o := range ops {
			draw(f, o)
		}
		footer(f, d.Footer, i+1, len(pages), width)
	}
	if err := f.Error(); err != nil {
		return apperr.Wrap(err, apperr.Internal, "生成 PDF 失败", "building the PDF failed")
	}
	var buf bytes.Buffer
	if err := f.Output(&buf); err != nil {
		return apperr.Wrap(err, apperr.Internal, "生成 PDF 失败", "building the PDF failed")
	}
	if _, err := w.Write(fixToUnicode(buf.Bytes())); err != nil {
		return apperr.Wrap(err, apperr.Internal, "输出 PDF 失败", "writing the PDF failed")
	}
	return nil
}

var alignStr = map[Align]string{Left: "LM", Center: "CM", Right: "RM"}

func draw(f *fpdf.Fpdf, o op) {
	switch o.kind {
	case opRect:
		f.SetLineWidth(0.2)
		f.SetDrawColor(0, 0, 0)
		style := "D"
		if o.fill {
			f.SetFillColor(235, 235, 235)
			style = "FD"
		}
		f.Rect(o.x, o.y, o.w, o.h, style)
	case opImage:
		sum := sha256.Sum256(o.png)
		name := hex.EncodeToString(sum[:8])
		opt := fpdf.ImageOptions{ImageType: "PNG"}
		if f.GetImageInfo(name) == nil {
			f.RegisterImageOptionsReader(name, opt, bytes.NewReader(o.png))
		}
		f.ImageOptions(name, o.x, o.y, o.w, o.h, false, opt, 0, "")
	case opText:
		if o.text == "" {
			return
		}
		f.SetFontSize(o.size)
		if o.bold {
			// The font has one weight: bold is drawn by also stroking the outlines.
			f.SetTextRenderingMode(2)
			f.SetLineWidth(o.size * pt * 0.035)
		}
		f.SetXY(o.x, o.y)
		f.CellFormat(o.w, o.h, o.text, "", 0, alignStr[o.align], false, 0, "")
		if o.bold {
			f.SetTextRenderingMode(0)
		}
	}
}

// footer draws page n of total's footer: a rule, the footer text at the
// left and the page number at the right.
func footer(f *fpdf.Fpdf, text string, n, total int, width func(string, float64) float64) {
	f.SetLineWidth(0.2)
	f.SetDrawColor(0, 0, 0)
	f.Line(marginX, footerRule, pageW-marginX, footerRule)
	f.SetFontSize(footerSize)
	num := fmt.Sprintf("第 %d 页 / 共 %d 页", n, total)
	numW := width(num, footerSize)
	if text != "" {
		if ls := wrap(text, contentW-numW-5, func(s string) float64 { return width(s, footerSize) }); len(ls) > 0 {
			f.SetXY(marginX, footerY)
			f.CellFormat(contentW-numW-5, footerSize*pt*1.4, ls[0], "", 0, "LM", false, 0, "")
		}
	}
	f.SetXY(pageW-marginX-numW, footerY)
	f.CellFormat(numW, footerSize*pt*1.4, num, "", 0, "RM", false, 0, "")
}

// cleaned returns d with every string passed through clean.
func cleaned(d Document) Document {
	d.Title, d.Subtitle, d.Footer, d.Author = clean(d.Title), clean(d.Subtitle), clean(d.Footer), clean(d.Author)
	meta := make([]KV, len(d.Meta))
	for i, kv := range d.Meta {
		meta[i] = KV{clean(kv.Key), clean(kv.Value)}
	}
	d.Meta = meta
	blocks := make([]Block, len(d.Blocks))
	for i, b := range d.Blocks {
		switch b := b.(type) {
		case Heading:
			blocks[i] = Heading{clean(b.Text)}
		case Paragraph:
			blocks[i] = Paragraph{clean(b.Text)}
		case Table:
			t := b
			t.Columns = cleanAll(b.Columns)
			t.Rows = make([][]string, len(b.Rows))
			for r, row := range b.Rows {
				t.Rows[r] = cleanAll(row)
			}
			blocks[i] = t
		case ImageRow:
			if b.Captions != nil {
				b.Captions = cleanAll(b.Captions)
			}
			blocks[i] = b
		default:
			blocks[i] = b
		}
	}
	d.Blocks = blocks
	return d
}

func cleanAll(ss []string) []string {
	out := make([]string, len(ss))
	for i, s := range ss {
		out[i] = clean(s)
	}
	return out
}
