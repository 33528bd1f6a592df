package httpapi

import (
	"fmt"
	"net/http"

	"herald"
)

// createdTenant is the answer to tenant creation: the only time the API
// key is shown.
type createdTenant struct {
	ID     string `json:"id"`
	Name   string `json:"name"`
	APIKey string `json:"api_key"`
}

func (s *Server) createTenant(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		Name string `json:"name"`
	}
	if err := decodeJSON(w, r, &in); err != nil {
		return err
	}
	t, key, err := s.Store.CreateTenant(r.Context(), in.Name)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, createdTenant{ID: t.ID, Name: t.Name, APIKey: key})
	return nil
}

func (s *Server) getSettings(w http.ResponseWriter, r *http.Request, t herald.Tenant) error {
	st, err := s.Store.Settings(r.Context(), t.ID)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, st)
	return nil
}

// settingsRequest is the body of PUT /v1/settings. The rules and channels
// are pointers so that leaving them out keeps their defaults:
// Settings.Validate fills only the text fields, and a missing channels or
// reminder_rules would otherwise switch every reminder off. (Embedding
// herald.Settings instead would put its Go name in type errors' fields.)
type settingsRequest struct {
	Timezone      string                 `json:"timezone"`
	ReminderRules *[]herald.ReminderRule `json:"reminder_rules"`
	Channels      *herald.Channels       `json:"channels"`
	LateBooking   string                 `json:"late_booking"`
	DefaultRegion string                 `json:"default_region"`
	Replies       herald.ReplyTexts      `json:"replies"`
	SendWindow    *herald.SendWindow     `json:"send_window"`
	SMSFrom       string                 `json:"sms_from"`
	RetentionDays int                    `json:"retention_days"`
	OnUnknown     string                 `json:"on_unknown"`
}

// putSettings replaces the settings; fields left out take their defaults.
func (s *Server) putSettings(w http.ResponseWriter, r *http.Request, t herald.Tenant) error {
	def := herald.DefaultSettings()
	// Channels decode over the defaults, so {"sms": false} keeps email on.
	req := settingsRequest{Channels: &def.Channels}
	if err := decodeJSON(w, r, &req); err != nil {
		return err
	}
	// req.Channels pointed at def.Channels; null left the defaults alone.
	st := herald.Settings{Timezone: req.Timezone, Channels: def.Channels, LateBooking: req.LateBooking,
		DefaultRegion: req.DefaultRegion, Replies: req.Replies, ReminderRules: def.ReminderRules,
		SendWindow: req.SendWindow, SMSFrom: req.SMSFrom, RetentionDays: req.RetentionDays, OnUnknown: req.OnUnknown}
	// Rules are taken whole (an empty list plans no reminders): decoding
	// over the default list would mix old fields into the new rules.
	if req.ReminderRules != nil {
		st.ReminderRules = *req.ReminderRules
	}
	if err := st.Validate(); err != nil {
		return err
	}
	if err := s.checkRuleTemplates(r, t, st.ReminderRules); err != nil {
		return err
	}
	if err := s.checkSMSFrom(r, t, st.SMSFrom); err != nil {
		return err
	}
	saved, err := s.Store.UpdateSettings(r.Context(), t.ID, st)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, saved)
	return nil
}

// checkRuleTemplates refuses a reminder rule whose template the tenant
// does not have, neither built in nor its own, so that a typo is caught
// when the rule is saved rather than when a reminder fails. A template
// deleted later still fails its reminders, with reason template_missing.
func (s *Server) checkRuleTemplates(r *http.Request, t herald.Tenant, rules []herald.ReminderRule) error {
	names, err := s.Templates.Names(r.Context(), t.ID)
	if err != nil {
		return err
	}
	for i, rule := range rules {
		if !names[rule.Template] {
			return herald.FieldErrorf(herald.ECodeUnknownTemplate, fmt.Sprintf("reminder_rules[%d].template", i),
				"unknown template %q: it is neither a built-in template nor one of yours (PUT /v1/templates/{name})", rule.Template)
		}
	}
	return nil
}
