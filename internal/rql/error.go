package rql

import "fmt"

// Error is the only error type Parse and Compile return. It always describes a
// fault in the client's query (never in the schema), so the HTTP layer maps it
// to 400 Bad Request.
type Error struct {
	Pos   int    // byte offset into the raw, still %-encoded query (0-based)
	Field string // the API field the error concerns, if any
	Msg   string // complete human-readable message, without the position
}

func (e *Error) Error() string {
	return fmt.Sprintf("rql: at position %d: %s", e.Pos, e.Msg)
}

func errorf(pos int, format string, args ...any) *Error {
	return &Error{Pos: pos, Msg: fmt.Sprintf(format, args...)}
}

func fieldErrorf(pos int, field, format string, args ...any) *Error {
	return &Error{Pos: pos, Field: field, Msg: fmt.Sprintf(format, args...)}
}

// quote renders client text for an error message, bounded so that a long
// value cannot blow up logs and responses.
func quote(s string) string {
	const max = 64
	if len(s) > max {
		return fmt.Sprintf("%q...", s[:max])
	}
	return fmt.Sprintf("%q", s)
}
