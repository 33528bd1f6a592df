package httpapi

import (
	"context"
	"net/http"
	"time"

	"herald"
)

// URLGuard checks a webhook endpoint URL and returns it normalised, or an
// *herald.Error naming the field "url" (outbound.Guard is one).
type URLGuard interface {
	CheckURL(ctx context.Context, raw string) (string, error)
}

// eventStore returns the store of endpoints and events.
func (s *Server) eventStore() herald.EventStore {
	if s.Events != nil {
		return s.Events
	}
	if es, ok := s.Store.(herald.EventStore); ok {
		return es
	}
	return nil
}

// checkEvents refuses event types that do not exist.
func checkEvents(types []herald.EventType) error {
	for _, t := range types {
		if !t.Valid() {
			return herald.FieldErrorf(herald.ECodeUnknownEventType, "events", "%q is not an event type", t)
		}
	}
	return nil
}

func (s *Server) checkEndpointURL(ctx context.Context, raw string) (string, error) {
	if raw == "" {
		return "", herald.FieldErrorf(herald.ECodeInvalidURL, "url", "url is required")
	}
	if s.URLGuard == nil {
		return "", herald.Errorf(herald.ECodeInternal, "no URL guard configured")
	}
	return s.URLGuard.CheckURL(ctx, raw)
}

// createEndpoint answers 201 with the endpoint and its secret, which is
// shown only here and on rotation (and to a replay with the same
// Idempotency-Key).
func (s *Server) createEndpoint(w http.ResponseWriter, r *http.Request, t herald.Tenant) error {
	var in herald.WebhookEndpointInput
	if err := decodeJSON(w, r, &in); err != nil {
		return err
	}
	url, err := s.checkEndpointURL(r.Context(), in.URL)
	if err != nil {
		return err
	}
	if err := checkEvents(in.Events); err != nil {
		return err
	}
	if len(in.Description) > 500 {
		return herald.FieldErrorf(herald.ECodeInvalid, "description", "description is longer than 500 characters")
	}
	in.URL, in.Secret = url, herald.NewWebhookSecret()
	ep, err := s.eventStore().CreateWebhookEndpoint(r.Context(), t.ID, in)
	if err != nil {
		return err
	}
	w.Header().Set("Location", "/v1/webhook-endpoints/"+ep.ID)
	writeJSON(w, http.StatusCreated, ep)
	return nil
}

func (s *Server) listEndpoints(w http.ResponseWriter, r *http.Request, t herald.Tenant) error {
	page, err := pageRequest(r)
	if err != nil {
		return err
	}
	items, err := s.eventStore().ListWebhookEndpoints(r.Context(), t.ID, page)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, items)
	return nil
}

func (s *Server) getEndpoint(w http.ResponseWriter, r *http.Request, t herald.Tenant) error {
	ep, err := s.eventStore().WebhookEndpoint(r.Context(), t.ID, r.PathValue("id"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, ep)
	return nil
}

func (s *Server) patchEndpoint(w http.ResponseWriter, r *http.Request, t herald.Tenant) error {
	var patch herald.WebhookEndpointPatch
	if err := decodeJSON(w, r, &patch); err != nil {
		return err
	}
	// A missing endpoint answers 404 before its patch is judged.
	if _, err := s.eventStore().WebhookEndpoint(r.Context(), t.ID, r.PathValue("id")); err != nil {
		return err
	}
	if patch.URL != nil {
		url, err := s.checkEndpointURL(r.Context(), *patch.URL)
		if err != nil {
			return err
		}
		patch.URL = &url
	}
	if patch.Events != nil {
		if err := checkEvents(*patch.Events); err != nil {
			return err
		}
	}
	if patch.Description != nil && len(*patch.Description) > 500 {
		return herald.FieldErrorf(herald.ECodeInvalid, "description", "description is longer than 500 characters")
	}
	ep, err := s.eventStore().UpdateWebhookEndpoint(r.Context(), t.ID, r.PathValue("id"), patch)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, ep)
	return nil
}

func (s *Server) deleteEndpoint(w http.ResponseWriter, r *http.Request, t herald.Tenant) error {
	if err := s.eventStore().DeleteWebhookEndpoint(r.Context(), t.ID, r.PathValue("id")); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// RotationOverlap is how long a rotated secret keeps signing deliveries
// beside the new one.
const RotationOverlap = 24 * time.Hour

func (s *Server) rotateSecret(w http.ResponseWriter, r *http.Request, t herald.Tenant) error {
	ep, err := s.eventStore().RotateWebhookSecret(r.Context(), t.ID, r.PathValue("id"), herald.NewWebhookSecret(),
		s.Clock.Now().Add(RotationOverlap))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, ep)
	return nil
}

func (s *Server) listEvents(w http.ResponseWriter, r *http.Request, t herald.Tenant) error {
	f := herald.EventFilter{Type: herald.EventType(r.URL.Query().Get("type")), ObjectID: r.URL.Query().Get("object_id")}
	if f.Type != "" && !f.Type.Valid() {
		return herald.FieldErrorf(herald.ECodeInvalidQuery, "type", "%q is not an event type", f.Type)
	}
	var err error
	if f.Page, err = pageRequest(r); err != nil {
		return err
	}
	page, err := s.eventStore().ListEvents(r.Context(), t.ID, f)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, page)
	return nil
}

func (s *Server) getEvent(w http.ResponseWriter, r *http.Request, t herald.Tenant) error {
	ev, err := s.eventStore().Event(r.Context(), t.ID, r.PathValue("id"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, ev)
	return nil
}

// redeliverEvent answers 202: the deliveries run on the job engine.
func (s *Server) redeliverEvent(w http.ResponseWriter, r *http.Request, t herald.Tenant) error {
	ev, err := s.eventStore().RedeliverEvent(r.Context(), t.ID, r.PathValue("id"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusAccepted, ev)
	return nil
}
