package schedule

import (
	"cmp"
	"strings"
	"time"

	"herald"
)

// SharedNumberWindow is how far ahead a meeting may start and still tell
// which tenant a text on a shared number is about.
const SharedNumberWindow = 48 * time.Hour

// InboundDecider returns the rules inbound texts follow (docs/RULES.md,
// "Inbound texts" and "Opt-outs"):
//
//   - STOP and START change the phone's consent to SMS from the number it
//     wrote to, for every tenant that sends from that number, and are
//     answered once.
//   - A text to a number one tenant sends from belongs to that tenant
//     when the tenant knows the phone.
//     CONFIRM confirms the meeting of the latest reminder sent to that
//     phone from that number, else the soonest one ahead.
//   - On a number several tenants send from, CONFIRM and other texts go to
//     the one tenant with a meeting with that phone starting within
//     SharedNumberWindow; when none or several have one, the text belongs
//     to no tenant and gets a neutral answer.
//   - HELP is answered with the help text of the tenant the text belongs
//     to, else the default one.
//   - A phone no tenant of the number knows is answered only for STOP and
//     HELP.
func InboundDecider() herald.InboundDecider {
	return func(st *herald.InboundState) herald.InboundDecision {
		msg := st.Message
		d := herald.InboundDecision{Kind: Classify(msg.Text)}
		known := false
		for _, t := range st.Tenants {
			known = known || t.Leads > 0
		}
		owner := inboundOwner(st, d.Kind)
		if owner == nil && len(st.Tenants) > 1 && known && d.Kind != herald.InboundStop && d.Kind != herald.InboundStart {
			d.Ambiguous = true
		}
		replies := herald.DefaultSettings().Replies
		if owner != nil {
			d.TenantID = owner.TenantID
			replies = withDefaults(owner.Replies, replies)
			if m := cmp.Or(owner.Latest, owner.Next); m != nil {
				d.LeadID = m.LeadID
			}
		}
		switch d.Kind {
		case herald.InboundStop, herald.InboundStart:
			d.OptOut = &herald.OptOut{Phone: msg.From, Sender: msg.To, Provider: msg.Provider,
				OptedOut: d.Kind == herald.InboundStop, Cause: strings.ToUpper(string(d.Kind)) + " by SMS", At: msg.ReceivedAt}
			if d.Kind == herald.InboundStop {
				d.Reply = replies.Stop
			} else if known {
				d.Reply = replies.Start
			}
		case herald.InboundHelp:
			d.Reply = replies.Help
		case herald.InboundConfirm:
			if owner != nil {
				if m := meetingToConfirm(owner, msg.ReceivedAt); m != nil {
					d.ConfirmMeetingID, d.LeadID, d.Reply = m.ID, m.LeadID, replies.Confirm
				}
			}
		}
		if d.Ambiguous {
			d.Reply = herald.NeutralReply
		}
		return d
	}
}

// inboundOwner is the tenant a text belongs to, or nil: the one tenant
// of the number when it knows the phone. On a number several tenants
// share, STOP and START (which apply to all of them) belong to the one
// tenant that knows the phone, and other texts to the one tenant with a
// meeting with it soon.
func inboundOwner(st *herald.InboundState, kind herald.InboundKind) *herald.InboundTenant {
	switch len(st.Tenants) {
	case 0:
		return nil
	case 1:
		if st.Tenants[0].Leads == 0 {
			return nil // a stranger to the tenant
		}
		return &st.Tenants[0]
	}
	if kind == herald.InboundStop || kind == herald.InboundStart {
		var knowing *herald.InboundTenant
		for i := range st.Tenants {
			if st.Tenants[i].Leads > 0 {
				if knowing != nil {
					return nil
				}
				knowing = &st.Tenants[i]
			}
		}
		return knowing
	}
	var soonest *herald.InboundTenant
	for i := range st.Tenants {
		t := &st.Tenants[i]
		if t.Next == nil || t.Next.StartsAt.Sub(st.Message.ReceivedAt) > SharedNumberWindow {
			continue
		}
		if soonest != nil {
			return nil // two tenants have a meeting ahead: cannot tell
		}
		soonest = t
	}
	return soonest
}

// meetingToConfirm is the meeting of the latest SMS to the phone when it
// is still ahead and not cancelled, else the soonest meeting ahead.
func meetingToConfirm(t *herald.InboundTenant, now time.Time) *herald.InboundMeeting {
	if m := t.Latest; m != nil && m.Status != herald.MeetingCancelled && now.Before(m.StartsAt) {
		return m
	}
	return t.Next
}

// withDefaults fills the reply texts a tenant left empty.
func withDefaults(own, def herald.ReplyTexts) herald.ReplyTexts {
	own.Help = cmp.Or(own.Help, def.Help)
	own.Stop = cmp.Or(own.Stop, def.Stop)
	own.Start = cmp.Or(own.Start, def.Start)
	own.Confirm = cmp.Or(own.Confirm, def.Confirm)
	return own
}
