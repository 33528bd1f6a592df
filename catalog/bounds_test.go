package catalog_test

import (
	"context"
	"fmt"
	"runtime"
	"strings"
	"testing"

	"herald"
	"herald/catalog"
	"herald/render"
)

// overridesStore holds a fixed set of tenants' templates.
type overridesStore struct{ overrides []herald.TemplateOverride }

func (s *overridesStore) TemplateOverrides(_ context.Context, _, name string) ([]herald.TemplateOverride, error) {
	if name == "" {
		return s.overrides, nil
	}
	var out []herald.TemplateOverride
	for _, o := range s.overrides {
		if o.Name == name {
			out = append(out, o)
		}
	}
	return out, nil
}

func (s *overridesStore) SaveTemplateOverride(context.Context, string, herald.TemplateOverride) (herald.TemplateOverride, bool, error) {
	panic("not used")
}

func (s *overridesStore) DeleteTemplateOverride(context.Context, string, string, herald.Channel, string) error {
	panic("not used")
}

// largeOverrides are n email templates of about 60 KB each.
func largeOverrides(n int) []herald.TemplateOverride {
	text := strings.Repeat("Dear {name}, about \"{title}\" & more. ", 1500)
	out := make([]herald.TemplateOverride, n)
	for i := range out {
		out[i] = herald.TemplateOverride{Name: fmt.Sprintf("big_%03d", i), Channel: herald.ChannelEmail,
			Subject: "About {title}", Text: text}
	}
	return out
}

// allocated returns the bytes fn allocates.
func allocated(fn func()) uint64 {
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	fn()
	runtime.ReadMemStats(&after)
	return after.TotalAlloc - before.TotalAlloc
}

// A page of one template compiles one template, not every template of the
// tenant; once compiled, a template is not compiled again.
func TestListCompilesOnlyThePageAndOnce(t *testing.T) {
	store := &overridesStore{overrides: largeOverrides(200)}
	c := catalog.New(store, render.NewRegistry())
	ctx := context.Background()

	var page []catalog.Entry
	first := allocated(func() {
		var err error
		if page, err = c.List(ctx, "ten_1", nil, 1); err != nil {
			t.Fatal(err)
		}
	})
	if len(page) != 1 {
		t.Fatalf("a page of 1 has %d entries", len(page))
	}
	all := allocated(func() {
		if _, err := c.List(ctx, "ten_1", nil, 0); err != nil {
			t.Fatal(err)
		}
	})
	again := allocated(func() {
		if _, err := c.List(ctx, "ten_1", nil, 0); err != nil {
			t.Fatal(err)
		}
	})
	t.Logf("allocated: page of 1 %d KB, all 200 the first time %d KB, all 200 again %d KB", first>>10, all>>10, again>>10)
	if first*20 > all {
		t.Errorf("a page of 1 allocated %d KB, more than a twentieth of listing all 200 (%d KB)", first>>10, all>>10)
	}
	if again*10 > all {
		t.Errorf("listing again allocated %d KB of %d KB the first time: compiled templates are not kept", again>>10, all>>10)
	}
}

// A template saved before the size bound existed, with thousands of
// {title}, is refused by Preview instead of rendered.
func TestPreviewRefusesTemplatesThatRenderTooLarge(t *testing.T) {
	t.Parallel()
	huge := herald.TemplateOverride{Name: "huge", Channel: herald.ChannelEmail, Subject: "Hi",
		Text: strings.Repeat("{title}", 9000)}
	if err := render.Validate(catalog.SourceOf(huge)); render.ErrorCode(err) != render.CodeTooLarge {
		t.Fatalf("Validate = %v, want %s", err, render.CodeTooLarge)
	}
	c := catalog.New(&overridesStore{overrides: []herald.TemplateOverride{huge}}, render.NewRegistry())
	v := render.SampleValues()
	v.Title = strings.Repeat("x", herald.MaxTitleBytes)
	_, _, err := c.Preview(context.Background(), "ten_1", "huge", herald.ChannelEmail, v)
	if herald.ErrorCode(err) != render.CodeTooLarge {
		t.Fatalf("Preview = %v, want code %s", err, render.CodeTooLarge)
	}
}
