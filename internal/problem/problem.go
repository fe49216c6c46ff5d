// Package problem is the one error type that crosses from the core to the API: an HTTP status,
// a stable machine-readable type and a human message, rendered as
// {"code": <status>, "type": "<type>", "message": "<message>"}. Pure packages return it for
// client mistakes; anything else reaching the HTTP layer is a 500 (a bug).
package problem

import (
	"errors"
	"fmt"
	"net/http"
)

// Error is a client-facing error.
type Error struct {
	Status  int    `json:"code"`
	Type    string `json:"type"`
	Message string `json:"message"`
}

func (e *Error) Error() string { return e.Type + ": " + e.Message }

// New builds an error with a formatted message.
func New(status int, typ, format string, args ...any) *Error {
	return &Error{Status: status, Type: typ, Message: fmt.Sprintf(format, args...)}
}

// Invalid is a 400 for a malformed or inconsistent request.
func Invalid(typ, format string, args ...any) *Error {
	return New(http.StatusBadRequest, typ, format, args...)
}

// Unprocessable is a 422: a well-formed request that the business rules refuse.
func Unprocessable(typ, format string, args ...any) *Error {
	return New(http.StatusUnprocessableEntity, typ, format, args...)
}

// NotFound is a 404; it is also what a caller gets for what it may not see.
func NotFound(format string, args ...any) *Error {
	return New(http.StatusNotFound, "NotFound", format, args...)
}

// Conflict is a 409.
func Conflict(typ, format string, args ...any) *Error {
	return New(http.StatusConflict, typ, format, args...)
}

// As extracts a *Error from err's chain.
func As(err error) (*Error, bool) {
	var p *Error
	ok := errors.As(err, &p)
	return p, ok
}
