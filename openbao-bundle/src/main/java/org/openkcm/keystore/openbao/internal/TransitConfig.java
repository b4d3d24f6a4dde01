package org.openkcm.keystore.openbao.internal;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.AttributeType;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.osgi.service.metatype.annotations.Option;

/**
 * Settings of the OpenBao Transit root key provider. Same connection settings as {@link
 * OpenBaoConfig}.
 */
@ObjectClassDefinition(
    name = "OpenKCM Keystore - OpenBao Transit root key",
    description =
        "Wraps L2 data-encryption keys with an OpenBao Transit key that never leaves OpenBao.")
public @interface TransitConfig {

  String PID = "org.openkcm.keystore.openbao.transit";

  @AttributeDefinition(name = "Address")
  String address() default "https://127.0.0.1:8200";

  @AttributeDefinition(name = "Token", type = AttributeType.PASSWORD, required = false)
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

  @AttributeDefinition(name = "AppRole mount")
  String approleMount() default "approle";

  @AttributeDefinition(name = "Namespace", required = false)
  String namespace() default "";

  @AttributeDefinition(name = "Transit mount")
  String mount() default "transit";

  @AttributeDefinition(
      name = "Transit key name",
      description =
          "Must exist; type aes256-gcm96, aes128-gcm96 or chacha20-poly1305 (they bind associated data)")
  String keyName() default "openkcm-root";

  @AttributeDefinition(name = "CA file", required = false)
  String caFile() default "";

  @AttributeDefinition(name = "Client certificate file", required = false)
  String clientCertFile() default "";

  @AttributeDefinition(name = "Client key file", required = false)
  String clientKeyFile() default "";

  @AttributeDefinition(
      name = "Connect timeout",
      description = "TCP/TLS connect timeout, a duration such as 2s or 500ms (1ms-10m)")
  String connectTimeout() default "2s";

  @AttributeDefinition(
      name = "Read timeout",
      description = "Per request: the deadline of each whole exchange, a duration such as 5s")
  String readTimeout() default "5s";
}
