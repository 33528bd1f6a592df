package herald

// BatchBooking is one item of a batch of bookings.
type BatchBooking struct {
	// Request is the item's idempotency key and the digest of what it
	// asks, the same as a single booking's with that body and key.
	Request IdempotentRequest
	Input   BookMeetingInput
	// Invalid, when set, is why Input cannot be booked. The item is still
	// answered from its key's record when there is one, as a repeat must be.
	Invalid error
}

// BatchOutcome is one item's answer: the answer recorded under its key
// (Replayed when an earlier request recorded it), or Err.
type BatchOutcome struct {
	Answer   IdempotentResponse
	Replayed bool
	Err      error
}
