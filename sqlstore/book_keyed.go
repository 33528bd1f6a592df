package sqlstore

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"herald"
)

// BookMeetingKeyed books a meeting with an Idempotency-Key in one
// transaction, which it may share with bookings made at the same moment:
// the key's record is read, the meeting booked and answer(meeting) recorded
// under the key together, so no answer is ever lost between them. A key
// already used answers from its record, as ClaimIdempotencyKey would.
func (s *Store) BookMeetingKeyed(ctx context.Context, tenantID string, item herald.BatchBooking,
	answer func(herald.Meeting) herald.IdempotentResponse) (herald.BatchOutcome, error) {
	var out herald.BatchOutcome
	err := s.bookings.book(ctx, func(ctx context.Context, tx *sql.Tx, now time.Time) error {
		out = s.bookKeyed(ctx, tx, tenantID, item, now, answer, headerKeyWords)
		return out.Err
	})
	if out.Err != nil {
		return out, nil
	}
	if err != nil {
		return herald.BatchOutcome{}, fmt.Errorf("book meeting: %w", err)
	}
	return out, nil
}
