package herald

// DefaultPageLimit and MaxPageLimit bound list sizes.
const (
	DefaultPageLimit = 50
	MaxPageLimit     = 200
)

// PageRequest asks for one page of a list. Cursor is opaque to clients: it
// is the NextCursor of the previous page.
type PageRequest struct {
	Limit  int
	Cursor string
}

// Page is one page of a list.
type Page[T any] struct {
	Items      []T    `json:"items"`
	NextCursor string `json:"next_cursor"`
}
