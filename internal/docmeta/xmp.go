package docmeta

import (
	"bytes"
	"encoding/xml"
	"strings"
)

// maxXMP bounds the XMP packet decoded.
const maxXMP = 1 << 20

// readXMP reads the Dublin Core creator and title, the creator tool and
// the producer from an XMP packet (ISO 16684-1) in src, if it holds one.
func readXMP(src []byte) (Meta, bool) {
	i := bytes.Index(src, []byte("<x:xmpmeta"))
	if i < 0 {
		return Meta{}, false
	}
	j := bytes.Index(src[i:], []byte("</x:xmpmeta>"))
	if j < 0 || j > maxXMP {
		return Meta{}, false
	}
	var m Meta
	dec := xml.NewDecoder(bytes.NewReader(src[i : i+j+len("</x:xmpmeta>")]))
	dec.Strict = false
	var path []string
	for {
		tok, err := dec.Token()
		if err != nil {
			break
		}
		switch t := tok.(type) {
		case xml.StartElement:
			path = append(path, t.Name.Local)
			for _, a := range t.Attr { // the compact form: <rdf:Description pdf:Producer="…">
				xmpValue(&m, a.Name.Local, a.Value)
			}
		case xml.EndElement:
			if len(path) > 0 {
				path = path[:len(path)-1]
			}
		case xml.CharData:
			if len(path) == 0 {
				continue
			}
			field := path[len(path)-1]
			if field == "li" { // rdf:Seq / rdf:Alt: the property is further up
				for k := len(path) - 2; k >= 0; k-- {
					if p := path[k]; p != "Seq" && p != "Alt" && p != "Bag" {
						field = p
						break
					}
				}
			}
			xmpValue(&m, field, string(t))
		}
	}
	return m, m != (Meta{})
}

func xmpValue(m *Meta, field, v string) {
	v = clean(strings.TrimSpace(v))
	if v == "" {
		return
	}
	var dst *string
	switch field {
	case "creator":
		dst = &m.Author
	case "title":
		dst = &m.Title
	case "CreatorTool":
		dst = &m.Creator
	case "Producer":
		dst = &m.Producer
	default:
		return
	}
	if *dst == "" {
		*dst = v
	}
}
