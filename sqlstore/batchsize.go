package sqlstore

// Batch statements carry one row, or one IN-list item, per thing they
// touch, so their text changes with the batch's size, and a connection
// prepares each text anew. Their sizes are kept to a few fixed ones, the
// powers of two and the halfway steps between (1, 2, 3, 4, 6, 8, 12, 16,
// …), so that a busy worker runs a handful of texts over and over: padded
// fills a list up by repeating its last item where a repeat changes
// nothing, and inParts splits one where it would.

// batchSize returns the smallest fixed size that holds n.
func batchSize(n int) int {
	s := 1
	for s < n {
		s = nextBatchSize(s)
	}
	return s
}

// nextBatchSize returns the fixed size after s: 1, 2, 3, 4, 6, 8, 12, …
func nextBatchSize(s int) int {
	if s < 4 {
		return s + 1
	}
	if s&(s-1) == 0 { // a power of two: the halfway step follows
		return s + s/2
	}
	return s / 3 * 4 // 3p/2 is followed by 2p
}

// largestBatchSize returns the largest fixed size that n holds.
func largestBatchSize(n int) int {
	s := 1
	for next := nextBatchSize(s); next <= n; next = nextBatchSize(s) {
		s = next
	}
	return s
}

// padded returns items with its last item repeated until its length is a
// fixed size: for an IN list, or the VALUES of an UPDATE … FROM, where a
// repeated item changes nothing. items is not changed.
func padded[T any](items []T) []T {
	n := batchSize(len(items))
	if n == len(items) {
		return items
	}
	out := make([]T, len(items), n)
	copy(out, items)
	for len(out) < n {
		out = append(out, items[len(items)-1])
	}
	return out
}

// inParts splits items into runs of fixed sizes, largest first: for the
// rows of an INSERT, which a repeat would insert twice.
func inParts[T any](items []T) [][]T {
	var parts [][]T
	for len(items) > 0 {
		n := largestBatchSize(len(items))
		parts = append(parts, items[:n])
		items = items[n:]
	}
	return parts
}
