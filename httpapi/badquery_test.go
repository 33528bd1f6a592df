package httpapi_test

import (
	"encoding/base64"
	"net/http"

	"herald"
)

func badQuery(name, path, code, field string) badRequest {
	return badRequest{name: name, method: "GET", path: path, noBody: true,
		status: http.StatusBadRequest, code: code, field: field}
}

// badQueries are list requests with malformed query parameters.
func badQueries() []badRequest {
	forged := base64.RawURLEncoding.EncodeToString([]byte("yesterday|lead_X"))
	var out []badRequest
	for _, list := range []string{"/v1/leads", "/v1/meetings", "/v1/reminders", "/v1/audit"} {
		out = append(out,
			badQuery(list+" limit 0", list+"?limit=0", herald.ECodeInvalidQuery, "limit"),
			badQuery(list+" limit over the maximum", list+"?limit=201", herald.ECodeInvalidQuery, "limit"),
			badQuery(list+" negative limit", list+"?limit=-5", herald.ECodeInvalidQuery, "limit"),
			badQuery(list+" limit not a number", list+"?limit=ten", herald.ECodeInvalidQuery, "limit"),
			badQuery(list+" cursor not base64", list+"?cursor=%21%21%21", herald.ECodeInvalidCursor, "cursor"),
			badQuery(list+" forged cursor", list+"?cursor="+forged, herald.ECodeInvalidCursor, "cursor"),
		)
	}
	return append(out,
		badQuery("meetings unknown status", "/v1/meetings?status=done", herald.ECodeInvalidQuery, "status"),
		badQuery("meetings from not RFC 3339", "/v1/meetings?from=yesterday", herald.ECodeInvalidQuery, "from"),
		badQuery("meetings from a date only", "/v1/meetings?from=2026-03-02", herald.ECodeInvalidQuery, "from"),
		badQuery("meetings to out of range", "/v1/meetings?to=2026-13-01T00:00:00Z", herald.ECodeInvalidQuery, "to"),
		badQuery("reminders unknown status", "/v1/reminders?status=queued", herald.ECodeInvalidQuery, "status"),
	)
}

func wrongMethod(method, path string, allow ...string) badRequest {
	return badRequest{name: method + " " + path, method: method, path: path, noBody: true,
		status: http.StatusMethodNotAllowed, code: herald.ECodeMethod, allow: allow}
}

func noRoute(method, path string) badRequest {
	return badRequest{name: "no route " + method + " " + path, method: method, path: path, noBody: true,
		status: http.StatusNotFound, code: herald.ECodeNotFound}
}

// badRoutes are requests for methods a path does not have, and for paths
// the API does not have.
func badRoutes() []badRequest {
	return []badRequest{
		wrongMethod("GET", "/v1/admin/tenants", "POST"),
		wrongMethod("DELETE", "/v1/settings", "GET", "PUT"),
		wrongMethod("POST", "/v1/settings", "GET", "PUT"),
		wrongMethod("PUT", "/v1/leads", "GET", "POST"),
		wrongMethod("DELETE", "/v1/leads/{lead}", "GET", "PATCH"),
		wrongMethod("PUT", "/v1/leads/{lead}", "GET", "PATCH"),
		wrongMethod("DELETE", "/v1/meetings", "GET", "POST"),
		wrongMethod("DELETE", "/v1/meetings/{meeting}", "GET", "PATCH"),
		wrongMethod("GET", "/v1/meetings/{meeting}/cancel", "POST"),
		wrongMethod("POST", "/v1/reminders", "GET"),
		wrongMethod("PATCH", "/v1/reminders/{reminder}", "GET"),
		wrongMethod("DELETE", "/v1/audit", "GET"),
		wrongMethod("POST", "/healthz", "GET"),
		wrongMethod("PUT", "/readyz", "GET"),
		wrongMethod("POST", "/openapi.json", "GET"),
		noRoute("GET", "/"),
		noRoute("GET", "/v1"),
		noRoute("GET", "/v1/unknown"),
		noRoute("GET", "/v2/leads"),
		noRoute("GET", "/v1/leads/{lead}/history"),
		noRoute("POST", "/v1/meetings/{meeting}/confirm"),
		noRoute("DELETE", "/v1/tenants"),
	}
}
