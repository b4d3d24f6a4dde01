package org.openkcm.keystore.grpc.internal;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/** PID {@code org.openkcm.keystore.grpc}, config.yaml section {@code grpc:}. */
@ObjectClassDefinition(
    name = "OpenKCM Keystore gRPC server",
    description =
        "Serves KeystoreOperations and KeyService over gRPC: TLS 1.3 with required client certificates, "
            + "authorization per client")
public @interface GrpcConfig {

  @AttributeDefinition(
      description = "Bind address; plaintext is refused unless it is a loopback address")
  String host() default "127.0.0.1";

  @AttributeDefinition(
      description =
          "TCP port (0: any free port, reported in the log and the service property grpc.port)")
  int port() default 9443;

  @AttributeDefinition(description = "PEM file with the server certificate chain")
  String certFile() default "";

  @AttributeDefinition(description = "PEM file with the server's PKCS#8 private key")
  String keyFile() default "";

  @AttributeDefinition(
      description = "PEM file with the CA certificates that issue client certificates")
  String clientCaFile() default "";

  @AttributeDefinition(
      description =
          "Serve without TLS: honoured only in development mode and on a loopback address")
  boolean plaintext() default false;

  @AttributeDefinition(
      description =
          "Authorization table, one client per entry: "
              + "'identity=<subject DN, SAN URI/DNS or SPIFFE id>; owners=<glob>,...; ops=<Service/Method glob>,...'")
  String[] clients() default {};

  @AttributeDefinition(
      description =
          "Largest request message in bytes; larger ones are refused before they are parsed")
  int maxMessageBytes() default 1048576;

  @AttributeDefinition(
      description =
          "How often the certificate files are checked for changes (they reload without dropping connections)")
  String reloadInterval() default "5s";

  @AttributeDefinition(description = "Threads running calls")
  int callThreads() default 16;

  @AttributeDefinition(description = "Server reflection: served only in development mode")
  boolean reflection() default true;

  @AttributeDefinition(
      description = "Retry delay advertised with UNAVAILABLE when the backend names none")
  String retryDelay() default "1s";
}
