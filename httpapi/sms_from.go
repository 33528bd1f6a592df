package httpapi

import (
	"context"
	"net/http"
	"slices"
	"strings"

	"herald"
)

// SMSNumbers says which numbers a tenant may send its SMS from;
// *sqlstore.Store implements it.
type SMSNumbers interface {
	// SMSFromNumbers returns the numbers a tenant may choose as its
	// sms_from, as herald.NormalizeNumber writes them: the operator's
	// (VONAGE_FROM_NUMBER, TWILIO_FROM_NUMBER) and those of the tenant's
	// own provider accounts.
	SMSFromNumbers(ctx context.Context, tenantID string) ([]string, error)
}

// checkSMSFrom refuses an sms_from that is not one of the numbers the
// tenant can send from: the operator's or its own accounts' (docs/RULES.md,
// "Tenants"). Without SMSNumbers no number is known, and only an empty
// sms_from is taken.
func (s *Server) checkSMSFrom(r *http.Request, t herald.Tenant, from string) error {
	if from == "" {
		return nil
	}
	var allowed []string
	if s.SMSNumbers != nil {
		var err error
		if allowed, err = s.SMSNumbers.SMSFromNumbers(r.Context(), t.ID); err != nil {
			return err
		}
	}
	if slices.Contains(allowed, herald.NormalizeNumber(from)) {
		return nil
	}
	if len(allowed) == 0 {
		return herald.FieldErrorf(herald.ECodeInvalid, "sms_from",
			"sms_from must be empty: no SMS number is configured for this tenant, neither the operator's nor an account of its own")
	}
	endings := make([]string, len(allowed))
	for i, n := range allowed {
		endings[i] = n[max(0, len(n)-4):]
	}
	return herald.FieldErrorf(herald.ECodeInvalid, "sms_from",
		"sms_from must be one of the %d numbers this tenant can send from (ending in %s), or empty for the default",
		len(allowed), strings.Join(endings, ", "))
}
