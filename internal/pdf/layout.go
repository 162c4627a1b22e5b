package pdf

import "math"

// Page geometry in millimetres (A4 portrait) and type sizes in points.
const (
	pageW      = 210.0
	pageH      = 297.0
	marginX    = 20.0
	marginTop  = 20.0
	bodyBottom = pageH - 22.0 // the body ends here; the footer sits below
	footerRule = pageH - 17.0
	footerY    = pageH - 15.5
	contentW   = pageW - 2*marginX
	pt         = 25.4 / 72 // one point in millimetres

	titleSize   = 18.0 // 小二
	subSize     = 12.0 // 小四
	metaSize    = 10.5 // 五号
	headSize    = 14.0 // 四号
	paraSize    = 12.0
	tableSize   = 10.5
	footerSize  = 9.0
	cellPadX    = 1.5
	cellPadY    = 1.2
	keepWithMin = 20.0 // a heading needs this much room below it, or it moves to the next page
)

type opKind int

const (
	opText  opKind = iota // text in the box x,y,w,h, vertically centred
	opRect                // a ruled (and, if fill, shaded) box
	opImage               // the PNG png in the box x,y,w,h
)

// op is one drawing instruction on a page, in millimetres from the top left.
type op struct {
	kind       opKind
	x, y, w, h float64
	text       string
	size       float64
	align      Align
	bold       bool
	fill       bool
	png        []byte
}

// layouter places a document's content on pages. It only measures text;
// drawing is left to Render, which thus knows the page count beforehand.
type layouter struct {
	width func(s string, size float64) float64 // text width in mm at size pt
	pages [][]op
	y     float64
}

func (l *layouter) newPage() {
	l.pages = append(l.pages, nil)
	l.y = marginTop
}

func (l *layouter) add(o op) { l.pages[len(l.pages)-1] = append(l.pages[len(l.pages)-1], o) }

func (l *layouter) atTop() bool { return l.y <= marginTop }

func (l *layouter) wrap(s string, w, size float64) []string {
	return wrap(s, w, func(t string) float64 { return l.width(t, size) })
}

// lines places wrapped text, breaking pages between lines.
func (l *layouter) lines(s string, size, lineH float64, x, w float64, align Align, bold bool) {
	for _, ln := range l.wrap(s, w, size) {
		if l.y+lineH > bodyBottom && !l.atTop() {
			l.newPage()
		}
		l.add(op{kind: opText, x: x, y: l.y, w: w, h: lineH, text: ln, size: size, align: align, bold: bold})
		l.y += lineH
	}
}

// layout places d, which must be valid and cleaned, on pages.
func layout(d Document, width func(string, float64) float64) [][]op {
	l := &layouter{width: width}
	l.newPage()
	l.lines(d.Title, titleSize, titleSize*pt*1.5, marginX, contentW, Center, true)
	if d.Subtitle != "" {
		l.y += 1
		l.lines(d.Subtitle, subSize, subSize*pt*1.5, marginX, contentW, Center, false)
	}
	if len(d.Meta) > 0 {
		l.y += 3
		for _, kv := range d.Meta {
			key := kv.Key + "："
			kw := l.width(key, metaSize)
			if kw > contentW/3 {
				l.lines(key+kv.Value, metaSize, metaSize*pt*1.5, marginX, contentW, Left, false)
				continue
			}
			y, page := l.y, len(l.pages)
			l.lines(kv.Value, metaSize, metaSize*pt*1.5, marginX+kw, contentW-kw, Left, false)
			if page != len(l.pages) {
				y = marginTop // the value moved to a new page: so does its key
			}
			l.add(op{kind: opText, x: marginX, y: y, w: kw, h: metaSize * pt * 1.5, text: key, size: metaSize})
		}
	}
	l.y += 4
	for _, b := range d.Blocks {
		switch b := b.(type) {
		case Heading:
			if !l.atTop() {
				l.y += 3
			}
			lineH := headSize * pt * 1.6
			if l.y+lineH+keepWithMin > bodyBottom && !l.atTop() {
				l.newPage()
			}
			l.lines(b.Text, headSize, lineH, marginX, contentW, Left, true)
			l.y += 1.5
		case Paragraph:
			l.lines(b.Text, paraSize, paraSize*pt*1.7, marginX, contentW, Left, false)
			l.y += 2
		case PageBreak:
			if !l.atTop() {
				l.newPage()
			}
		case Table:
			l.table(b)
			l.y += 4
		case Image:
			l.images([]Image{b}, nil)
		case ImageRow:
			l.images(b.Images, b.Captions)
		}
	}
	return l.pages
}

// table places t: the header row on every page, body rows kept whole when
// they fit on a page and split between lines when they do not.
func (l *layouter) table(t Table) {
	cols := len(t.Columns)
	colW := make([]float64, cols)
	total := 0.0
	for j := range colW {
		colW[j] = 1
		if t.Widths != nil {
			colW[j] = t.Widths[j]
		}
		total += colW[j]
	}
	for j := range colW {
		colW[j] = colW[j] / total * contentW
	}
	lineH := tableSize * pt * 1.4
	cells := func(row []string) [][]string {
		out := make([][]string, cols)
		for j, s := range row {
			out[j] = l.wrap(s, math.Max(colW[j]-2*cellPadX, 1), tableSize)
		}
		return out
	}
	header := cells(t.Columns)
	headH := float64(maxLines(header))*lineH + 2*cellPadY
	drawRow := func(c [][]string, n int, head bool) {
		x := marginX
		h := float64(n)*lineH + 2*cellPadY
		for j := range c {
			l.add(op{kind: opRect, x: x, y: l.y, w: colW[j], h: h, fill: head})
			align := Center
			if !head {
				align = Left
				if t.Align != nil {
					align = t.Align[j]
				}
			}
			for i := 0; i < n && i < len(c[j]); i++ {
				l.add(op{kind: opText, x: x + cellPadX, y: l.y + cellPadY + float64(i)*lineH, w: colW[j] - 2*cellPadX,
					h: lineH, text: c[j][i], size: tableSize, align: align, bold: head})
			}
			x += colW[j]
		}
		l.y += h
	}
	newPage := func() {
		l.newPage()
		drawRow(header, maxLines(header), true)
	}
	if l.y+headH+lineH+2*cellPadY > bodyBottom && !l.atTop() {
		l.newPage()
	}
	drawRow(header, maxLines(header), true)
	fresh := bodyBottom - marginTop - headH // room for body rows on a new page
	for _, row := range t.Rows {
		rest := cells(row)
		for {
			n := maxLines(rest)
			need := float64(n)*lineH + 2*cellPadY
			if l.y+need <= bodyBottom {
				drawRow(rest, n, false)
				break
			}
			fit := int((bodyBottom - l.y - 2*cellPadY) / lineH)
			if need <= fresh || fit < 1 {
				newPage()
				continue
			}
			drawRow(rest, fit, false) // taller than a page: split it
			for j := range rest {
				rest[j] = rest[j][min(fit, len(rest[j])):]
			}
			newPage()
		}
	}
}

func maxLines(c [][]string) int {
	n := 1
	for _, ls := range c {
		n = max(n, len(ls))
	}
	return n
}

// images places pictures on one line (a new page when they do not fit),
// a lone picture by its Align, several spread evenly, captions under them.
func (l *layouter) images(ims []Image, captions []string) {
	h, capH := 0.0, 0.0
	for _, im := range ims {
		h = math.Max(h, im.H)
	}
	if captions != nil {
		capH = metaSize * pt * 1.6
	}
	if l.y+h+capH > bodyBottom && !l.atTop() {
		l.newPage()
	}
	slot := contentW / float64(len(ims))
	for i, im := range ims {
		x := marginX + slot*float64(i) + (slot-im.W)/2
		if len(ims) == 1 {
			switch im.Align {
			case Left:
				x = marginX
			case Right:
				x = marginX + contentW - im.W
			}
		}
		l.add(op{kind: opImage, x: x, y: l.y + h - im.H, w: im.W, h: im.H, png: im.PNG})
		if captions != nil {
			l.add(op{kind: opText, x: marginX + slot*float64(i), y: l.y + h, w: slot, h: capH, text: captions[i], size: metaSize, align: Center})
		}
	}
	l.y += h + capH + 3
}
