package webhook

import (
	"context"
	"errors"

	"herald"
	"herald/render"
)

// applyReceipt hands a verified receipt to the store and returns what
// became of it. A provider's report that the recipient unsubscribed opts
// the phone out toward the sending number, as a STOP would.
func (h *Handler) applyReceipt(ctx context.Context, rc herald.Receipt) (string, error) {
	out, err := h.cfg.Store.ApplyReceipt(ctx, rc, h.cfg.Decide)
	if err != nil {
		return "", err
	}
	if h.cfg.OnReceipt != nil {
		h.cfg.OnReceipt(rc.Provider, rc.Status, out.Result)
	}
	log := h.cfg.Logger.With("provider", rc.Provider, "message", rc.MessageID, "reference", rc.Reference,
		"status", rc.ProviderStatus)
	switch out.Result {
	case herald.ReceiptUnmatched:
		// Answered 2xx all the same, so the provider stops resending it.
		log.InfoContext(ctx, "Delivery receipt for a message Herald did not send; recorded, nothing changed")
		return out.Result, nil
	case herald.ReceiptDuplicate:
		log.DebugContext(ctx, "Delivery receipt seen before; nothing changed")
		return out.Result, nil
	}
	log.InfoContext(ctx, "Delivery receipt applied", "delivery_status", rc.Status, "tenant", out.TenantID,
		"reminder", out.ReminderID, "fallback_email", out.Resent)
	if rc.OptedOut && rc.Recipient != "" && rc.Sender != "" {
		// The receipt is committed: a failure here is logged rather than
		// answered, since the provider's retry would be a duplicate.
		leads, err := h.cfg.Store.SetSMSOptOut(ctx, herald.OptOut{Phone: rc.Recipient, Sender: rc.Sender,
			OptedOut: true, Provider: rc.Provider, At: rc.ReceivedAt,
			Cause: rc.Provider + " reports the recipient unsubscribed (error " + rc.ErrorCode + ")"})
		if err != nil {
			log.ErrorContext(ctx, "Could not opt out the recipient a receipt reports unsubscribed", "error", err)
		} else {
			log.InfoContext(ctx, "Recipient opted out as the provider reports", "leads", len(leads))
		}
	}
	return out.Result, nil
}

// receive hands a verified inbound SMS to the store, which applies what
// the inbound decider makes of it, and sends the answer owed.
func (h *Handler) receive(ctx context.Context, msg herald.InboundSMS) (herald.InboundOutcome, error) {
	out, err := h.cfg.Store.ReceiveInbound(ctx, msg, h.cfg.Inbound)
	if err != nil {
		return out, err
	}
	h.cfg.Logger.InfoContext(ctx, "Inbound SMS", "provider", msg.Provider, "from", herald.MaskPhone(msg.From),
		"to", msg.To, "result", out.Result, "kind", out.Kind, "tenant", out.TenantID, "ambiguous", out.Ambiguous,
		"leads", len(out.Leads), "meeting", out.MeetingID)
	if out.Result == herald.InboundApplied {
		h.reply(ctx, msg, out)
	}
	return out, nil
}

// ReplySenders chooses the account that answers an inbound text.
type ReplySenders interface {
	// ReplySender returns the client of the account that owns number on
	// provider, which answers a text written to it; tenantID is the tenant
	// the text was given to, empty for none. A nil sender and nil error
	// mean no account can answer; an error, that the owning account
	// cannot be used.
	ReplySender(ctx context.Context, provider, number, tenantID string) (herald.Sender, error)
}

// reply sends the answer from the number the SMS was written to, through
// the account that owns it, and records it. It runs after the inbound SMS
// is committed and outlives a provider that hangs up: the answer is owed
// either way. A failed reply is recorded and logged; the webhook still
// succeeds, since resending the inbound SMS would not make the reply go.
func (h *Handler) reply(ctx context.Context, msg herald.InboundSMS, out herald.InboundOutcome) {
	text := out.Reply
	if text == "" {
		return
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), h.cfg.ReplyTimeout)
	defer cancel()
	var sender herald.Sender
	var err error
	if h.cfg.Replies != nil {
		sender, err = h.cfg.Replies.ReplySender(ctx, msg.Provider, msg.To, out.TenantID)
	}
	if sender == nil && err == nil {
		h.cfg.Logger.WarnContext(ctx, "No provider account to answer an inbound SMS with", "provider", msg.Provider,
			"to", msg.To, "kind", out.Kind)
		return
	}
	var result herald.SendResult
	if err == nil {
		result, err = sender.Send(ctx, &herald.Message{TenantID: out.TenantID, Reference: herald.NewID("rpl_"),
			Channel: herald.ChannelSMS, To: msg.From, From: msg.To, Text: text, Unicode: render.Encode(text).Unicode()})
	}
	record := herald.Reply{TenantID: out.TenantID, LeadID: out.LeadID, Provider: msg.Provider, From: msg.To, To: msg.From,
		Kind: out.Kind, MessageID: result.MessageID, At: h.cfg.Clock.Now()}
	var refused *herald.SendError
	switch {
	case err != nil && out.Kind == herald.InboundStop && errors.As(err, &refused) && refused.OptedOut:
		// Twilio answers STOP itself and then blocks the number: its
		// confirmation was the one reply the lead gets.
		record.Error = err.Error()
		h.cfg.Logger.InfoContext(ctx, "STOP confirmed by the provider's own opt-out reply", "provider", msg.Provider)
	case err != nil:
		record.Error = err.Error()
		h.cfg.Logger.WarnContext(ctx, "Reply to an inbound SMS not sent", "provider", msg.Provider,
			"kind", out.Kind, "error", err)
	}
	if err := h.cfg.Store.RecordReply(ctx, record); err != nil {
		h.cfg.Logger.ErrorContext(ctx, "Could not record a reply to an inbound SMS", "error", err)
	}
}
