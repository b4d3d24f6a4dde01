package org.openkcm.keystore.pkcs11.internal;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.osgi.service.metatype.annotations.Option;

/**
 * PID {@value #PID} (config.yaml {@code rootKey.pkcs11}). The PIN is deliberately not a property:
 * it comes from the environment variable named by {@link #pinEnv()} or from {@link #pinFile()}, is
 * read when a session is opened and is never stored in ConfigAdmin, logged or shown.
 */
@ObjectClassDefinition(
    name = "OpenKCM Keystore - PKCS#11 root key",
    description =
        "Wraps L2 data-encryption keys with a non-extractable AES-256 key inside a PKCS#11 token (HSM, SoftHSM2).")
public @interface Pkcs11Config {
  String PID = "org.openkcm.keystore.pkcs11";

  @AttributeDefinition(
      name = "Library",
      description = "Path of the PKCS#11 module, e.g. /usr/lib/softhsm/libsofthsm2.so")
  String library() default "/usr/lib/softhsm/libsofthsm2.so";

  @AttributeDefinition(
      name = "Slot id",
      description = "PKCS#11 slot id of the token; -1 = use the slot index (or the token label)")
  long slot() default -1;

  @AttributeDefinition(
      name = "Slot index",
      description =
          "Index in the module's list of slots with a token; used when slot is -1 and no token label is set")
  int slotListIndex() default 0;

  @AttributeDefinition(
      name = "Token label",
      required = false,
      description =
          "Selects the slot whose token carries this label (takes precedence over the slot index)")
  String tokenLabel() default "";

  @AttributeDefinition(
      name = "Key label",
      description =
          "Label of the root key (version 1); rotation adds <label>-v2, <label>-v3, ... and the highest is current")
  String keyLabel() default "openkcm-root";

  @AttributeDefinition(
      name = "PIN environment variable",
      description = "Name of the environment variable holding the user PIN")
  String pinEnv() default "OPENKCM_KEYSTORE_PKCS11_PIN";

  @AttributeDefinition(
      name = "PIN file",
      required = false,
      description =
          "File holding the user PIN (trailing newline ignored); used when the variable is unset")
  String pinFile() default "";

  @AttributeDefinition(
      name = "Mechanism",
      options = {@Option(label = "CKM_AES_GCM", value = "CKM_AES_GCM")},
      description =
          "How DEKs are wrapped inside the token. CKM_AES_GCM binds the record's associated data.")
  String mechanism() default "CKM_AES_GCM";

  @AttributeDefinition(
      name = "Create key",
      description =
          "Create the key (non-extractable, sensitive AES-256) in the token on first start when it is absent")
  boolean createKey() default false;

  @AttributeDefinition(
      name = "Previous provider",
      required = false,
      description =
          "Name of the provider that wrapped older records (e.g. local): their DEKs are unwrapped through it while they are migrated")
  String previousProvider() default "";

  @AttributeDefinition(
      name = "Reload module on reconnect",
      description =
          "Load the PKCS#11 module again (private copy) after the token was lost: "
              + "SunPKCS11 never re-initialises a module, and SoftHSM2 does not recover inside one")
  boolean reloadModule() default true;

  @AttributeDefinition(
      name = "Reconnect backoff",
      description =
          "First wait between reconnect attempts, a duration such as 500ms; doubles up to 30s")
  String reconnectBackoff() default "500ms";
}
