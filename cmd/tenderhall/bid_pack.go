package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"github.com/tenderhall/tenderhall/bidding"
	"github.com/tenderhall/tenderhall/internal/apperr"
)

// maxFormFile bounds form.json: the platform reads at most 64 KiB of form.
const maxFormFile = 64 << 10

func (e *env) bidPackCmd() *cobra.Command {
	var form, out string
	var force bool
	cmd := &cobra.Command{
		Use:   "pack --form form.json --out bid.tar [FILE...]",
		Short: "Pack the bid form and the bid documents into the package to seal (打包投标文件)",
		Long: "Writes the plaintext of a bid: a tar whose first entry is bidform.json (the bid form\n" +
			"(投标函): priceFen, durationDays, quality, commitments), then each FILE under its base\n" +
			"name. The opening record publishes the form's figures once the decryption window\n" +
			"closes. Seal the package next, e.g.\n" +
			"  tenderhall seal --key bidder.key --to bidder.pub --project P --section S --bidder B \\\n" +
			"    --schema " + bidding.BidFormSchema + " --in bid.tar --out bid.the\n" +
			"form.json example: {\"priceFen\": 123456789, \"durationDays\": 180, \"quality\": \"合格\",\n" +
			"  \"commitments\": {\"warranty\": \"2 years\"}}",
		Args: cobra.ArbitraryArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if form == "" || out == "" {
				return fmt.Errorf("%w: --form and --out are required (需要 --form 和 --out)", errUsage)
			}
			f, err := readBidForm(form)
			if err != nil {
				return err
			}
			docs, closeAll, err := openBidDocuments(args)
			if err != nil {
				return err
			}
			defer closeAll()
			return e.writePackage(out, force, f, docs)
		},
	}
	cmd.Flags().StringVar(&form, "form", "", "the bid form (投标函) as JSON: priceFen, durationDays, quality, commitments")
	cmd.Flags().StringVar(&out, "out", "", "the package (tar) to create")
	cmd.Flags().BoolVar(&force, "force", false, "replace --out if it exists")
	return cmd
}

// readBidForm reads and checks form.json strictly: unknown fields, a
// second value or a bad figure are refused with the field named.
func readBidForm(path string) (bidding.BidForm, error) {
	var f bidding.BidForm
	file, err := os.Open(path)
	if err != nil {
		return f, fmt.Errorf("cannot read the bid form (无法读取投标函): %w", err)
	}
	defer file.Close()
	raw, err := io.ReadAll(io.LimitReader(file, maxFormFile+1))
	if err != nil {
		return f, fmt.Errorf("cannot read the bid form (无法读取投标函): %w", err)
	}
	if len(raw) > maxFormFile {
		return f, fmt.Errorf("%s is larger than %d KiB (投标函过大)", path, maxFormFile>>10)
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&f); err != nil {
		return f, fmt.Errorf("%s is not a valid bid form: %s (投标函格式错误；字段为 priceFen、durationDays、quality、commitments)",
			path, jsonProblem(err))
	}
	if dec.More() {
		return f, fmt.Errorf("%s holds more than one JSON value (投标函只能包含一个 JSON 对象)", path)
	}
	if err := f.Validate(); err != nil {
		if ae, ok := apperr.As(err); ok {
			for field := range ae.Fields {
				return f, fmt.Errorf("%s: field %s: %w", path, field, bilingual(err))
			}
		}
		return f, fmt.Errorf("%s: %w", path, bilingual(err))
	}
	return f, nil
}

// jsonProblem says what is wrong with a JSON document in plain words.
func jsonProblem(err error) string {
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syn):
		return fmt.Sprintf("syntax error at byte %d: %v", syn.Offset, err)
	case errors.As(err, &typ):
		return fmt.Sprintf("field %q must be %s, not %s", typ.Field, typ.Type, typ.Value)
	case errors.Is(err, io.EOF):
		return "the file is empty"
	}
	return err.Error()
}

// openBidDocuments opens the files to pack, refusing what would not unpack
// as the bidder expects: a directory, a second file of the same name, or a
// file named like the form.
func openBidDocuments(paths []string) ([]bidding.BidDocument, func(), error) {
	var docs []bidding.BidDocument
	var files []*os.File
	closeAll := func() {
		for _, f := range files {
			f.Close()
		}
	}
	seen := map[string]string{}
	for _, p := range paths {
		name := filepath.Base(p)
		if strings.EqualFold(name, bidding.BidFormName) {
			closeAll()
			return nil, nil, fmt.Errorf("%w: %s: the name %s is reserved for the form; give it with --form (文件名与投标函冲突)",
				errUsage, p, bidding.BidFormName)
		}
		if prev, dup := seen[name]; dup {
			closeAll()
			return nil, nil, fmt.Errorf("%w: %s and %s would both be packed as %s (文件名重复)", errUsage, prev, p, name)
		}
		seen[name] = p
		f, err := os.Open(p)
		if err != nil {
			closeAll()
			return nil, nil, fmt.Errorf("cannot read a bid document (无法读取投标文件): %w", err)
		}
		files = append(files, f)
		st, err := f.Stat()
		if err != nil || !st.Mode().IsRegular() {
			closeAll()
			return nil, nil, fmt.Errorf("%w: %s is not a regular file (不是普通文件)", errUsage, p)
		}
		docs = append(docs, bidding.BidDocument{Name: name, Size: st.Size(), Body: bufio.NewReaderSize(f, 1<<20)})
	}
	return docs, closeAll, nil
}

// writePackage writes the package under a temporary name and renames it.
func (e *env) writePackage(out string, force bool, form bidding.BidForm, docs []bidding.BidDocument) error {
	dst, err := createAtomic(out, force, 0o600)
	if err != nil {
		return err
	}
	w := bufio.NewWriterSize(dst.f, 1<<20)
	if err := bidding.WriteBidPackage(w, form, docs); err != nil {
		dst.abort()
		return fmt.Errorf("cannot write the package (打包失败): %w", bilingual(err))
	}
	if err := w.Flush(); err != nil {
		dst.abort()
		return err
	}
	if err := dst.commit(); err != nil {
		return err
	}
	var total int64
	for _, d := range docs {
		total += d.Size
	}
	fmt.Fprintf(e.out, "packed %s + %d file(s), %d bytes of documents → %s (已打包)\n  price %s yuan (%d fen), duration %d days\n",
		bidding.BidFormName, len(docs), total, out, yuanText(form.PriceFen), form.PriceFen, form.DurationDays)
	fmt.Fprintf(e.out, "next: seal it with `tenderhall seal --schema %s --in %s ...` (下一步：加密封装)\n", bidding.BidFormSchema, out)
	return nil
}

// yuanText formats fen as yuan with two decimals.
func yuanText(fen int64) string {
	return fmt.Sprintf("%d.%02d", fen/100, fen%100)
}
