package docmeta

import (
	"bytes"
	"compress/zlib"
	"io"
	"strconv"
	"unicode/utf16"
	"unicode/utf8"
)

// Limits of what a PDF may make the reader do.
const (
	maxInflate      = 16 << 20 // bytes one compressed stream may expand to
	maxInflateTotal = 64 << 20 // bytes all of a document's streams may expand to
	maxStreams      = 4096     // metadata and object streams looked into
	maxToken        = 64 << 10 // bytes a dictionary or a string may span
)

// pdfKeys are the document information dictionary's entries read (ISO
// 32000-1 §14.3.3), with the non-standard /Company some writers add.
var pdfKeys = []string{"Title", "Author", "Creator", "Producer", "Company"}

// readPDF reads the document information dictionary and the XMP packet.
// It does not follow the cross-reference table: it looks for the
// dictionary's entries in the file itself and in its compressed object
// and metadata streams (PDF 1.5 writers put the dictionary there), so a
// damaged table does not hide them. Of several dictionaries (incremental
// updates) the last one wins.
func readPDF(b []byte) (Meta, error) {
	sources, err := pdfSources(b)
	if err != nil {
		return Meta{}, err
	}
	info := map[string]string{}
	var xmp Meta
	for _, src := range sources {
		for _, k := range pdfKeys {
			if v, ok := lastEntry(src, k); ok {
				info[k] = v
			}
		}
		if x, ok := readXMP(src); ok {
			xmp = x
		}
	}
	m := Meta{Format: "pdf", Title: info["Title"], Author: info["Author"], Creator: info["Creator"],
		Producer: info["Producer"], Company: info["Company"]}
	m.Title = first(m.Title, xmp.Title)
	m.Author = first(m.Author, xmp.Author)
	m.Creator = first(m.Creator, xmp.Creator)
	m.Producer = first(m.Producer, xmp.Producer)
	return m, nil
}

func first(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// pdfSources returns the file and the inflated object and metadata
// streams, in file order.
func pdfSources(b []byte) ([][]byte, error) {
	out := [][]byte{b}
	total, seen := 0, 0
	for i := 0; ; {
		j := bytes.Index(b[i:], []byte(" obj"))
		if j < 0 {
			return out, nil
		}
		i += j + len(" obj")
		dict, end, ok := dictAt(b, i)
		if !ok {
			continue
		}
		data, next, ok := streamAfter(b, end, dict)
		if !ok {
			if next < 0 { // no endstream after here: no later stream has one either
				return out, nil
			}
			continue
		}
		i = next
		if !bytes.Contains(dict, []byte("/ObjStm")) && !bytes.Contains(dict, []byte("/Metadata")) {
			continue
		}
		if seen++; seen > maxStreams {
			return nil, malformed("pdf", "more than %d object streams", maxStreams)
		}
		switch {
		case bytes.Contains(dict, []byte("/FlateDecode")):
			raw, err := inflate(data, min(maxInflate, maxInflateTotal-total))
			if err != nil {
				continue // one unreadable stream hides only what it holds
			}
			total += len(raw)
			out = append(out, raw)
		case !bytes.Contains(dict, []byte("/Filter")):
			out = append(out, data)
		}
	}
}

// dictAt returns the dictionary starting (after white space) at b[i:] and
// the offset after it.
func dictAt(b []byte, i int) ([]byte, int, bool) {
	i = skipSpace(b, i)
	b = b[:min(len(b), i+maxToken)]
	if !bytes.HasPrefix(b[i:], []byte("<<")) {
		return nil, 0, false
	}
	depth := 0
	for k := i; k < len(b); {
		switch {
		case bytes.HasPrefix(b[k:], []byte("<<")):
			depth++
			k += 2
		case bytes.HasPrefix(b[k:], []byte(">>")):
			depth--
			k += 2
			if depth == 0 {
				return b[i:k], k, true
			}
		case b[k] == '(':
			_, next, ok := literalString(b, k)
			if !ok {
				return nil, 0, false
			}
			k = next
		default:
			k++
		}
	}
	return nil, 0, false
}

// streamAfter returns the data of the stream following a dictionary that
// ends at b[i:], using a direct /Length when it fits and the endstream
// keyword otherwise; next is -1 when no endstream follows at all.
func streamAfter(b []byte, i int, dict []byte) ([]byte, int, bool) {
	i = skipSpace(b, i)
	if !bytes.HasPrefix(b[i:], []byte("stream")) {
		return nil, 0, false
	}
	i += len("stream")
	if bytes.HasPrefix(b[i:], []byte("\r\n")) {
		i += 2
	} else if i < len(b) && (b[i] == '\n' || b[i] == '\r') {
		i++
	}
	if n, ok := directLength(dict); ok && n <= len(b)-i && bytes.HasPrefix(bytes.TrimLeft(b[i+n:], " \r\n"), []byte("endstream")) {
		return b[i : i+n], i + n, true
	}
	j := bytes.Index(b[i:], []byte("endstream"))
	if j < 0 {
		return nil, -1, false
	}
	return bytes.TrimRight(b[i:i+j], "\r\n"), i + j, true
}

// directLength is the dictionary's /Length when it is a number, not a
// reference.
func directLength(dict []byte) (int, bool) {
	k := bytes.Index(dict, []byte("/Length"))
	if k < 0 {
		return 0, false
	}
	rest := dict[skipSpace(dict, k+len("/Length")):]
	n := 0
	for n < len(rest) && rest[n] >= '0' && rest[n] <= '9' {
		n++
	}
	v, err := strconv.Atoi(string(rest[:n]))
	if err != nil || v < 0 {
		return 0, false
	}
	after := bytes.TrimLeft(rest[n:], " \r\n\t")
	if len(after) > 0 && after[0] >= '0' && after[0] <= '9' { // "12 0 R"
		return 0, false
	}
	return v, true
}

func inflate(data []byte, limit int) ([]byte, error) {
	zr, err := zlib.NewReader(bytes.NewReader(data))
	if err != nil {
		return nil, err
	}
	defer zr.Close()
	out, err := io.ReadAll(io.LimitReader(zr, int64(limit)+1))
	if len(out) > limit {
		return nil, malformed("pdf", "a stream expands beyond %d MiB", limit>>20)
	}
	if err != nil && len(out) == 0 {
		return nil, err
	}
	return out, nil // a truncated stream still yields what it holds
}

// lastEntry finds the last "/Key (string)" or "/Key <hex>" in b.
func lastEntry(b []byte, key string) (string, bool) {
	tok := []byte("/" + key)
	val, found := "", false
	for i := 0; ; {
		j := bytes.Index(b[i:], tok)
		if j < 0 {
			return val, found
		}
		i += j + len(tok)
		if i < len(b) && isRegular(b[i]) { // "/Authors" is another name
			continue
		}
		k := skipSpace(b, i)
		var raw []byte
		var ok bool
		switch {
		case k < len(b) && b[k] == '(':
			raw, _, ok = literalString(b[:min(len(b), k+maxToken)], k)
		case k < len(b) && b[k] == '<' && !bytes.HasPrefix(b[k:], []byte("<<")):
			raw, ok = hexString(b[:min(len(b), k+maxToken)], k)
		}
		if ok {
			if v := clean(decodeText(raw)); v != "" {
				val, found = v, true
			}
		}
	}
}

// literalString reads a (...) string at b[i]: balanced parentheses and
// the escapes of ISO 32000-1 §7.3.4.2.
func literalString(b []byte, i int) ([]byte, int, bool) {
	var out []byte
	depth := 0
	for k := i; k < len(b); k++ {
		c := b[k]
		switch {
		case c == '\\' && k+1 < len(b):
			k++
			switch e := b[k]; e {
			case 'n':
				out = append(out, '\n')
			case 'r':
				out = append(out, '\r')
			case 't':
				out = append(out, '\t')
			case 'b':
				out = append(out, '\b')
			case 'f':
				out = append(out, '\f')
			case '\r':
				if k+1 < len(b) && b[k+1] == '\n' {
					k++
				}
			case '\n':
			default:
				if e >= '0' && e <= '7' {
					v, n := 0, 0
					for n < 3 && k+n < len(b) && b[k+n] >= '0' && b[k+n] <= '7' {
						v = v*8 + int(b[k+n]-'0')
						n++
					}
					k += n - 1
					out = append(out, byte(v))
				} else {
					out = append(out, e)
				}
			}
		case c == '(':
			if depth > 0 {
				out = append(out, c)
			}
			depth++
		case c == ')':
			depth--
			if depth == 0 {
				return out, k + 1, true
			}
			out = append(out, c)
		default:
			out = append(out, c)
		}
	}
	return nil, 0, false
}

// hexString reads a <...> string at b[i].
func hexString(b []byte, i int) ([]byte, bool) {
	end := bytes.IndexByte(b[i:], '>')
	if end < 0 {
		return nil, false
	}
	var digits []byte
	for _, c := range b[i+1 : i+end] {
		switch {
		case c >= '0' && c <= '9', c >= 'a' && c <= 'f', c >= 'A' && c <= 'F':
			digits = append(digits, c)
		case c == ' ' || c == '\n' || c == '\r' || c == '\t':
		default:
			return nil, false
		}
	}
	if len(digits)%2 == 1 {
		digits = append(digits, '0')
	}
	out := make([]byte, len(digits)/2)
	for k := range out {
		v, _ := strconv.ParseUint(string(digits[2*k:2*k+2]), 16, 8)
		out[k] = byte(v)
	}
	return out, true
}

// decodeText turns a PDF text string into UTF-8: UTF-16BE with its byte
// order mark, UTF-8 with its mark (PDF 2.0), else UTF-8 when it is valid
// and Latin-1 (close to PDFDocEncoding) when not.
func decodeText(raw []byte) string {
	switch {
	case bytes.HasPrefix(raw, []byte{0xFE, 0xFF}):
		raw = raw[2:]
		u := make([]uint16, len(raw)/2)
		for k := range u {
			u[k] = uint16(raw[2*k])<<8 | uint16(raw[2*k+1])
		}
		return string(utf16.Decode(u))
	case bytes.HasPrefix(raw, []byte{0xEF, 0xBB, 0xBF}):
		return string(raw[3:])
	case utf8.Valid(raw):
		return string(raw)
	}
	r := make([]rune, len(raw))
	for k, c := range raw {
		r[k] = rune(c)
	}
	return string(r)
}

func skipSpace(b []byte, i int) int {
	for i < len(b) && (b[i] == ' ' || b[i] == '\n' || b[i] == '\r' || b[i] == '\t' || b[i] == '\f' || b[i] == 0) {
		i++
	}
	return i
}

// isRegular reports whether c continues a PDF name.
func isRegular(c byte) bool {
	return c > ' ' && c < 0x7f && !bytes.ContainsRune([]byte("()<>[]{}/%"), rune(c))
}
