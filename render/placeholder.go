package render

// field is a placeholder that a template may use.
type field uint8

// The placeholders. Their order is the order Placeholders lists them in.
const (
	fieldName field = iota + 1
	fieldTitle
	fieldTime
	fieldDate
	fieldDay
	fieldStartsIn
	fieldJoinLink
	fieldZone
	fieldTenant
	fieldCount // not a field: the size of per-field tables
)

// Placeholder describes one placeholder a template may use.
type Placeholder struct {
	// Name is written in braces in a template: {name}.
	Name string
	// Description says what it renders, with an example.
	Description string
	// UserSupplied reports that the value comes from a booking system
	// rather than from Herald's own formatting, so it may be empty or hold
	// any text.
	UserSupplied bool
}

// placeholderTable is indexed by field. It is never written after
// initialisation.
var placeholderTable = [fieldCount]Placeholder{
	fieldName:     {"name", "the lead's name: John", true},
	fieldTitle:    {"title", "the meeting's title: Product Demo", true},
	fieldTime:     {"time", "the start time in the display zone: 2:00 PM (en-US), 14:00 (en-GB, de-DE)", false},
	fieldDate:     {"date", "the start date in the display zone: Tue, Dec 1 (en-US), Tue 1 Dec (en-GB), Di., 1. Dez. (de-DE)", false},
	fieldDay:      {"day", "today, tomorrow, a weekday within the week, else the date; counted in calendar days in the display zone at send time", false},
	fieldStartsIn: {"starts_in", "the time left at send time, to the minute: 10 min, 1 hour, 2 hours 5 min, 1 day", false},
	fieldJoinLink: {"join_link", "the meeting's join link; empty when there is none (in HTML, also when it is not an http or https URL)", true},
	fieldZone:     {"zone", "the display zone's abbreviation at the start time: EST, CET", false},
	fieldTenant:   {"tenant", "the tenant's name: Acme Sales", true},
}

// lookupField finds a placeholder by name. A switch keeps the hot path of
// compilation free of map lookups and package state.
func lookupField(name string) (field, bool) {
	switch name {
	case "name":
		return fieldName, true
	case "title":
		return fieldTitle, true
	case "time":
		return fieldTime, true
	case "date":
		return fieldDate, true
	case "day":
		return fieldDay, true
	case "starts_in":
		return fieldStartsIn, true
	case "join_link":
		return fieldJoinLink, true
	case "zone":
		return fieldZone, true
	case "tenant":
		return fieldTenant, true
	}
	return 0, false
}

// String returns the placeholder's name.
func (f field) String() string {
	if f > 0 && f < fieldCount {
		return placeholderTable[f].Name
	}
	return "?"
}

// Placeholders lists every placeholder a template may use.
func Placeholders() []Placeholder {
	out := make([]Placeholder, 0, fieldCount-1)
	for f := fieldName; f < fieldCount; f++ {
		out = append(out, placeholderTable[f])
	}
	return out
}

// fieldsUsed lists the fields that nodes refer to, in order of first use and
// without repeats.
func fieldsUsed(parts ...[]node) []field {
	var seen [fieldCount]bool
	var out []field
	var walk func(nodes []node)
	walk = func(nodes []node) {
		for _, n := range nodes {
			switch n.kind {
			case nodeField:
				if !seen[n.field] {
					seen[n.field] = true
					out = append(out, n.field)
				}
			case nodeOptional:
				walk(n.children)
			}
		}
	}
	for _, p := range parts {
		walk(p)
	}
	return out
}
