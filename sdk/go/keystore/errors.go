package keystore

import (
	"time"

	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

// ErrorInfo is what the server says about a failed call: the gRPC code, the typed error's name
// (KeyNotFound, BackendUnavailable, ...), the backend and field involved, and how long to wait before
// retrying (UNAVAILABLE only).
type ErrorInfo struct {
	Code       codes.Code
	Reason     string
	Backend    string
	Field      string
	RetryDelay time.Duration
	Message    string
}

// Explain decodes the status details of an error returned by a call.
func Explain(err error) ErrorInfo {
	s, _ := status.FromError(err)
	out := ErrorInfo{Code: s.Code(), Message: s.Message()}
	for _, d := range s.Details() {
		switch v := d.(type) {
		case *errdetails.ErrorInfo:
			out.Reason = v.GetReason()
			out.Backend = v.GetMetadata()["backend"]
			out.Field = v.GetMetadata()["field"]
		case *errdetails.RetryInfo:
			out.RetryDelay = v.GetRetryDelay().AsDuration()
		}
	}
	return out
}
