package webui

import (
	"encoding/json"
	"net/http"
	"regexp"
	"strings"

	"herald"
	"herald/catalog"
	"herald/render"
)

// templateName is what render accepts as a template's name.
var templateName = regexp.MustCompile(`^[A-Za-z0-9_.-]{1,64}$`)

// textPart is a run of text, marked when its characters force UCS-2.
type textPart struct {
	Text string `json:"t"`
	UCS2 bool   `json:"u,omitempty"`
}

// splitUCS2 cuts text into runs of GSM-7 characters and runs of
// characters outside GSM-7, which make the whole SMS UCS-2.
func splitUCS2(text string) []textPart {
	var out []textPart
	for _, r := range text {
		u := render.Encode(string(r)).Unicode()
		if n := len(out); n > 0 && out[n-1].UCS2 == u {
			out[n-1].Text += string(r)
			continue
		}
		out = append(out, textPart{Text: string(r), UCS2: u})
	}
	return out
}

// preview is a template rendered with the sample values.
type preview struct {
	Error    string     `json:"error,omitempty"`
	Subject  string     `json:"subject,omitempty"`
	Text     string     `json:"text"`
	Parts    []textPart `json:"parts,omitempty"`
	Encoding string     `json:"encoding,omitempty"`
	Segments int        `json:"segments,omitempty"`
	Units    int        `json:"units,omitempty"`
	// Forcing lists the characters of the template's own text that force
	// UCS-2.
	Forcing string `json:"forcing,omitempty"`
}

func previewOf(src render.Source) preview {
	t, err := render.Compile(src)
	if err != nil {
		return preview{Error: err.Error()}
	}
	out := t.Render(render.SampleValues())
	p := preview{Subject: out.Subject, Text: out.Text}
	if src.Channel == herald.ChannelSMS {
		p.Parts = splitUCS2(out.Text)
		p.Encoding, p.Segments, p.Units = out.Encoding.Scheme, out.Encoding.Segments, out.Encoding.Units
		var forcing []string
		for _, part := range splitUCS2(src.Text) {
			if part.UCS2 && !strings.Contains(strings.Join(forcing, ""), part.Text) {
				forcing = append(forcing, part.Text)
			}
		}
		p.Forcing = strings.Join(forcing, " ")
	}
	return p
}

func (s *Server) templateList(c *pageCtx) error {
	entries, err := s.Templates.List(c.r.Context(), c.tenant.ID, nil, 0)
	if err != nil {
		return err
	}
	type row struct {
		catalog.Entry
		Name, Channel string
		Sample        render.Rendered
	}
	rows := make([]row, len(entries))
	for i, e := range entries {
		rows[i] = row{Entry: e, Name: e.Template.Name(), Channel: string(e.Template.Channel()),
			Sample: e.Template.Render(render.SampleValues())}
	}
	s.render(c.w, c.r, 200, "templates", c, map[string]any{"Rows": rows})
	return nil
}

// editorData is the template editor's page.
type editorData struct {
	Name, Channel, Origin string
	OverridesBuiltin      bool
	Source                render.Source
	Preview               preview
	Highlight             []textPart
	Problem               string
	New                   bool
}

func (s *Server) editor(c *pageCtx, src render.Source) (editorData, error) {
	d := editorData{Name: src.Name, Channel: string(src.Channel), Source: src}
	e, err := s.Templates.Get(c.r.Context(), c.tenant.ID, src.Name, src.Channel)
	switch {
	case herald.ErrorCode(err) == herald.ECodeNotFound:
		d.New = true
	case err != nil:
		return d, err
	default:
		d.Origin, d.OverridesBuiltin = e.Origin, e.OverridesBuiltin
	}
	return d, nil
}

func templateKey(c *pageCtx) (render.Source, error) {
	src := render.Source{Name: c.r.PathValue("name"), Channel: herald.Channel(c.r.PathValue("channel"))}
	if src.Channel != herald.ChannelSMS && src.Channel != herald.ChannelEmail {
		return src, herald.Errorf(herald.ECodeNotFound, "There are no templates for channel %q.", src.Channel)
	}
	if !templateName.MatchString(src.Name) {
		return src, herald.Errorf(herald.ECodeNotFound, "%q is not a template name.", src.Name)
	}
	return src, nil
}

func (s *Server) templateEdit(c *pageCtx) error {
	src, err := templateKey(c)
	if err != nil {
		return err
	}
	d, err := s.editor(c, src)
	if err != nil {
		return err
	}
	if !d.New {
		e, _ := s.Templates.Get(c.r.Context(), c.tenant.ID, src.Name, src.Channel)
		d.Source = e.Template.Source()
		d.Preview = previewOf(d.Source)
	}
	d.Highlight = splitUCS2(d.Source.Text)
	s.render(c.w, c.r, 200, "template", c, d)
	return nil
}

// formSource reads the editor's fields.
func formSource(c *pageCtx, src render.Source) render.Source {
	src.Text = c.r.PostForm.Get("text")
	if src.Channel == herald.ChannelEmail {
		src.Subject = c.r.PostForm.Get("subject")
		src.HTML = c.r.PostForm.Get("html")
	}
	// Browsers send textarea line breaks as CRLF.
	src.Text = strings.ReplaceAll(src.Text, "\r\n", "\n")
	src.HTML = strings.ReplaceAll(src.HTML, "\r\n", "\n")
	return src
}

// templateSave saves the edited template, or with action=preview only
// shows its preview: the editor's preview without JavaScript.
func (s *Server) templateSave(c *pageCtx) error {
	src, err := templateKey(c)
	if err != nil {
		return err
	}
	src = formSource(c, src)
	d, err := s.editor(c, src)
	if err != nil {
		return err
	}
	d.Source, d.Preview, d.Highlight = src, previewOf(src), splitUCS2(src.Text)
	if c.r.PostForm.Get("action") == "preview" {
		s.render(c.w, c.r, 200, "template", c, d)
		return nil
	}
	if _, _, err := s.Templates.Save(c.r.Context(), c.tenant.ID, src); err != nil {
		if statusOf(err) != http.StatusUnprocessableEntity {
			return err
		}
		var he *herald.Error
		if e, ok := err.(*herald.Error); ok {
			he = e
		}
		d.Problem = err.Error()
		if he != nil {
			d.Problem = he.Message
		}
		s.render(c.w, c.r, http.StatusUnprocessableEntity, "template", c, d)
		return nil
	}
	redirectDone(c, "/ui/templates/"+string(src.Channel)+"/"+src.Name, "saved")
	return nil
}

// templatePreview answers the editor's script with the preview of the
// text being typed, as JSON. Nothing is saved.
func (s *Server) templatePreview(c *pageCtx) error {
	src, err := templateKey(c)
	if err != nil {
		return err
	}
	p := previewOf(formSource(c, src))
	c.w.Header().Set("Content-Type", "application/json")
	c.w.Header().Set("Cache-Control", "no-store")
	return json.NewEncoder(c.w).Encode(p)
}

func (s *Server) templateRevert(c *pageCtx) error {
	src, err := templateKey(c)
	if err != nil {
		return err
	}
	if err := s.Templates.Delete(c.r.Context(), c.tenant.ID, src.Name, src.Channel); err != nil {
		return err
	}
	redirectDone(c, "/ui/templates/"+string(src.Channel)+"/"+src.Name, "reverted")
	return nil
}
