package org.openkcm.keystore.postgres.internal;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.osgi.service.metatype.annotations.Option;

/**
 * Settings of the PostgreSQL backend. The core's config bridge fills this PID from config.yaml
 * {@code backends.postgres.*}. There is deliberately no password attribute: the password is read at
 * activation from a file ({@link #passwordFile()}) or an environment variable ({@link
 * #passwordEnv()}), so it is never stored in ConfigAdmin, shown by the Web Console or published as
 * a service property.
 */
@ObjectClassDefinition(
    name = "OpenKCM Keystore - PostgreSQL backend",
    description = "Stores sealed key records in a PostgreSQL table, one row per key version.")
public @interface PostgresConfig {

  String PID = "org.openkcm.keystore.postgres";

  @AttributeDefinition(
      name = "JDBC URL",
      description = "jdbc:postgresql://host:port/database; no password parameter")
  String url() default "jdbc:postgresql://127.0.0.1:5432/keystore";

  @AttributeDefinition(name = "User")
  String user() default "keystore";

  @AttributeDefinition(
      name = "Password file",
      required = false,
      description = "File holding the password (one line); read at activation, never stored")
  String passwordFile() default "";

  @AttributeDefinition(
      name = "Password environment variable",
      required = false,
      description =
          "Name of the environment variable holding the password, used when no password file is set")
  String passwordEnv() default "PGPASSWORD";

  @AttributeDefinition(
      name = "Schema",
      description = "Schema of the keystore tables; created and migrated by the bundle")
  String schema() default "openkcm_keystore";

  @AttributeDefinition(
      name = "Pool size",
      min = "1",
      max = "200",
      description = "Largest number of open connections")
  int poolSize() default 10;

  @AttributeDefinition(
      name = "TLS mode",
      options = {
        @Option(label = "verify-full", value = "verify-full"),
        @Option(label = "verify-ca", value = "verify-ca"),
        @Option(label = "require", value = "require"),
        @Option(label = "prefer", value = "prefer"),
        @Option(label = "disable", value = "disable")
      })
  String sslMode() default "verify-full";

  @AttributeDefinition(
      name = "CA file",
      required = false,
      description = "PEM file of the CA that signed the server certificate")
  String sslRootCert() default "";

  @AttributeDefinition(
      name = "Connect timeout",
      description = "TCP connect, login and pool checkout, a duration such as 2s (1ms-10m)")
  String connectTimeout() default "2s";

  @AttributeDefinition(
      name = "Statement timeout",
      description =
          "Per statement, enforced by the server and the socket, a duration such as 5s (1ms-10m)")
  String statementTimeout() default "5s";

  @AttributeDefinition(name = "Largest sealed record (bytes)", min = "1")
  int maxRecordBytes() default 65536;
}
