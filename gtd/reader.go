package gtd

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strings"

	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/transform"
)

// Required are the columns without which a row cannot become an incident.
var Required = []string{"eventid", "iyear", "imonth", "iday", "country_txt", "gname"}

// Row is one data row of a GTD file: its number (the line it starts on in CSV, the row number
// in a workbook) and its cells by lower-case column name.
type Row struct {
	Number int
	cells  []string
	cols   map[string]int
}

// Get returns the trimmed cell of the named column, or "" when the file has no such column.
func (r Row) Get(col string) string {
	i, ok := r.cols[col]
	if !ok || i >= len(r.cells) {
		return ""
	}
	return strings.TrimSpace(r.cells[i])
}

// Reader reads the rows of a GTD file one at a time, so that a file of any size needs the
// memory of one row.
type Reader struct {
	// next returns the cells of the next row and the row's number (the line it starts on in a
	// CSV file, the row number in a workbook), io.EOF after the last row.
	next  func() ([]string, int, error)
	close func() error
	cols  map[string]int
}

var utf8BOM = []byte{0xEF, 0xBB, 0xBF}

// NewReader reads the header row of a GTD CSV file. The file is decoded from Windows-1252 unless
// it starts with a UTF-8 byte-order mark. A missing required column is an error naming it.
func NewReader(r io.Reader) (*Reader, error) {
	br := bufio.NewReaderSize(r, 64*1024)
	var in io.Reader = transform.NewReader(br, charmap.Windows1252.NewDecoder())
	if head, err := br.Peek(3); err == nil && bytes.Equal(head, utf8BOM) {
		_, _ = br.Discard(3)
		in = br
	}
	cr := csv.NewReader(in)
	cr.FieldsPerRecord = -1 // a short row is reported by Parse, with its row number
	cr.ReuseRecord = false
	next := func() ([]string, int, error) {
		rec, err := cr.Read()
		if err != nil {
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				return nil, 0, &Problem{Row: pe.StartLine, Column: "", Reason: pe.Err.Error()}
			}
			return nil, 0, err
		}
		line, _ := cr.FieldPos(0)
		return rec, line, nil
	}
	return newReader(next, func() error { return nil }, "line")
}

// newReader reads the header row through next; where names the first row in a message.
func newReader(next func() ([]string, int, error), closer func() error, where string) (*Reader, error) {
	header, _, err := next()
	if err == io.EOF {
		return nil, fmt.Errorf("%s 1: the file is empty: expected a header row naming the GTD columns", where)
	}
	if err != nil {
		return nil, fmt.Errorf("%s 1: %w", where, err)
	}
	cols := make(map[string]int, len(header))
	for i, h := range header {
		h = strings.ToLower(strings.TrimSpace(h))
		if _, dup := cols[h]; !dup {
			cols[h] = i
		}
	}
	var missing []string
	for _, c := range Required {
		if _, ok := cols[c]; !ok {
			missing = append(missing, c)
		}
	}
	if len(missing) > 0 {
		return nil, fmt.Errorf("%s 1: the header lacks the required column(s) %s", where, strings.Join(missing, ", "))
	}
	return &Reader{next: next, close: closer, cols: cols}, nil
}

// Next returns the next row, or io.EOF after the last. A row the CSV syntax cannot split (a
// stray quote) is returned as a *Problem error; reading may continue after it.
func (r *Reader) Next() (Row, error) {
	cells, n, err := r.next()
	if err != nil {
		return Row{}, err
	}
	return Row{Number: n, cells: cells, cols: r.cols}, nil
}

// Close releases what the reader holds (an open workbook's temporary files); the reader of a
// CSV stream holds nothing, and its caller closes the stream.
func (r *Reader) Close() error { return r.close() }
