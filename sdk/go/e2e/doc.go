// Package e2e holds the end-to-end tests of the gRPC API: they start the built runtime
// (distribution/target/runtime, or $OPENKCM_RUNTIME) on free loopback ports with certificates made
// for the run, and call every RPC of KeyService and KeystoreOperations over mutual TLS.
package e2e
