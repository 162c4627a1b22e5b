package pdf

import (
	"bytes"
	"fmt"
	"strconv"
)

// fpdfToUnicode is the ToUnicode CMap the PDF library writes for a UTF-8
// font: the identity map as one range <0000>..<FFFF>. The CMap rules allow a
// range to vary only in its last byte, and strict readers (among them the Go
// text extractors) then decode only the low byte of every Chinese character.
const fpdfToUnicode = "/CIDInit /ProcSet findresource begin\n12 dict begin\nbegincmap\n/CIDSystemInfo\n<</Registry (Adobe)\n/Ordering (UCS)\n/Supplement 0\n>> def\n/CMapName /Adobe-Identity-UCS def\n/CMapType 2 def\n1 begincodespacerange\n<0000> <FFFF>\nendcodespacerange\n1 beginbfrange\n<0000> <FFFF> <0000>\nendbfrange\nendcmap\nCMapName currentdict /CMap defineresource pop\nend\nend"

// identityToUnicode is the same identity map written as the CMap rules want
// it: one range per high byte (surrogates left out), at most 100 a section.
var identityToUnicode = func() string {
	var b bytes.Buffer
	b.WriteString("/CIDInit /ProcSet findresource begin\n12 dict begin\nbegincmap\n/CIDSystemInfo\n<</Registry (Adobe)\n/Ordering (UCS)\n/Supplement 0\n>> def\n/CMapName /Adobe-Identity-UCS def\n/CMapType 2 def\n1 begincodespacerange\n<0000> <FFFF>\nendcodespacerange\n")
	var hi []int
	for h := 0; h < 256; h++ {
		if h < 0xD8 || h > 0xDF {
			hi = append(hi, h)
		}
	}
	for len(hi) > 0 {
		n := min(100, len(hi))
		fmt.Fprintf(&b, "%d beginbfrange\n", n)
		for _, h := range hi[:n] {
			fmt.Fprintf(&b, "<%02X00> <%02XFF> <%02X00>\n", h, h, h)
		}
		b.WriteString("endbfrange\n")
		hi = hi[n:]
	}
	b.WriteString("endcmap\nCMapName currentdict /CMap defineresource pop\nend\nend")
	return b.String()
}()

// fixToUnicode replaces the library's ToUnicode streams in doc with
// identityToUnicode, shifting the cross-reference offsets after them. It
// returns doc unchanged when the PDF is not laid out as expected (the tests,
// which extract text, would then fail).
func fixToUnicode(doc []byte) []byte {
	old := fmt.Sprintf("<</Length %d>>\nstream\n%s\nendstream", len(fpdfToUnicode), fpdfToUnicode)
	repl := fmt.Sprintf("<</Length %d>>\nstream\n%s\nendstream", len(identityToUnicode), identityToUnicode)
	delta := len(repl) - len(old)
	var at []int // positions of the old streams in doc
	for i := 0; ; {
		j := bytes.Index(doc[i:], []byte(old))
		if j < 0 {
			break
		}
		at = append(at, i+j)
		i += j + len(old)
	}
	xref := bytes.LastIndex(doc, []byte("\nxref\n"))
	sx := bytes.LastIndex(doc, []byte("\nstartxref\n"))
	if len(at) == 0 || xref < 0 || sx < xref || at[len(at)-1] > xref {
		return doc
	}
	shift := func(off int) int {
		n := 0
		for _, p := range at {
			if off > p {
				n++
			}
		}
		return off + n*delta
	}
	// xref: "0 N\n" then N entries of exactly 20 bytes.
	p := xref + len("\nxref\n")
	nl := bytes.IndexByte(doc[p:], '\n')
	var first, count int
	if nl < 0 || func() bool { _, err := fmt.Sscanf(string(doc[p:p+nl]), "%d %d", &first, &count); return err != nil }() {
		return doc
	}
	entries := p + nl + 1
	if entries+20*count > sx {
		return doc
	}
	out := make([]byte, 0, len(doc)+len(at)*delta)
	last := 0
	for _, a := range at {
		out = append(out, doc[last:a]...)
		out = append(out, repl...)
		last = a + len(old)
	}
	out = append(out, doc[last:entries]...)
	for i := 0; i < count; i++ {
		e := doc[entries+20*i : entries+20*(i+1)]
		if e[17] == 'n' {
			off, err := strconv.Atoi(string(e[:10]))
			if err != nil {
				return doc
			}
			out = fmt.Appendf(out, "%010d", shift(off))
			out = append(out, e[10:]...)
		} else {
			out = append(out, e...)
		}
	}
	out = append(out, doc[entries+20*count:sx]...)
	rest := doc[sx+len("\nstartxref\n"):]
	nl = bytes.IndexByte(rest, '\n')
	if nl < 0 {
		return doc
	}
	off, err := strconv.Atoi(string(rest[:nl]))
	if err != nil {
		return doc
	}
	out = fmt.Appendf(out, "\nstartxref\n%d", shift(off))
	return append(out, rest[nl:]...)
}
