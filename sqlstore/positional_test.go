package sqlstore

import "testing"

func TestAnonymousParams(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"SELECT 1", "SELECT 1"},
		{"INSERT INTO t VALUES ($1, $2), ($3, $4)", "INSERT INTO t VALUES (?, ?), (?, ?)"},
		{"SELECT '$1', \"a$b\" FROM t WHERE a = $1 -- $9\n AND b = $2 /* $7 */", "SELECT '$1', \"a$b\" FROM t WHERE a = ? -- $9\n AND b = ? /* $7 */"},
		{"SELECT 'it''s $2' WHERE a = $1", "SELECT 'it''s $2' WHERE a = ?"},
		// Repeated, reordered or named placeholders keep their names.
		{"VALUES ($1, $1)", "VALUES ($1, $1)"},
		{"VALUES ($2, $1)", "VALUES ($2, $1)"},
		{"VALUES ($1, $name)", "VALUES ($1, $name)"},
		{"VALUES ($1, '$2", "VALUES ($1, '$2"},
	} {
		if got := anonymousParams(c.in); got != c.want {
			t.Errorf("anonymousParams(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}
