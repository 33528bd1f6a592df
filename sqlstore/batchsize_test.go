package sqlstore

import (
	"fmt"
	"testing"
)

func TestBatchSizes(t *testing.T) {
	var sizes []int
	for n := 1; n <= 100; n++ {
		s := batchSize(n)
		if s < n {
			t.Fatalf("batchSize(%d) = %d, too small", n, s)
		}
		if len(sizes) == 0 || sizes[len(sizes)-1] != s {
			sizes = append(sizes, s)
		}
		l := largestBatchSize(n)
		if l > n || batchSize(l) != l || nextBatchSize(l) <= n {
			t.Fatalf("largestBatchSize(%d) = %d", n, l)
		}
	}
	if got := fmt.Sprint(sizes); got != "[1 2 3 4 6 8 12 16 24 32 48 64 96 128]" {
		t.Fatalf("sizes up to 100: %s", got)
	}
	for n := 1; n <= 300; n++ {
		items := make([]int, n)
		for i := range items {
			items[i] = i
		}
		p := padded(items)
		if len(p) != batchSize(n) || p[n-1] != n-1 || p[len(p)-1] != n-1 {
			t.Fatalf("padded(%d items) = %v", n, p)
		}
		total := 0
		for _, part := range inParts(items) {
			if batchSize(len(part)) != len(part) || part[0] != total {
				t.Fatalf("inParts(%d items): part %v", n, part)
			}
			total += len(part)
		}
		if total != n || len(inParts(items)) > 4 && n < 64 {
			t.Fatalf("inParts(%d items) = %v", n, inParts(items))
		}
	}
}
