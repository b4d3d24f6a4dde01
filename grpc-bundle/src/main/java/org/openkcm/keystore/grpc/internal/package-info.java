/** The gRPC server: endpoints, authorization, TLS, status mapping. Private. */
package org.openkcm.keystore.grpc.internal;
