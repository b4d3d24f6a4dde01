package org.openkcm.keystore.openbao.internal;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.AttributeType;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.osgi.service.metatype.annotations.Option;

/**
 * Settings of the OpenBao KV v2 backend. The core's config bridge fills this PID from config.yaml
 * {@code backends.openbao.*} and, as this bundle declares in {@code
 * OSGI-INF/keystore/config-sections.properties}, {@code BAO_ADDR} and {@code BAO_NAMESPACE}, so the
 * property names are plain camelCase and must not change. The token is read by {@link
 * BaoEnvironment} only.
 */
@ObjectClassDefinition(
    name = "OpenKCM Keystore - OpenBao backend",
    description = "Stores sealed key records in an OpenBao KV v2 mount.")
public @interface OpenBaoConfig {

  String PID = "org.openkcm.keystore.openbao";

  @AttributeDefinition(
      name = "Address",
      description =
          "OpenBao base URL, e.g. https://127.0.0.1:8200; the nodes of an HA cluster comma-separated"
              + " (requests follow the active node)")
  String address() default "https://127.0.0.1:8200";

  @AttributeDefinition(
      name = "Token",
      type = AttributeType.PASSWORD,
      required = false,
      description = "Token for authMethod=token. Never logged.")
  String token();

  @AttributeDefinition(
      name = "Auth method",
      options = {
        @Option(label = "Token", value = "token"),
        @Option(label = "AppRole", value = "approle")
      })
  String authMethod() default "token";

  @AttributeDefinition(name = "AppRole role id", required = false)
  String roleId() default "";

  @AttributeDefinition(name = "AppRole secret id", type = AttributeType.PASSWORD, required = false)
  String secretId();

  @AttributeDefinition(
      name = "AppRole mount",
      description = "Path the AppRole auth method is mounted at")
  String approleMount() default "approle";

  @AttributeDefinition(name = "Namespace", required = false)
  String namespace() default "";

  @AttributeDefinition(name = "KV v2 mount")
  String mount() default "secret";

  @AttributeDefinition(
      name = "Path prefix",
      description = "Every record and index entry lives under this prefix")
  String prefix() default "openkcm";

  @AttributeDefinition(
      name = "CA file",
      required = false,
      description = "PEM file of the CA certificates to trust")
  String caFile() default "";

  @AttributeDefinition(
      name = "Client certificate file",
      required = false,
      description = "PEM certificate chain for mTLS")
  String clientCertFile() default "";

  @AttributeDefinition(
      name = "Client key file",
      required = false,
      description = "PEM PKCS#8 private key (RSA or EC), unencrypted")
  String clientKeyFile() default "";

  @AttributeDefinition(
      name = "Connect timeout",
      description = "TCP/TLS connect timeout, a duration such as 2s or 500ms (1ms-10m)")
  String connectTimeout() default "2s";

  @AttributeDefinition(
      name = "Read timeout",
      description =
          "Per request: the deadline of each whole exchange with OpenBao, a duration such as 5s"
              + " (1ms-10m)")
  String readTimeout() default "5s";

  @AttributeDefinition(name = "Largest sealed record (bytes)", min = "1")
  int maxRecordBytes() default 65536;
}
