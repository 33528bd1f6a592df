package herald

// DeliveryStatus is what provider receipts report about a sent message. It
// is separate from the reminder's status, and empty until the provider
// takes the message.
type DeliveryStatus string

// Delivery statuses.
const (
	DeliveryAccepted    DeliveryStatus = "accepted"
	DeliveryDelivered   DeliveryStatus = "delivered"
	DeliveryUndelivered DeliveryStatus = "undelivered"
	DeliveryFailed      DeliveryStatus = "failed"
	DeliveryUnknown     DeliveryStatus = "unknown"
	// DeliveryHeld: the message was kept in the outbox, not handed to any
	// provider; no receipt will follow.
	DeliveryHeld DeliveryStatus = "held"
)
