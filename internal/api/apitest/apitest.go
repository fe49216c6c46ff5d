// Package apitest checks HTTP traffic against openbss's OpenAPI document in tests, with
// kin-openapi: every response must be one the document describes (status, headers, body), and
// every request the server accepted must be one the document allows. Any API test can use it:
//
//	v := apitest.MustNew(t, api.OpenAPIDocument())
//	res, body := v.Do(t, srv.Client(), req) // sends req, reads the body, checks both
//
// or, with a response obtained otherwise (httptest.ResponseRecorder.Result, a custom client),
// v.Check(t, req, res, body).
package apitest

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/gorillamux"
)

// BodyOptional is the extension of a response object whose body may be absent: an empty body
// without a Content-Type is then checked for its status and headers only (the lists'
// limit(0,0), which answers the Content-Range header alone). OpenAPI 3.0 cannot say "no body"
// for one response of an operation that otherwise has one.
const BodyOptional = "x-body-optional"

// ErrorSchema names the component schema of error bodies: the answers to requests that match
// no documented operation (404, 405) are checked against it.
const ErrorSchema = "Error"

// Validator checks requests and responses against one OpenAPI 3.0 document.
type Validator struct {
	doc    *openapi3.T
	router routers.Router
}

// New loads spec (JSON or YAML), validates it as an OpenAPI 3.0 document and prepares a router
// on it. The document's servers should be relative ("/"): routes then match on any host.
func New(spec []byte) (*Validator, error) {
	loader := openapi3.NewLoader()
	doc, err := loader.LoadFromData(spec)
	if err != nil {
		return nil, fmt.Errorf("apitest: load document: %w", err)
	}
	if err := doc.Validate(context.Background()); err != nil {
		return nil, fmt.Errorf("apitest: invalid document: %w", err)
	}
	router, err := gorillamux.NewRouter(doc)
	if err != nil {
		return nil, fmt.Errorf("apitest: router: %w", err)
	}
	return &Validator{doc: doc, router: router}, nil
}

// MustNew is New for tests: it stops t when the document is not valid.
func MustNew(t testing.TB, spec []byte) *Validator {
	t.Helper()
	v, err := New(spec)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// Doc is the loaded document (shared: do not modify it).
func (v *Validator) Doc() *openapi3.T { return v.doc }

// Do sends req with client, reads the whole response body and checks the exchange. The
// response's body is closed; the bytes are returned.
func (v *Validator) Do(t testing.TB, client *http.Client, req *http.Request) (*http.Response, []byte) {
	t.Helper()
	res, err := client.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", req.Method, req.URL.RequestURI(), err)
	}
	defer res.Body.Close()
	body, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatalf("%s %s: read body: %v", req.Method, req.URL.RequestURI(), err)
	}
	v.Check(t, req, res, body)
	return res, body
}

// Check reports, as a test error, where the exchange does not match the document (see
// Validate).
func (v *Validator) Check(t testing.TB, req *http.Request, res *http.Response, body []byte) {
	t.Helper()
	if err := v.Validate(req, res, body); err != nil {
		t.Errorf("%s %s → %d: does not match the OpenAPI document:\n%v\nresponse body: %s",
			req.Method, req.URL.RequestURI(), res.StatusCode, err, clip(body))
	}
}

// Validate returns where an exchange does not match the document, or nil:
//   - the operation must be documented, unless the server refused the request as unknown: 404
//     for an unknown path, 405 for another method of a documented path (body: ErrorSchema);
//   - the response must be documented for its status, with the documented headers and body;
//   - when the server accepted the request (2xx), the request must be valid too: path, query
//     and header parameters, body and credentials. A refused request (4xx) may be invalid: that
//     is often the point of the test.
//
// req's body is read again through req.GetBody (http.NewRequest sets it for bytes, strings
// and bytes.Buffer readers); a request whose body cannot be replayed is checked without it. A
// body without a Content-Type is checked as application/json, as the server reads it.
// body is the response body already read from res.
func (v *Validator) Validate(req *http.Request, res *http.Response, body []byte) error {
	ctx := context.Background()
	in, err := v.requestInput(ctx, req)
	if err != nil {
		return v.unrouted(req, res, body, err)
	}
	var errs []error
	if res.StatusCode >= 200 && res.StatusCode < 300 {
		if err := openapi3filter.ValidateRequest(ctx, in); err != nil {
			errs = append(errs, fmt.Errorf("the server accepted a request the document rejects: %w", err))
		}
	}
	opts := *in.Options
	if optional, _ := responseExtension(in.Route, res.StatusCode, BodyOptional).(bool); optional &&
		len(body) == 0 && res.Header.Get("Content-Type") == "" {
		opts.ExcludeResponseBody = true
	}
	out := &openapi3filter.ResponseValidationInput{RequestValidationInput: in, Status: res.StatusCode,
		Header: res.Header, Options: &opts}
	out.SetBodyBytes(body)
	if err := openapi3filter.ValidateResponse(ctx, out); err != nil {
		errs = append(errs, err)
	}
	return errors.Join(errs...)
}

// unrouted checks the answer to a request the document has no operation for: the server must
// have refused it too, 404 for an unknown path and 405 for a known path with another method,
// with the document's Error schema as the body.
func (v *Validator) unrouted(req *http.Request, res *http.Response, body []byte, err error) error {
	switch {
	case errors.Is(err, routers.ErrPathNotFound) && res.StatusCode == http.StatusNotFound,
		errors.Is(err, routers.ErrMethodNotAllowed) && res.StatusCode == http.StatusMethodNotAllowed:
	default:
		return fmt.Errorf("no documented operation for %s %s: %w", req.Method, req.URL.Path, err)
	}
	ref := v.doc.Components.Schemas[ErrorSchema]
	if ref == nil || ref.Value == nil {
		return nil
	}
	var value any
	if err := json.Unmarshal(body, &value); err != nil {
		return fmt.Errorf("%d body is not JSON: %w", res.StatusCode, err)
	}
	if err := ref.Value.VisitJSON(value, openapi3.VisitAsResponse()); err != nil {
		return fmt.Errorf("%d body does not match #/components/schemas/%s: %w", res.StatusCode, ErrorSchema, err)
	}
	return nil
}

// OperationID is the operationId of the documented operation req calls, for tests that check
// they cover every operation.
func (v *Validator) OperationID(req *http.Request) (string, bool) {
	route, _, err := v.router.FindRoute(req)
	if err != nil {
		return "", false
	}
	return route.Operation.OperationID, true
}

// requestInput finds the operation of req and prepares its validation input over a copy of
// req with a fresh body.
func (v *Validator) requestInput(ctx context.Context, req *http.Request) (*openapi3filter.RequestValidationInput, error) {
	r := req.Clone(ctx)
	opts := &openapi3filter.Options{
		IncludeResponseStatus:   true, // an undocumented status is a mismatch
		MultiError:              true,
		SkipSettingDefaults:     true,
		AuthenticationFunc:      authenticate,
		SchemaValidationOptions: []openapi3.SchemaValidationOption{openapi3.EnableFormatValidation()},
	}
	switch {
	case req.GetBody != nil:
		b, err := req.GetBody()
		if err != nil {
			return nil, fmt.Errorf("replay request body: %w", err)
		}
		r.Body = b
	case req.Body == nil || req.Body == http.NoBody:
		r.Body = http.NoBody
	default:
		r.Body, opts.ExcludeRequestBody = http.NoBody, true
	}
	route, params, err := v.router.FindRoute(r)
	if err != nil {
		return nil, err
	}
	// The server reads JSON bodies whatever their Content-Type; a test need not set it.
	if r.Header.Get("Content-Type") == "" && !opts.ExcludeRequestBody && r.Body != http.NoBody {
		r.Header.Set("Content-Type", "application/json")
	}
	return &openapi3filter.RequestValidationInput{Request: r, PathParams: params, Route: route, Options: opts}, nil
}

// authenticate accepts a request that carries the credential a security scheme names; whether
// the token is valid is the server's business (a 401 is documented on every secured operation).
func authenticate(_ context.Context, in *openapi3filter.AuthenticationInput) error {
	h := in.RequestValidationInput.Request.Header
	s := in.SecurityScheme
	switch {
	case s.Type == "http" && strings.EqualFold(s.Scheme, "bearer"):
		scheme, tok, ok := strings.Cut(h.Get("Authorization"), " ")
		if ok && strings.EqualFold(scheme, "Bearer") && strings.TrimSpace(tok) != "" {
			return nil
		}
	case s.Type == "apiKey" && s.In == "header":
		if strings.TrimSpace(h.Get(s.Name)) != "" {
			return nil
		}
	default:
		return fmt.Errorf("security scheme %q (%s) is not supported by apitest", in.SecuritySchemeName, s.Type)
	}
	return fmt.Errorf("no %s credential", in.SecuritySchemeName)
}

// responseExtension is the value of an extension of the response documented for status.
func responseExtension(route *routers.Route, status int, name string) any {
	ref := route.Operation.Responses.Status(status)
	if ref == nil || ref.Value == nil {
		return nil
	}
	return ref.Value.Extensions[name]
}

func clip(b []byte) []byte {
	const max = 2000
	b = bytes.TrimSpace(b)
	if len(b) > max {
		return append(b[:max:max], "…"...)
	}
	return b
}
