package incidentgraph

import (
	"errors"
	"fmt"
)

// Error codes. They travel to GraphQL clients as extensions.code, so they are part of the API.
const (
	ENOTFOUND = "NOT_FOUND"      // the thing asked for does not exist
	EINVALID  = "BAD_USER_INPUT" // the request is malformed or out of bounds
	ECONFLICT = "CONFLICT"       // the request contradicts what is stored
	EINTERNAL = "INTERNAL"       // anything else: masked for clients, logged once
	EUNAVAIL  = "UNAVAILABLE"    // a dependency (Neo4j) cannot be reached
	ETIMEOUT  = "TIMEOUT"        // the request ran past its time limit
	ECANCELED = "CANCELED"       // the client went away before the answer (nobody reads it)

	EUNAUTHENTICATED = "UNAUTHENTICATED" // no valid credentials where they are needed
	EFORBIDDEN       = "FORBIDDEN"       // valid credentials, too low a role
	ECYPHER          = "CYPHER_REFUSED"  // a Cypher query that is not read-only or not allowed
)

// Error is an application error whose message is safe to show to clients.
type Error struct {
	Code    string
	Message string
}

func (e *Error) Error() string { return e.Message }

// Errorf returns an application error with the given code.
func Errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// ErrorCode returns the code of an application error, or EINTERNAL for any other error.
func ErrorCode(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return EINTERNAL
}

// ErrorMessage returns the message of an application error, or a generic message for any other
// error: internal details (Cypher, driver text) must not reach clients.
func ErrorMessage(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Message
	}
	return "internal error"
}
