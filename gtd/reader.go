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

// Row is one data row of a GTD file: its line number and its cells by lower-case column name.
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
	csv  *csv.Reader
	cols map[string]int
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
	header, err := cr.Read()
	if err == io.EOF {
		return nil, errors.New("line 1: the file is empty: expected a header row naming the GTD columns")
	}
	if err != nil {
		return nil, fmt.Errorf("line 1: %w", err)
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
		return nil, fmt.Errorf("line 1: the header lacks the required column(s) %s", strings.Join(missing, ", "))
	}
	return &Reader{csv: cr, cols: cols}, nil
}

// Next returns the next row, or io.EOF after the last. A row the CSV syntax cannot split (a
// stray quote) is returned as a *Problem error; reading may continue after it.
func (r *Reader) Next() (Row, error) {
	rec, err := r.csv.Read()
	if err == io.EOF {
		return Row{}, io.EOF
	}
	if err != nil {
		var pe *csv.ParseError
		if errors.As(err, &pe) {
			return Row{}, &Problem{Row: pe.StartLine, Column: "", Reason: pe.Err.Error()}
		}
		return Row{}, err
	}
	line, _ := r.csv.FieldPos(0)
	return Row{Number: line, cells: rec, cols: r.cols}, nil
}
