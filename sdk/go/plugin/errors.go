package plugin

import (
	"encoding/base64"
	"fmt"
	"strconv"
	"strings"
	"time"

	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/types/known/durationpb"
)

// Domain is the ErrorInfo domain of keystore errors.
const Domain = "keystore.openkcm.org"

// The typed errors of the contract. Each is a gRPC status with an ErrorInfo whose reason the host maps
// to the Java exception of the same name. Messages must never hold key material or sealed bytes.

// NotFound: no record (id, version).
func NotFound(id string, version int32) error {
	return typed(codes.NotFound, "KeyNotFound", fmt.Sprintf("key %s@%d not found", id, version), nil)
}

// AlreadyExists: store of an (id, version) that exists; the stored record is unchanged.
func AlreadyExists(id string, version int32) error {
	return typed(codes.AlreadyExists, "KeyAlreadyExists", fmt.Sprintf("key %s@%d already exists", id, version), nil)
}

// ConcurrentUpdate: the record's revision is no longer the expected one.
func ConcurrentUpdate(id string, version int32, expected, actual int64) error {
	return typed(codes.Aborted, "ConcurrentUpdate",
		fmt.Sprintf("key %s@%d changed: expected revision %d, found %d", id, version, expected, actual), nil)
}

// InvalidArgument: a bad request naming the field.
func InvalidArgument(field, problem string) error {
	return typed(codes.InvalidArgument, "InvalidKeyRequest", field+": "+problem, map[string]string{"field": field})
}

// CapacityExceeded: the backend is full.
func CapacityExceeded(message string) error {
	return typed(codes.ResourceExhausted, "CapacityExceeded", message, nil)
}

// Integrity: a stored record failed its own checks (corruption).
func Integrity(message string) error {
	return typed(codes.DataLoss, "Integrity", message, nil)
}

// Sealed: the backend is sealed and cannot serve until unsealed.
func Sealed(message string, retry time.Duration) error {
	return withRetry(typed(codes.Unavailable, "BackendSealed", message, nil), retry)
}

// Unavailable: the backend cannot answer now; retry after the hint.
func Unavailable(message string, retry time.Duration) error {
	return withRetry(typed(codes.Unavailable, "BackendUnavailable", message, nil), retry)
}

func typed(code codes.Code, reason, message string, md map[string]string) error {
	s, err := status.New(code, message).WithDetails(&errdetails.ErrorInfo{Domain: Domain, Reason: reason, Metadata: md})
	if err != nil {
		return status.Error(code, message)
	}
	return s.Err()
}

func withRetry(err error, retry time.Duration) error {
	s := status.Convert(err)
	if retry <= 0 {
		return err
	}
	p := s.Proto()
	if d, e := status.FromProto(p).WithDetails(&errdetails.RetryInfo{RetryDelay: durationpb.New(retry)}); e == nil {
		return d.Err()
	}
	return err
}

// CursorAfter is the opaque listing cursor that continues after (id, version); the host and every
// backend share its format.
func CursorAfter(id string, version int32) string {
	return base64.RawURLEncoding.EncodeToString([]byte(id + "@" + strconv.Itoa(int(version))))
}

// DecodeCursor reads a cursor made by CursorAfter; empty means the first page.
func DecodeCursor(cursor string) (id string, version int32, ok bool, err error) {
	if cursor == "" {
		return "", 0, false, nil
	}
	raw, e := base64.RawURLEncoding.DecodeString(cursor)
	at := strings.LastIndexByte(string(raw), '@')
	if e != nil || at <= 0 {
		return "", 0, false, InvalidArgument("cursor", "is not a cursor this keystore issued")
	}
	v, e := strconv.Atoi(string(raw[at+1:]))
	if e != nil || v < 1 {
		return "", 0, false, InvalidArgument("cursor", "is not a cursor this keystore issued")
	}
	return string(raw[:at]), int32(v), true, nil
}
