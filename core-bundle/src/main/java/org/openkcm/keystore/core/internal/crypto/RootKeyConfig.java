package org.openkcm.keystore.core.internal.crypto;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/**
 * PID {@value #PID}: which root-key provider the core uses, and the local provider's master key
 * file.
 */
@ObjectClassDefinition(
    name = "OpenKCM Keystore - Root key",
    description =
        "The root key (L1 stand-in) that wraps every L2 key. 'local' = a master key file, for development and tests.")
public @interface RootKeyConfig {
  String PID = "org.openkcm.keystore.rootkey";

  /** The master key file when none is configured: in the user's home, never under a build dir. */
  String DEFAULT_MASTER_KEY_FILE = "~/.openkcm-keystore/master.key";

  @AttributeDefinition(
      name = "Provider",
      description =
          "keystore.rootkey name of the RootKeyProvider the core uses, e.g. local, or the name another bundle's provider registers.")
  String provider() default "local";

  @AttributeDefinition(
      name = "Master key file",
      description =
          "Local provider only: 32-byte AES-256 key (~/ = the user's home). "
              + "Created owner-only (rw-------) only while no configured backend holds keys and no key id was recorded for it "
              + "(<file>.id). The environment variable OPENKCM_KEYSTORE_MASTER_KEY (base64) takes precedence.")
  String masterKeyFile() default DEFAULT_MASTER_KEY_FILE;

  @AttributeDefinition(
      name = "Write time tolerance",
      description =
          "A record whose backend reports having written it (the time the backend stamps on its own write) later than "
              + "the core's authenticated write time plus this is refused as an old copy written again. Covers clock skew "
              + "between nodes and backends. 1s to 1h; e.g. 60s, 5m.")
  String writeTimeTolerance() default "60s";
}
