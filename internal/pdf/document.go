package pdf

import (
	"time"

	"github.com/tenderhall/tenderhall/internal/apperr"
)

// Document is an official document to print: a title block, then headings,
// paragraphs and tables in order, with a footer line on every page.
type Document struct {
	Title    string    // printed centred at the top of the first page; required
	Subtitle string    // printed under the title, e.g. the project name
	Meta     []KV      // label–value lines under the title, e.g. 项目编号
	Blocks   []Block   // the body, in order; at least one
	Footer   string    // printed at the left of every page's footer, e.g. the centre's name
	Author   string    // the PDF's Author entry
	Created  time.Time // the PDF's creation and modification date; required, so output is reproducible
}

// KV is one label–value line of a document's header, printed "Key：Value".
type KV struct {
	Key   string
	Value string
}

// Block is one piece of a document's body: a Heading, a Paragraph, a Table
// or a PageBreak.
type Block interface{ block() }

// Heading is a section heading, kept on the same page as what follows it.
type Heading struct{ Text string }

// Paragraph is running text, wrapped to the page width; "\n" starts a new line.
type Paragraph struct{ Text string }

// PageBreak starts a new page.
type PageBreak struct{}

// Align is the horizontal alignment of a table column.
type Align int

// The column alignments. Left is the zero value.
const (
	Left Align = iota
	Center
	Right
)

// Table is a ruled table. Its header row is repeated on every page it spans;
// long cell text wraps within the cell (Chinese text at any character).
type Table struct {
	Columns []string   // header cells; at least one
	Rows    [][]string // each row has exactly len(Columns) cells
	Widths  []float64  // relative column widths; nil means equal widths
	Align   []Align    // per-column alignment of body cells; nil means all Left
}

// Image is a PNG picture (a seal, a QR code) W by H millimetres, placed in
// the body at the left, centre or right; a row of images side by side is
// an ImageRow.
type Image struct {
	PNG   []byte
	W, H  float64
	Align Align
}

// ImageRow is pictures side by side on one line, each with its caption
// printed under it, spread over the text width.
type ImageRow struct {
	Images   []Image
	Captions []string // one per image, or nil
}

func (ImageRow) block()  {}
func (Image) block()     {}
func (Heading) block()   {}
func (Paragraph) block() {}
func (PageBreak) block() {}
func (Table) block()     {}

// validate checks d. It returns apperr.Invalid naming the first problem.
func (d *Document) validate() error {
	if d.Title == "" {
		return apperr.New(apperr.Invalid, "文档标题为空", "the document has no title").WithCode("pdf_no_title").WithField("title", "required")
	}
	if len(d.Blocks) == 0 {
		return apperr.New(apperr.Invalid, "文档没有正文内容", "the document has no body blocks").WithCode("pdf_empty").WithField("blocks", "required")
	}
	if d.Created.IsZero() {
		return apperr.New(apperr.Invalid, "文档生成时间未设置", "the document has no creation time").WithCode("pdf_no_time").WithField("created", "required")
	}
	for i, b := range d.Blocks {
		switch b := b.(type) {
		case Heading, Paragraph, PageBreak:
		case Image:
			if err := b.validate(i + 1); err != nil {
				return err
			}
		case ImageRow:
			if b.Captions != nil && len(b.Captions) != len(b.Images) {
				return apperr.Newf(apperr.Invalid, "第 %d 块：图片与说明数量不符", "block %d: images and captions differ in number", i+1).WithCode("pdf_bad_image")
			}
			for _, im := range b.Images {
				if err := im.validate(i + 1); err != nil {
					return err
				}
			}
		case Table:
			if err := b.validate(i + 1); err != nil {
				return err
			}
		default:
			return apperr.Newf(apperr.Invalid, "第 %d 个正文块类型不受支持", "body block %d is of an unsupported type", i+1).WithCode("pdf_bad_block")
		}
	}
	return nil
}

// validate checks a table, the n-th block of its document.
func (t Table) validate(n int) error {
	cols := len(t.Columns)
	if cols == 0 {
		return apperr.Newf(apperr.Invalid, "第 %d 个正文块（表格）没有表头列", "table (block %d) has no columns", n).WithCode("pdf_bad_table")
	}
	if t.Widths != nil {
		if len(t.Widths) != cols {
			return apperr.Newf(apperr.Invalid, "第 %d 个正文块（表格）的列宽有 %d 个，应为 %d 个", "table (block %d) has %d widths, want %d", n, len(t.Widths), cols).WithCode("pdf_bad_table")
		}
		for j, w := range t.Widths {
			if !(w > 0) || w > 1e6 {
				return apperr.Newf(apperr.Invalid, "第 %d 个正文块（表格）第 %d 列的列宽 %g 无效", "table (block %d) column %d has invalid width %g", n, j+1, w).WithCode("pdf_bad_table")
			}
		}
	}
	if t.Align != nil && len(t.Align) != cols {
		return apperr.Newf(apperr.Invalid, "第 %d 个正文块（表格）的对齐方式有 %d 个，应为 %d 个", "table (block %d) has %d alignments, want %d", n, len(t.Align), cols).WithCode("pdf_bad_table")
	}
	for i, r := range t.Rows {
		if len(r) != cols {
			return apperr.Newf(apperr.Invalid, "第 %d 个正文块（表格）第 %d 行有 %d 个单元格，应为 %d 个", "table (block %d) row %d has %d cells, want %d", n, i+1, len(r), cols).WithCode("pdf_bad_table")
		}
	}
	return nil
}

func (im Image) validate(block int) error {
	if len(im.PNG) < 8 || string(im.PNG[1:4]) != "PNG" || im.W <= 0 || im.H <= 0 || im.W > contentW || im.H > bodyBottom-marginTop {
		return apperr.Newf(apperr.Invalid, "第 %d 块：图片不是 PNG 或尺寸无效", "block %d: the image is not a PNG or has a bad size", block).WithCode("pdf_bad_image")
	}
	return nil
}
