package org.openkcm.keystore.webconsole.internal;

import java.util.function.Function;
import org.openkcm.keystore.api.CreateKeyRequest;
import org.openkcm.keystore.api.KeyService;
import org.openkcm.keystore.model.InvalidKeyRequestException;
import org.openkcm.keystore.model.KeyMetadata;
import org.openkcm.keystore.model.KeyRef;
import org.openkcm.keystore.model.KeyStatus;
import org.openkcm.keystore.model.KeyTier;
import org.openkcm.keystore.model.KeystoreException;
import org.openkcm.keystore.model.Limits;
import org.openkcm.keystore.model.Owner;

/**
 * The console's key actions, each one call of {@link KeyService} with the form's values parsed and
 * validated first (a bad value is refused naming its field and changes nothing). A destroy needs
 * the key id typed again into {@code confirm}: a slip of the mouse never shreds a key.
 */
final class KeyActions {
  private final KeyService keys;

  KeyActions(KeyService keys) {
    this.keys = keys;
  }

  static boolean handles(String action) {
    return switch (action) {
      case "createKey", "rotate", "changeStatus", "updateKey", "destroy" -> true;
      default -> false;
    };
  }

  /**
   * @return what was done, and the key the page shows next
   */
  ActionOutcome perform(String action, Function<String, String> params) throws KeystoreException {
    return switch (action) {
      case "createKey" -> create(params);
      case "rotate" -> rotate(params);
      case "changeStatus" -> changeStatus(params);
      case "updateKey" -> update(params);
      case "destroy" -> destroy(params);
      default ->
          throw new InvalidKeyRequestException("action", "unknown: " + Limits.printable(action));
    };
  }

  private ActionOutcome create(Function<String, String> p) throws KeystoreException {
    KeyTier tier = KeyTier.parse("tier", required(p, "tier"));
    CreateKeyRequest.Builder b = CreateKeyRequest.builder(tier, Owner.parse(required(p, "owner")));
    String id = optional(p, "id");
    if (id != null) {
      b.keyId(id);
    }
    String parent = optional(p, "parent");
    if (parent != null) {
      b.parentId(parent);
    }
    String status = optional(p, "status");
    if (status != null) {
      b.initialStatus(KeyStatus.parse("status", status));
    }
    b.expiresAt(FormValues.expiry(optional(p, "expires")));
    FormValues.tags(optional(p, "tags")).forEach(b::tag);
    KeyMetadata m = keys.create(b.build());
    return new ActionOutcome(
        m.ref(), "Created " + m.ref() + " (" + m.tier() + ", " + m.status() + ")");
  }

  private ActionOutcome rotate(Function<String, String> p) throws KeystoreException {
    String id = Limits.checkId("key", required(p, "key"));
    KeyMetadata m = keys.rotate(id);
    return new ActionOutcome(m.ref(), "Rotated " + id + ": " + m.ref() + " is ACTIVE");
  }

  private ActionOutcome changeStatus(Function<String, String> p) throws KeystoreException {
    KeyRef ref = KeyRef.parse(required(p, "key"));
    KeyStatus next = KeyStatus.parse("status", required(p, "status"));
    KeyMetadata m = keys.changeStatus(ref, next);
    return new ActionOutcome(m.ref(), "Status of " + m.ref() + " is now " + m.status());
  }

  private ActionOutcome update(Function<String, String> p) throws KeystoreException {
    KeyRef ref = KeyRef.parse(required(p, "key"));
    KeyMetadata m =
        keys.updateMetadata(
            ref, FormValues.tags(optional(p, "tags")), FormValues.expiry(optional(p, "expires")));
    return new ActionOutcome(
        m.ref(),
        "Updated " + m.ref() + ": expires " + m.expiresAt().map(Object::toString).orElse("never"));
  }

  private ActionOutcome destroy(Function<String, String> p) throws KeystoreException {
    String id = Limits.checkId("key", required(p, "key"));
    String typed = optional(p, "confirm");
    if (!id.equals(typed)) {
      throw new InvalidKeyRequestException(
          "confirm",
          "type the key id '" + id + "' to confirm its destruction; nothing was destroyed");
    }
    boolean cascade = "true".equals(p.apply("cascade"));
    keys.destroy(id, cascade);
    return new ActionOutcome(
        KeyRef.of(id, 1),
        "Destroyed every version of " + id + (cascade ? " and of its children" : ""));
  }

  private static String required(Function<String, String> p, String field)
      throws InvalidKeyRequestException {
    String v = optional(p, field);
    if (v == null) {
      throw new InvalidKeyRequestException(field, "is required");
    }
    return v;
  }

  private static String optional(Function<String, String> p, String field) {
    String v = p.apply(field);
    return v == null || v.isBlank() ? null : v.trim();
  }

  /** One performed action: the key it concerned (the page shown next) and the line shown once. */
  record ActionOutcome(KeyRef key, String message) {}
}
