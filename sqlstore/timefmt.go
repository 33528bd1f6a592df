package sqlstore

import (
	"fmt"
	"time"
)

// timeLayout is fixed-width, so SQLite compares the text as it compares the
// times; PostgreSQL parses it into timestamptz.
const timeLayout = "2006-01-02T15:04:05.000000Z"

// ts converts a time for a query argument.
func ts(t time.Time) string { return t.UTC().Format(timeLayout) }

// tsPtr converts an optional time; nil stays NULL.
func tsPtr(t *time.Time) any {
	if t == nil {
		return nil
	}
	return ts(*t)
}

// timeScanner reads a time column from either database.
type timeScanner struct{ dst *time.Time }

// Scan implements sql.Scanner.
func (s timeScanner) Scan(src any) error {
	t, err := parseDBTime(src)
	if err != nil {
		return err
	}
	if t != nil {
		*s.dst = *t
	}
	return nil
}

// nullTimeScanner reads a nullable time column.
type nullTimeScanner struct{ dst **time.Time }

// Scan implements sql.Scanner.
func (s nullTimeScanner) Scan(src any) error {
	t, err := parseDBTime(src)
	if err != nil {
		return err
	}
	*s.dst = t
	return nil
}

func parseDBTime(src any) (*time.Time, error) {
	switch v := src.(type) {
	case nil:
		return nil, nil
	case time.Time:
		u := v.UTC()
		return &u, nil
	case string:
		return parseTimeText(v)
	case []byte:
		return parseTimeText(string(v))
	}
	return nil, fmt.Errorf("sqlstore: cannot read %T as a time", src)
}

func parseTimeText(s string) (*time.Time, error) {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return nil, fmt.Errorf("sqlstore: bad time %q: %w", s, err)
	}
	t = t.UTC()
	return &t, nil
}

func scanTime(t *time.Time) timeScanner          { return timeScanner{t} }
func scanNullTime(t **time.Time) nullTimeScanner { return nullTimeScanner{t} }
