package sqlstore

import "strings"

// anonymousParams rewrites a query whose placeholders are $1, $2, … $n,
// each once and in that order, to the same query with ? for each: SQLite
// binds ? by position alone, where each $n is a name that both parsing and
// binding look up in a list of all the names, which costs time quadratic
// in their number (a batch statement has hundreds). Any other query, one
// that repeats or reorders its placeholders, is returned unchanged.
// Quoted text and comments are left alone.
func anonymousParams(query string) string {
	var b strings.Builder
	next := 1
	for i := 0; i < len(query); {
		c := query[i]
		switch {
		case c == '\'' || c == '"' || c == '`':
			end := strings.IndexByte(query[i+1:], c)
			if end < 0 {
				return query
			}
			b.WriteString(query[i : i+end+2])
			i += end + 2
		case c == '-' && strings.HasPrefix(query[i:], "--"):
			end := strings.IndexByte(query[i:], '\n')
			if end < 0 {
				end = len(query) - i
			}
			b.WriteString(query[i : i+end])
			i += end
		case c == '/' && strings.HasPrefix(query[i:], "/*"):
			end := strings.Index(query[i:], "*/")
			if end < 0 {
				return query
			}
			b.WriteString(query[i : i+end+2])
			i += end + 2
		case c == '$':
			j := i + 1
			n := 0
			for j < len(query) && query[j] >= '0' && query[j] <= '9' {
				n = n*10 + int(query[j]-'0')
				j++
			}
			if j == i+1 || n != next {
				return query
			}
			next++
			b.WriteByte('?')
			i = j
		default:
			b.WriteByte(c)
			i++
		}
	}
	return b.String()
}
