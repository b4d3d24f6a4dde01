package main

import (
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/openkcm/keystore/sdk/go/plugin"
)

func isNotFound(err error) bool {
	s, ok := status.FromError(err)
	return ok && s.Code() == codes.NotFound
}

// storageError passes typed errors through and turns a bbolt failure into BackendUnavailable,
// without the file path or any record content.
func storageError(err error) error {
	if _, ok := status.FromError(err); ok {
		return err
	}
	plugin.Logger().Error("database operation failed", "error", err.Error())
	return plugin.Unavailable("database operation failed", 0)
}
